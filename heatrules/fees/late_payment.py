"""Late-payment fee (违约金, FEE): 2 ‰ per day of the unpaid part of what was owed at the due date.

rules.md §7: due on 31 December of the start year (or the connection date when later); day 1
is the day after. Owed = the heating fee billed at the due date (prorated for a mid-season
connection, before any cut-off; the area-fee prepayment for metered accounts), rounded to the
fen, less the widow waiver as known then; refunds are not deducted [decision]. A payment lowers
the unpaid part from the day after it (the payment day is charged). Accrual runs through
``as_of`` (or the day before a cut-off); without ``as_of`` no late fee is assessed [decision].
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from ..context import Context
from ..lines import Line
from ..money import ZERO, to_fen
from ..waivers.cadre_widow import widow_known_at_due


def owed_at_due(ctx: Context) -> Decimal:
    """What the account owed at the due date (fen), before payments."""
    fee = to_fen(ctx.fee_at_due)
    return max(fee - widow_known_at_due(ctx, fee), ZERO)


def accrual_end(ctx: Context) -> date | None:
    """The last day a late fee accrues: ``as_of``, or the day before a cut-off if earlier."""
    as_of = ctx.case.as_of
    if as_of is None:
        return None
    if ctx.cutoff_from is not None:
        return min(as_of, ctx.cutoff_from - timedelta(days=1))
    return as_of


def unpaid_day_sum(
    owed: Decimal, payments: list[tuple[date, Decimal]], first: date, last: date
) -> Decimal:
    """Σ over days ``first..last`` of the unpaid part (owed − payments made before that day)."""
    if last < first:
        return ZERO
    paid = sum((amt for d, amt in payments if d < first), ZERO)
    total = ZERO
    cursor = first
    for pay_date in sorted({d for d, _ in payments if first <= d}):
        if cursor > last:
            break
        seg_end = min(pay_date, last)
        total += max(owed - paid, ZERO) * ((seg_end - cursor).days + 1)
        cursor = pay_date + timedelta(days=1)
        paid += sum((amt for d, amt in payments if d == pay_date), ZERO)
    if cursor <= last:
        total += max(owed - paid, ZERO) * ((last - cursor).days + 1)
    return total


def late_payment_fee(ctx: Context) -> list[Line]:
    """The ``fee.late_payment`` line — only when a statement date is given and the fee is > 0."""
    if ctx.suspension is not None:
        return []
    end = accrual_end(ctx)
    if end is None:
        return []
    pv = ctx.params.in_force("late_fee.daily_rate", ctx.season)
    contract_rate = ctx.case.account.late_fee_rate
    contract = contract_rate is not None
    rate: Decimal = contract_rate if contract_rate is not None else pv.value
    owed = owed_at_due(ctx)
    first = ctx.due_date + timedelta(days=1)
    payments = [(p.date, p.amount) for p in ctx.case.payments]
    day_sum = unpaid_day_sum(owed, payments, first, end)
    amount = Fraction(rate) * Fraction(day_sum)
    line = Line.make(
        "fee.late_payment",
        amount,
        {
            "owed_at_due": owed,
            "due_date": ctx.due_date.isoformat(),
            "accrual_end": end.isoformat(),
            "rate_per_day": rate,
            "unpaid_yuan_days": day_sum,
        },
        pv.citation,
        f"违约金：{ctx.due_date} 应交 {owed} 元，自次日起至 {end} 按未交部分每日 "
        f"{rate}{'（合同约定）' if contract else ''} 计收（逐日未交金额合计 {day_sum} 元·天）。",
        f"Late fee: {owed} yuan was due on {ctx.due_date}; {rate} per day"
        f"{' (contract rate)' if contract else ''} of the unpaid part from the next day "
        f"through {end} (unpaid yuan-days {day_sum}).",
    )
    return [line] if line.amount > 0 else []
