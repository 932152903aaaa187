"""Late-payment fee (违约金, FEE): 2 ‰ per day of the unpaid part of what was owed at the due date.

The batch form of :mod:`heatrules.fees.late_payment` (rules.md §7): due on 31 December of the
start year (or the connection date when later), day 1 the day after; owed = the heating fee at
the due date less the widow waiver as known then; a payment lowers the unpaid part from the
day after it; accrual runs through ``as_of``, or the day before a cut-off for non-payment.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ..seasonparams import LATE_RATE_SCALE
from .arith import Dense, int_col, mul_rdiv_np, rdiv


def _late_day_sum(
    dense: Dense,
    late: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    owed: np.ndarray,
    pay_pos: np.ndarray,
    pay_date: np.ndarray,
    pay_amount: np.ndarray,
) -> np.ndarray:
    """Σ over the accrual days of the unpaid part (fen·days) per account — rules.md §7.

    The unpaid part on day x is max(owed − payments made before x, 0): a payment lowers it
    from the day after it is made. When the payments in effect inside the window never exceed
    what was owed, the sum is owed·days − Σ amount·(days the payment was in effect); for the
    other accounts the exact segment sum over their payments sorted by date is used.
    """
    days = np.clip(last - first + 1, 0, None) * late
    # per payment (numpy gathers: the account's window reaches its payments by position)
    eff = np.maximum(pay_date + 1, first[pay_pos])
    in_effect = np.clip(last[pay_pos] + 1 - eff, 0, None) * late[pay_pos]
    paid_days = dense.sum(pay_pos, pay_amount * in_effect)
    paid_in = dense.sum(pay_pos, np.where(in_effect > 0, pay_amount, 0))
    day_sum = owed * days - paid_days
    slow = late.astype(bool) & (paid_in > owed)
    if slow.any():
        # exact segment sums over each over-paying account's payments sorted by date (numpy,
        # segmented by account; payments on the same day give empty segments, so their order
        # does not matter). The running sum is global and may wrap around 2⁶⁴ on huge inputs;
        # differences of it are exact (int64 arithmetic is modular) and each account's own
        # sum is bounded by its payments.
        m = slow[pay_pos] & (in_effect > 0)
        p, e, a = pay_pos[m], eff[m], pay_amount[m]
        order = np.lexsort((e, p))
        p, e, a = p[order], e[order], a[order]
        head = np.ones(len(p), dtype=bool)
        head[1:] = p[1:] != p[:-1]
        heads = np.flatnonzero(head)
        g = np.cumsum(head) - 1
        with np.errstate(over="ignore"):
            cum = np.cumsum(a)
            cum = cum - (cum - a)[heads][g]  # paid so far within the account
        tail_row = np.ones(len(p), dtype=bool)
        tail_row[:-1] = head[1:]
        nxt = np.empty_like(e)
        nxt[:-1] = e[1:]
        seg = np.where(tail_row, last[p] + 1, nxt) - e
        unpaid = np.clip(owed[p] - cum, 0, None)
        tail = np.zeros(len(heads), dtype=np.int64)
        np.add.at(tail, g, seg * unpaid)
        slow_at = p[heads]
        day_sum[slow_at] = owed[slow_at] * (e[heads] - first[slow_at]) + tail
    out: np.ndarray = day_sum
    return out


def late_fee(
    acc: pl.DataFrame,
    dense: Dense,
    payments: pl.DataFrame,
    pay_pos: np.ndarray,
    pay_amount: np.ndarray,
) -> pl.DataFrame:
    """The accounts with ``fee_late_payment`` (fen; null when none is assessed or it is 0)."""
    live = pl.col("suspension") == 0
    q_n = pl.col("q_n")
    zero = pl.lit(0, dtype=pl.Int64)
    fee_at_due = rdiv(pl.col("ap_area") * pl.col("cd"), q_n)
    widow_due = (
        pl.when(~pl.col("waiver"))
        .then(zero)
        .when(pl.col("has_children"))
        .then(pl.min_horizontal(pl.col("widow_with"), fee_at_due))
        .otherwise(fee_at_due)
    )
    acc = acc.with_columns(
        (live & pl.col("as_of").is_not_null()).alias("late"),
        (pl.col("due") + 1).alias("first"),
        pl.when(pl.col("cut").is_not_null())
        .then(pl.min_horizontal(pl.col("as_of"), pl.col("cut") - 1))
        .otherwise(pl.col("as_of"))
        .alias("last"),
        pl.max_horizontal(fee_at_due - widow_due, zero).alias("owed"),
        pl.coalesce(pl.col("late_fee_rate"), pl.col("late_rate")).alias("rate"),
    )
    late = acc.get_column("late").to_numpy().astype(np.int64)
    day_sum = _late_day_sum(
        dense,
        late,
        int_col(acc, "first"),
        int_col(acc, "last"),
        int_col(acc, "owed"),
        pay_pos,
        int_col(payments, "date"),
        pay_amount,
    )
    fee = mul_rdiv_np(np.maximum(day_sum, 0), int_col(acc, "rate"), LATE_RATE_SCALE)
    acc = acc.with_columns(
        pl.Series("_late", fee),
        pl.Series("_late_on", (late > 0) & (fee > 0)),
    ).with_columns(pl.when(pl.col("_late_on")).then(pl.col("_late")).alias("fee_late_payment"))
    return acc
