"""Indoor temperature refunds: 10 %, 50 % or 100 % of the room's daily fee per day below standard.

REF (with REG arts. 20-21): shortfall s = standard − measured; s ≤ 2 °C → 10 %, 2 < s ≤ 6 → 50 %,
s > 6 → 100 % (bands from the parameter data). Refunded only when unresolved more than 24 h
(REF art. 5), per whole day of the window [measured_at, restored_at) — cut by a later record
of the same room, clipped to the supplied season — not covered by any no-heat interval
[decision: hours without heat are an outage, never refunded twice]. A deemed failure is
100 %; a user fault refunds nothing (a 0.00 line says why).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from ..case import TemperatureRecord
from ..citations import Citation
from ..context import Context
from ..intervals import (
    Interval,
    covered,
    hours_text,
    seconds,
    show_duration,
    union,
    whole_days_ceil,
    whole_days_floor,
)
from ..lines import Line
from ..money import pct
from ..params import Band
from .no_heat import cause_intervals

_FAULT_ZH = {
    "altered_installation": "用户擅自改动供热设施",
    "covered_radiator": "用户遮挡散热器",
    "drained_water": "用户私放供热用水",
    "unauthorised_device": "用户擅自加装设备",
}
_FAULT_EN = {
    "altered_installation": "the user altered the heating installation",
    "covered_radiator": "the user covered the radiator",
    "drained_water": "the user drained heating water",
    "unauthorised_device": "the user fitted an unauthorised device",
}


def band_rate(shortfall: Decimal, bands: tuple[Band, ...], shift: int = 0) -> Decimal:
    """The refund rate for a shortfall below the standard (0 when the room complies).

    ``shift`` (a policy's ``band_shift``) reads the band ``shift`` places higher or lower:
    clamped at the top, and below the first band nothing is refunded.
    """
    if shortfall <= 0:
        return Decimal(0)
    for i, band in enumerate(bands):
        if shortfall > band.above and (band.upto is None or shortfall <= band.upto):
            j = min(i + shift, len(bands) - 1)
            return bands[j].rate if j >= 0 else Decimal(0)
    return Decimal(0)  # pragma: no cover - validated bands cover (0, ∞)


def windows(ctx: Context) -> list[tuple[TemperatureRecord, Interval]]:
    """Each record's window [measured_at, end), end = restored_at, the next record of the room,
    or the season end, whichever is first (not yet clipped)."""
    by_room: dict[str, list[TemperatureRecord]] = defaultdict(list)
    for rec in ctx.case.temperature:
        by_room[rec.room].append(rec)
    nxt: dict[int, datetime] = {}
    for recs in by_room.values():
        ordered = sorted(recs, key=lambda r: r.measured_at)
        for a, b in itertools.pairwise(ordered):
            nxt[id(a)] = b.measured_at
    result = []
    for rec in ctx.case.temperature:
        end = rec.restored_at or ctx.period.end
        if id(rec) in nxt:
            end = min(end, nxt[id(rec)])
        result.append((rec, Interval(rec.measured_at, end)))
    return result


def temperature_refunds(ctx: Context) -> list[Line]:
    """One ``refund.temperature`` line per record (0.00 lines explain why nothing is due)."""
    params, season = ctx.params, ctx.season
    supplied = ctx.supplied
    if supplied is None or not ctx.case.temperature:
        return []
    bands_pv = params.in_force("temperature.bands", season)
    bands: tuple[Band, ...] = bands_pv.value
    std_pv = params.in_force("temperature.standard.residential", season)
    trigger = timedelta(hours=params.value("temperature.trigger_hours", season))
    trigger_cite = params.citation("temperature.trigger_hours", season)
    deemed_pv = params.in_force("temperature.deemed_failure_rate", season)
    day = timedelta(hours=params.value("refund.day_hours", season))
    outage_union = union(iv for iv, _ in cause_intervals(ctx))
    d = ctx.daily_fee
    lines = []
    for rec, raw_window in windows(ctx):
        standard = rec.standard_celsius if rec.standard_celsius is not None else std_pv.value
        window = raw_window.clip(supplied)
        length = window.length if window else timedelta(0)
        lost = covered(window, outage_union) if window else timedelta(0)
        count = whole_days_ceil if ctx.policy.part_day_flipped else whole_days_floor
        days = count(length - lost, day)
        citation: Citation = bands_pv.citation
        if rec.user_fault is not None:
            rate = Decimal(0)
            why_zh = f"{_FAULT_ZH[rec.user_fault]}，不予退费"
            why_en = f"{_FAULT_EN[rec.user_fault]}: no refund"
            citation = trigger_cite
        elif rec.deemed_failure:
            rate = deemed_pv.value
            citation = deemed_pv.citation
            why_zh = "供热单位未按规定测温，视为室温不达标"
            why_en = "the supplier did not measure as required: deemed a failure"
        else:
            assert rec.celsius is not None
            shortfall = standard - rec.celsius
            rate = band_rate(shortfall, bands, ctx.policy.band_shift)
            if rate == 0:
                why_zh = f"实测 {rec.celsius}℃ 不低于标准 {standard}℃"
                why_en = f"measured {rec.celsius} C is not below the standard {standard} C"
            else:
                why_zh = f"实测 {rec.celsius}℃，低于标准 {standard}℃ {shortfall}℃，退 {pct(rate)}"
                why_en = (
                    f"measured {rec.celsius} C, {shortfall} C below the standard {standard} C: "
                    f"{pct(rate)} refund band"
                )
        triggered = length > trigger
        if rate != 0 and not triggered:
            if window is None:
                why_zh += "；但不在本户供热期内"
                why_en += "; but the window lies outside the account's supplied season"
            else:
                (len_zh, len_en), (trig_zh, trig_en) = show_duration(length), show_duration(trigger)
                why_zh += f"；问题持续 {len_zh}，未超过 {trig_zh}，不退费"
                why_en += f"; unresolved {len_en}, not more than {trig_en}: no refund"
            citation = trigger_cite
        effective_days = days if (triggered and rate != 0) else 0
        amount = (
            d * Fraction(rec.room_area_m2) / Fraction(ctx.area) * Fraction(rate) * effective_days
        )
        lost_zh = f"（扣除停热 {show_duration(lost)[0]}）" if lost else ""
        lost_en = f" (less {show_duration(lost)[1]} without heat)" if lost else ""
        lines.append(
            Line.make(
                "refund.temperature",
                amount,
                {
                    "room": rec.room,
                    "room_area_m2": rec.room_area_m2,
                    "standard_celsius": standard,
                    "celsius": rec.celsius if rec.celsius is not None else "",
                    "percentage": rate * 100,
                    "hours": hours_text(length),
                    "seconds": seconds(length),
                    "hours_without_heat": hours_text(lost),
                    "seconds_without_heat": seconds(lost),
                    "days": effective_days,
                    **ctx.daily_fee_basis,
                },
                citation,
                f"{rec.room}（{rec.room_area_m2} m²）：{why_zh}；"
                + (
                    f"按 {effective_days} 天{lost_zh}退还该房间日采暖费的 {pct(rate)}。"
                    if effective_days
                    else "本条退费为 0。"
                ),
                f"{rec.room} ({rec.room_area_m2} m2): {why_en}; "
                + (
                    f"{pct(rate)} of the room's daily fee for {effective_days} day(s){lost_en}."
                    if effective_days
                    else "nothing to refund."
                ),
            )
        )
    return lines
