"""No-heat refunds: double per day for supplier-caused non-supply, single per full day otherwise.

FEE art. 15 (and REG art. 23): a supplier-caused outage refunds twice the daily fee per day,
a part day under 24 h counting as one. FEE art. 16: a facility failure or an external cause
(water, power) refunds the daily fee once per day, a part day not counted.

Algorithm [decision] (rules.md §4.1): clip every interval to the supplied season; unite all
intervals (any cause) into continuous outages; in each, the hours covered by a supplier
interval count as supplier hours (ceil to days) and the rest as other hours (floor to days).
A late start or early stop of supply (``supply.started_at``/``stopped_at``) is a supplier
interval from the season start or to the season end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from ..context import Context
from ..intervals import (
    Interval,
    covered,
    seconds,
    show_hours,
    union,
    whole_days_ceil,
    whole_days_floor,
)
from ..lines import Line
from ..money import approx


@dataclass(frozen=True)
class Outage:
    """One continuous outage inside the supplied season and its supplier/other hours."""

    interval: Interval
    supplier: timedelta
    other: timedelta


def cause_intervals(ctx: Context) -> list[tuple[Interval, str]]:
    """Every no-heat interval of the case (supply facts included), clipped to the supplied season."""
    supplied = ctx.supplied
    if supplied is None:
        return []
    read = ctx.policy.cause  # the cause as read (the recorded one unless an audit swaps it)
    raw: list[tuple[Interval, str]] = [
        (Interval(nh.start, nh.end), read(nh.cause)) for nh in ctx.case.no_heat
    ]
    supply = ctx.case.supply
    period = ctx.period
    if supply is not None:
        if supply.started_at is not None and supply.started_at > period.start:
            raw.append((Interval(period.start, supply.started_at), read("supplier")))
        if supply.stopped_at is not None and supply.stopped_at < period.end:
            raw.append((Interval(supply.stopped_at, period.end), read("supplier")))
    clipped = []
    for iv, cause in raw:
        c = iv.clip(supplied)
        if c is not None:
            clipped.append((c, cause))
    return clipped


def outages(ctx: Context) -> list[Outage]:
    """The continuous outages of the supplied season, with supplier and other hours.

    Under ``policy.overlap_double_counted`` every interval is an outage of its own (hours
    summed, not united).
    """
    intervals = cause_intervals(ctx)
    if ctx.policy.overlap_double_counted:
        zero = timedelta(0)
        return [
            Outage(iv, iv.length, zero) if cause == "supplier" else Outage(iv, zero, iv.length)
            for iv, cause in sorted(intervals)
        ]
    supplier_union = union(iv for iv, cause in intervals if cause == "supplier")
    result = []
    for iv in union(iv for iv, _ in intervals):
        hs = covered(iv, supplier_union)
        result.append(Outage(iv, hs, iv.length - hs))
    return result


def _hours(td: timedelta) -> str:
    return show_hours(td)


def _part_day(rule: str, day: timedelta) -> tuple[str, str]:
    h = show_hours(day)
    if rule == "ceil":
        return f"不足{h}小时按1天计", "a part day counts as one"
    return f"不足{h}小时不计", "a part day is not counted"


def _days(length: timedelta, rule: str, day: timedelta) -> int:
    return whole_days_ceil(length, day) if rule == "ceil" else whole_days_floor(length, day)


def no_heat_refunds(ctx: Context) -> list[Line]:
    """One ``refund.supplier_outage`` and/or ``refund.facility_outage`` line per outage."""
    params, season = ctx.params, ctx.season
    day = timedelta(hours=params.value("refund.day_hours", season))
    sup_mult = params.in_force("refund.supplier.multiplier", season)
    sup_rule = params.in_force("refund.supplier.part_day", season)
    oth_mult = params.in_force("refund.other.multiplier", season)
    oth_rule = params.in_force("refund.other.part_day", season)
    sup_part, oth_part = ctx.policy.part_day(sup_rule.value), ctx.policy.part_day(oth_rule.value)
    reg23 = params.citation("refund.continuous_stop", season)
    d = ctx.daily_fee
    lines: list[Line] = []
    for out in outages(ctx):
        span_zh = f"{out.interval.start:%Y-%m-%d %H:%M} 至 {out.interval.end:%Y-%m-%d %H:%M}"
        span_en = f"{out.interval.start:%Y-%m-%d %H:%M} to {out.interval.end:%Y-%m-%d %H:%M}"
        if out.supplier > timedelta(0):
            days = _days(out.supplier, sup_part, day)
            mult = sup_mult.value
            part_zh, part_en = _part_day(sup_part, day)
            lines.append(
                Line.make(
                    "refund.supplier_outage",
                    mult * d * days,
                    {
                        "seconds": seconds(out.supplier),
                        "days": days,
                        "multiplier": mult,
                        **ctx.daily_fee_basis,
                    },
                    sup_mult.citation.join(reg23),
                    f"因供热单位原因未供热（{span_zh}）{_hours(out.supplier)} 小时，{part_zh}，"
                    f"共 {days} 天，按日采暖费 {approx(d)} 元的 {mult} 倍退还。",
                    f"Supplier-caused non-supply ({span_en}): {_hours(out.supplier)} h, "
                    f"{part_en}, {days} day(s) refunded at {mult} x the daily fee "
                    f"({approx(d)} yuan).",
                )
            )
        if out.other > timedelta(0):
            days = _days(out.other, oth_part, day)
            mult = oth_mult.value
            part_zh, part_en = _part_day(oth_part, day)
            lines.append(
                Line.make(
                    "refund.facility_outage",
                    mult * d * days,
                    {
                        "seconds": seconds(out.other),
                        "days": days,
                        "multiplier": mult,
                        **ctx.daily_fee_basis,
                    },
                    oth_mult.citation,
                    f"供热设施故障或外部原因停热（{span_zh}）{_hours(out.other)} 小时，{part_zh}，"
                    f"共 {days} 天，按日采暖费 {approx(d)} 元退还。",
                    f"Facility or external outage ({span_en}): {_hours(out.other)} h, "
                    f"{part_en}, {days} day(s) refunded at the daily fee "
                    f"({approx(d)} yuan).",
                )
            )
    return lines
