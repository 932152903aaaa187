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

from ..citations import Citation
from ..context import Context
from ..intervals import (
    Interval,
    covered,
    hours_text,
    seconds,
    show_duration,
    show_hours,
    show_instant,
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


def _part_day(rule: str, day: timedelta) -> tuple[str, str]:
    h = show_hours(day)
    if rule == "ceil":
        return f"不足{h}小时按1天计", "a part day counts as one"
    return f"不足{h}小时不计", "a part day is not counted"


def _days(length: timedelta, rule: str, day: timedelta) -> int:
    return whole_days_ceil(length, day) if rule == "ceil" else whole_days_floor(length, day)


@dataclass(frozen=True)
class _CauseGroup:
    """How one cause group of an outage is refunded: its line code, multiple and part-day rule."""

    code: str
    multiplier: int
    part_day: str
    citation: Citation
    what_zh: str
    what_en: str


def _groups(ctx: Context) -> tuple[_CauseGroup, _CauseGroup]:
    params, season, policy = ctx.params, ctx.season, ctx.policy
    sup = params.in_force("refund.supplier.multiplier", season)
    oth = params.in_force("refund.other.multiplier", season)
    reg23 = params.citation("refund.continuous_stop", season)
    return (
        _CauseGroup(
            "refund.supplier_outage",
            sup.value,
            policy.part_day(params.value("refund.supplier.part_day", season)),
            sup.citation.join(reg23),
            "因供热单位原因未供热",
            "Supplier-caused non-supply",
        ),
        _CauseGroup(
            "refund.facility_outage",
            oth.value,
            policy.part_day(params.value("refund.other.part_day", season)),
            oth.citation,
            "供热设施故障或外部原因停热",
            "Facility or external outage",
        ),
    )


def _refund_line(
    ctx: Context, group: _CauseGroup, span: Interval, length: timedelta, day: timedelta
) -> Line:
    d = ctx.daily_fee
    days = _days(length, group.part_day, day)
    part_zh, part_en = _part_day(group.part_day, day)
    start, end = show_instant(span.start), show_instant(span.end)
    dur_zh, dur_en = show_duration(length)
    if length == span.length:
        what_zh = f"{group.what_zh}（{start} 至 {end}）{dur_zh}"
        what_en = f"{group.what_en} ({start} to {end}): {dur_en}"
    else:  # one cause group of a continuous outage whose hours have both causes
        all_zh, all_en = show_duration(span.length)
        what_zh = f"{group.what_zh}：连续停热（{start} 至 {end}，共 {all_zh}）中属此类 {dur_zh}"
        what_en = f"{group.what_en}: {dur_en} of the continuous outage ({start} to {end}, {all_en})"
    times_zh = f"的 {group.multiplier} 倍" if group.multiplier != 1 else ""
    times_en = f"{group.multiplier} x " if group.multiplier != 1 else ""
    return Line.make(
        group.code,
        group.multiplier * d * days,
        {
            "hours": hours_text(length),
            "seconds": seconds(length),
            "days": days,
            "multiplier": group.multiplier,
            **ctx.daily_fee_basis,
        },
        group.citation,
        f"{what_zh}，{part_zh}，共 {days} 天，按日采暖费 {approx(d)} 元{times_zh}退还。",
        f"{what_en}, {part_en}, {days} day(s) refunded at {times_en}the daily fee "
        f"({approx(d)} yuan).",
    )


def no_heat_refunds(ctx: Context) -> list[Line]:
    """One ``refund.supplier_outage`` and/or ``refund.facility_outage`` line per outage."""
    day = timedelta(hours=ctx.params.value("refund.day_hours", ctx.season))
    supplier, other = _groups(ctx)
    lines: list[Line] = []
    for out in outages(ctx):
        if out.supplier > timedelta(0):
            lines.append(_refund_line(ctx, supplier, out.interval, out.supplier, day))
        if out.other > timedelta(0):
            lines.append(_refund_line(ctx, other, out.interval, out.other, day))
    return lines
