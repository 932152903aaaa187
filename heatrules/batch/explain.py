"""Citations and one-sentence zh/en explanations for the batch ``lines`` output (rules.md §8).

The batch engine explains each line with the same citation as the scalar engine (the parameter
that rules it, for the line's season) and a short sentence naming the quantity it counted
(days); the full basis of a single bill is what ``heatrules bill`` prints. The hours the texts
name (a refund day, the temperature trigger) come from the parameter data of the line's
season (``refund.day_hours``, ``temperature.trigger_hours``), as in the scalar engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import polars as pl

from ..citations import Citation
from ..errors import NoRuleInForce
from ..intervals import show_hours
from ..params import Parameters
from ..season import Season

CITE_KEYS = (
    "tariff.area.price.residential",
    "tariff.area.price.non_residential",
    "tariff.metered.base_price.residential",
    "tariff.metered.base_price.non_residential",
    "tariff.metered.energy_price.residential",
    "tariff.metered.energy_price.non_residential",
    "suspension.permanent_compensation",
    "suspension.compensation_rate.residential",
    "suspension.compensation_rate.non_residential",
    "cutoff.compensation_rate",
    "refund.other.multiplier",
    "temperature.trigger_hours",
    "temperature.deemed_failure_rate",
    "temperature.bands",
    "waiver.cadre_widow.with_children",
    "waiver.cadre_widow.without_children",
    "late_fee.daily_rate",
)


def citation(params: Parameters, season: Season, key: str) -> Citation:
    """The citation of a line's ``cite_key`` (:mod:`.kernel.lines`) in ``season``, as the scalar
    engine cites the line; raises NoRuleInForce when the parameter is not in force."""
    if key == "refund.supplier":
        return params.citation("refund.supplier.multiplier", season).join(
            params.citation("refund.continuous_stop", season)
        )
    if key == "payment":
        due = params.citation("late_fee.due_day", season)
        return Citation(due.document, due.article, "缴纳供热采暖费")
    return params.citation(key, season)


def citation_table(params: Parameters, years: list[int]) -> pl.DataFrame:
    """(season_year, cite_key, citation) for every cited parameter in force in those seasons."""
    rows: list[tuple[int, str, str]] = []
    for y in sorted(set(years)):
        s = Season(y)
        for key in (*CITE_KEYS, "refund.supplier", "payment"):
            try:
                rows.append((y, key, str(citation(params, s, key))))
            except NoRuleInForce:
                pass
    return pl.DataFrame(
        rows,
        schema={"season_year": pl.Int64, "cite_key": pl.String, "citation": pl.String},
        orient="row",
    )


SeasonHours = Mapping[int, tuple[str, str]]
"""season_year → (``refund.day_hours``, ``temperature.trigger_hours``) as explanation text."""


def season_hours(params: Parameters, years: list[int]) -> dict[int, tuple[str, str]]:
    """The hours the explanations name, per season (the seasons where both are in force)."""
    out: dict[int, tuple[str, str]] = {}
    for y in sorted(set(years)):
        s = Season(y)
        try:
            day = params.value("refund.day_hours", s)
            trigger = params.value("temperature.trigger_hours", s)
        except NoRuleInForce:
            continue
        out[y] = (show_hours(timedelta(hours=day)), show_hours(timedelta(hours=trigger)))
    return out


def _per_season(texts: dict[int, str]) -> pl.Expr:
    """A text per line's season: one literal when every season has the same (the usual case)."""
    distinct = set(texts.values())
    if len(distinct) == 1:
        return pl.lit(distinct.pop(), dtype=pl.String)
    return pl.col("season_year").replace_strict(
        list(texts), list(texts.values()), default=None, return_dtype=pl.String
    )


def explanations(hours: SeasonHours) -> tuple[pl.Expr, pl.Expr]:
    """zh and en explanation expressions over a lines frame (code, kind, days, suspension,
    season_year); ``hours`` from :func:`season_hours`."""
    code, kind, days = pl.col("code"), pl.col("kind"), pl.col("days").cast(pl.String)
    day_h = _per_season({y: h[0] for y, h in hours.items()})
    trigger_h = _per_season({y: h[1] for y, h in hours.items()})
    zh = (
        pl.when(code == "tariff.area")
        .then(pl.format("面积计费采暖费，按 {} 天计。", days))
        .when(code == "tariff.metered.base")
        .then(pl.format("计量收费基本热价，按 {} 天计。", days))
        .when(code == "tariff.metered.energy")
        .then(pl.lit("计量收费热量热价（按表计热量）。"))
        .when((code == "fee.suspension_compensation") & (pl.col("suspension") == 2))
        .then(pl.lit("永久报停：自本供热期起停止供热，不收取采暖费和热能损耗补偿费。"))
        .when(code == "fee.suspension_compensation")
        .then(pl.lit("报停热能损耗补偿费（面积计费采暖费的比例）。"))
        .when(code == "fee.cutoff_compensation")
        .then(pl.format("欠费停热 {} 天的热能损耗补偿费。", days))
        .when(code == "refund.supplier_outage")
        .then(
            pl.format(
                "因供热单位原因未供热，不足{}小时按1天计，共 {} 天，按日采暖费加倍退还。",
                day_h,
                days,
            )
        )
        .when(code == "refund.facility_outage")
        .then(
            pl.format(
                "供热设施故障或外部原因停热，不足{}小时不计，共 {} 天，按日采暖费退还。",
                day_h,
                days,
            )
        )
        .when((code == "refund.temperature") & (kind == "user_fault"))
        .then(pl.lit("用户原因导致室温不达标，不予退费。"))
        .when((code == "refund.temperature") & (kind == "complies"))
        .then(pl.lit("实测室温不低于标准，本条退费为 0。"))
        .when((code == "refund.temperature") & (kind == "not_triggered"))
        .then(pl.format("室温问题未超过 {} 小时（或不在本户供热期内），不退费。", trigger_h))
        .when(code == "refund.temperature")
        .then(pl.format("室温不达标，按 {} 天退还该房间日采暖费的相应比例。", days))
        .when(code == "waiver.cadre_widow")
        .then(pl.lit("离休干部遗孀减免剩余采暖费，由市供热办承担。"))
        .when(code == "fee.late_payment")
        .then(pl.lit("违约金：按应交未交部分逐日计收。"))
        .otherwise(pl.lit("收到缴费。"))
    )
    en = (
        pl.when(code == "tariff.area")
        .then(pl.format("Area fee for {} day(s).", days))
        .when(code == "tariff.metered.base")
        .then(pl.format("Metered base charge for {} day(s).", days))
        .when(code == "tariff.metered.energy")
        .then(pl.lit("Metered energy charge (by the meter)."))
        .when((code == "fee.suspension_compensation") & (pl.col("suspension") == 2))
        .then(pl.lit("Permanent suspension: no heating fee and no compensation fee."))
        .when(code == "fee.suspension_compensation")
        .then(
            pl.lit("Heat-loss compensation for a temporary suspension (a share of the area fee).")
        )
        .when(code == "fee.cutoff_compensation")
        .then(pl.format("Compensation for the {} cut-off day(s).", days))
        .when(code == "refund.supplier_outage")
        .then(
            pl.format(
                "Supplier-caused non-supply, a part day counts as one: {} day(s) refunded at the multiplied daily fee.",
                days,
            )
        )
        .when(code == "refund.facility_outage")
        .then(
            pl.format(
                "Facility or external outage, a part day is not counted: {} day(s) refunded at the daily fee.",
                days,
            )
        )
        .when((code == "refund.temperature") & (kind == "user_fault"))
        .then(pl.lit("The user caused the low temperature: no refund."))
        .when((code == "refund.temperature") & (kind == "complies"))
        .then(pl.lit("The measured temperature is not below the standard: nothing to refund."))
        .when((code == "refund.temperature") & (kind == "not_triggered"))
        .then(
            pl.format(
                "Unresolved not more than {} h (or outside the supplied season): no refund.",
                trigger_h,
            )
        )
        .when(code == "refund.temperature")
        .then(
            pl.format(
                "Room below the standard: its share of the daily fee refunded for {} day(s).", days
            )
        )
        .when(code == "waiver.cadre_widow")
        .then(
            pl.lit(
                "Retired-cadre widow waiver of the remaining heating fee, funded by the city heating office."
            )
        )
        .when(code == "fee.late_payment")
        .then(pl.lit("Late fee on the unpaid part, per day."))
        .otherwise(pl.lit("Payment received."))
    )
    return zh, en
