"""The vectorised bill kernel: validated integer columns → bill lines and per-account totals.

Every line code of ``../shared/spec/rules.md`` is computed with polars expressions over whole
columns — no Python loop per account — in exact integer arithmetic:

* quantities are scaled integers (area in 1/100 m², prices in 1/10⁴ yuan, rates in 1/10⁴,
  the late-fee rate in 1/10⁶, kWh in 1/1000, money in fen, instants in µs, dates in days);
* each line is an exact rational ``p / q`` (p ≥ 0, q > 0) rounded **once**, half-up, to the
  fen as ``(2p + q) // (2q)`` (rules.md §2), and totals are sums of rounded lines;
* products that could leave int64 are formed as ``x·y/q = (x // q)·y + (x % q)·y / q`` (see
  :func:`mul_rdiv`), which is exact; with the input bounds of :mod:`heatrules.batch.schema`
  every intermediate stays below 2⁶² (``docs/batch.md`` lists the bounds).

The per-account interval logic (rules.md §4.1, §4.2) is vectorised too: intervals are clipped
to each account's supplied season, sorted, and merged with a running maximum of the end
(a new continuous outage starts where a start exceeds every earlier end); supplier hours are
the length of the union of the supplier intervals inside each outage. Accounts without
outages of their own share their station's outages: the union is computed once per
(station, season, supplied season) and joined to the accounts.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from .seasonparams import LATE_RATE_SCALE, PRICE_SCALE, RATE_SCALE, US_PER_DAY

CODES = (
    "tariff.area",
    "tariff.metered.base",
    "tariff.metered.energy",
    "fee.suspension_compensation",
    "fee.late_payment",
    "fee.cutoff_compensation",
    "refund.supplier_outage",
    "refund.facility_outage",
    "refund.temperature",
    "waiver.cadre_widow",
    "payment",
)
CHARGE_CODES = (
    "tariff.area",
    "tariff.metered.base",
    "tariff.metered.energy",
    "fee.suspension_compensation",
    "fee.cutoff_compensation",
)
REFUND_CODES = ("refund.supplier_outage", "refund.facility_outage", "refund.temperature")
NEGATIVE = frozenset({*REFUND_CODES, "waiver.cadre_widow", "payment"})
# order of the lines on a bill (rules.md §8), as the block of the line's sequence number
BLOCK = {
    "fee.suspension_compensation": 0,
    "tariff.area": 1,
    "tariff.metered.base": 1,
    "tariff.metered.energy": 1,
    "fee.cutoff_compensation": 2,
    "refund.supplier_outage": 3,
    "refund.facility_outage": 3,
    "refund.temperature": 4,
    "waiver.cadre_widow": 5,
    "fee.late_payment": 6,
    "payment": 7,
}
SEQ_BLOCK = 1 << 40
PROFILE_OWN = 1 << 40
"""Profile ids at or above this are one account's own; below, shared by a station's accounts."""


def col_name(code: str) -> str:
    """The bills column of a line code (the dot replaced by an underscore)."""
    return code.replace(".", "_")


def rdiv(p: pl.Expr, q: pl.Expr | int) -> pl.Expr:
    """Round ``p / q`` half-up to an integer (p ≥ 0, q > 0): ``(2p + q) // (2q)``."""
    return (2 * p + q) // (2 * q)


def mul_rdiv(x: pl.Expr, y: pl.Expr, q: pl.Expr | int) -> pl.Expr:
    """Round ``x·y / q`` half-up without forming ``x·y`` (x, y ≥ 0, q > 0): exact."""
    return (x // q) * y + rdiv((x % q) * y, q)


@dataclass
class KernelResult:
    """Per-account figures (``bills``: fen per code and totals) and optionally the lines."""

    bills: pl.DataFrame
    lines: pl.DataFrame | None


def _accounts(accounts: pl.DataFrame, seasons: pl.DataFrame) -> pl.DataFrame:
    """Join the season parameters and derive F's price, N, the supplied season, the due date."""
    a = accounts.join(seasons, on="season_year", how="left")
    res = pl.col("residential")
    conn = pl.when(pl.col("connected_on") > pl.col("first_day")).then(pl.col("connected_on"))
    cut = pl.when(pl.col("suspension") == 0).then(pl.col("cutoff_from"))
    return (
        a.with_columns(
            pl.when(res)
            .then(pl.col("price_area_res"))
            .otherwise(pl.col("price_area_non"))
            .alias("p_area"),
            pl.when(res)
            .then(pl.col("price_base_res"))
            .otherwise(pl.col("price_base_non"))
            .alias("p_base"),
            pl.when(res)
            .then(pl.col("price_energy_res"))
            .otherwise(pl.col("price_energy_non"))
            .alias("p_energy"),
            pl.when(res)
            .then(pl.col("susp_rate_res"))
            .otherwise(pl.col("susp_rate_non"))
            .alias("susp_rate"),
            conn.alias("conn"),
            cut.alias("cut"),
        )
        .with_columns(
            (pl.col("last_day") - pl.coalesce("conn", "first_day") + 1).alias("cd"),
            (pl.col("last_day") - pl.col("cut") + 1).fill_null(0).alias("cut_days"),
            pl.coalesce(pl.col("conn") * US_PER_DAY, pl.col("period_start")).alias("s_us"),
            pl.coalesce(pl.col("cut") * US_PER_DAY, pl.col("period_end")).alias("e_us"),
            pl.when(pl.col("metered"))
            .then(pl.col("p_base"))
            .otherwise(pl.col("p_area"))
            .alias("p_day"),
            (pl.col("area") * pl.col("p_area")).alias("ap_area"),
            pl.when(pl.col("conn") > pl.col("due_day"))
            .then(pl.col("conn"))
            .otherwise(pl.col("due_day"))
            .alias("due"),
        )
        .with_columns(
            (pl.col("area") * pl.col("p_day")).alias("ap_day"),
            (pl.col("n_days") * PRICE_SCALE).alias("q_n"),
        )
    )


def _intervals(
    acc: pl.DataFrame, own: pl.DataFrame, station: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """No-heat intervals of every outage profile, and the account → profile map.

    A profile is either one account (it has no_heat rows or supply facts of its own) or a
    (station, season, supplied season) shared by the station's other accounts.
    """
    live = acc.filter(pl.col("suspension") == 0).select(
        "acct",
        "station_id",
        "season_year",
        "s_us",
        "e_us",
        "period_start",
        "period_end",
        "supply_started_at",
        "supply_stopped_at",
    )
    supply = pl.concat(
        [
            live.filter(pl.col("supply_started_at") > pl.col("period_start")).select(
                "acct",
                pl.col("period_start").alias("start"),
                pl.col("supply_started_at").alias("end"),
                pl.lit(True).alias("supplier"),
            ),
            live.filter(pl.col("supply_stopped_at") < pl.col("period_end")).select(
                "acct",
                pl.col("supply_stopped_at").alias("start"),
                pl.col("period_end").alias("end"),
                pl.lit(True).alias("supplier"),
            ),
        ]
    )
    own_iv = pl.concat([own.select("acct", "start", "end", "supplier"), supply])
    owners = own_iv.select("acct").unique().with_columns(pl.lit(True).alias("has_own"))
    live = live.join(owners, on="acct", how="left").with_columns(pl.col("has_own").fill_null(False))
    st = station.select("station_id", "season_year", "start", "end", "supplier")
    st_keys = st.select("station_id", "season_year").unique()
    shared = live.filter(~pl.col("has_own") & pl.col("station_id").is_not_null()).join(
        st_keys, on=["station_id", "season_year"], how="semi"
    )
    profiles = (
        shared.select("station_id", "season_year", "s_us", "e_us")
        .unique()
        .with_row_index("pid")
        .with_columns(pl.col("pid").cast(pl.Int64))
    )
    acct_pid_shared = shared.join(
        profiles, on=["station_id", "season_year", "s_us", "e_us"]
    ).select("acct", "pid")
    shared_iv = profiles.join(st, on=["station_id", "season_year"]).select(
        "pid", "start", "end", "supplier", "s_us", "e_us"
    )
    owned = live.filter(pl.col("has_own")).with_columns((pl.col("acct") + PROFILE_OWN).alias("pid"))
    owned_iv = pl.concat(
        [
            owned.select("acct", "pid", "s_us", "e_us").join(own_iv, on="acct"),
            owned.select("acct", "pid", "s_us", "e_us", "station_id", "season_year")
            .join(st, on=["station_id", "season_year"])
            .select("acct", "pid", "s_us", "e_us", "start", "end", "supplier"),
        ]
    ).select("pid", "start", "end", "supplier", "s_us", "e_us")
    acct_pid = pl.concat([acct_pid_shared, owned.select("acct", "pid")])
    return pl.concat([shared_iv, owned_iv]), acct_pid


def _union(iv: pl.DataFrame) -> pl.DataFrame:
    """Label each interval (sorted by pid, start) with its continuous outage ``comp``."""
    iv = iv.sort("pid", "start")
    prev_end = pl.col("end").cum_max().shift(1).over("pid")
    return iv.with_columns(
        (prev_end.is_null() | (pl.col("start") > prev_end)).cast(pl.Int64).alias("_new")
    ).with_columns((pl.col("_new").cum_sum().over("pid") - 1).alias("comp"))


def _outages(iv: pl.DataFrame) -> pl.DataFrame:
    """Continuous outages per profile: (pid, comp, cs, ce, hs) — rules.md §4.1 steps 1–3."""
    iv = iv.with_columns(
        pl.max_horizontal("start", "s_us").alias("start"),
        pl.min_horizontal("end", "e_us").alias("end"),
    ).filter(pl.col("end") > pl.col("start"))
    iv = _union(iv.select("pid", "start", "end", "supplier"))
    comps = iv.group_by("pid", "comp").agg(
        pl.col("start").min().alias("cs"), pl.col("end").max().alias("ce")
    )
    sup = iv.filter(pl.col("supplier")).select("pid", "start", "end", pl.col("comp").alias("outer"))
    if sup.height:
        sup = _union(sup)
        pieces = sup.group_by("pid", "comp").agg(
            pl.col("outer").first(), (pl.col("end").max() - pl.col("start").min()).alias("len")
        )
        hs = pieces.group_by("pid", "outer").agg(pl.col("len").sum().alias("hs"))
        comps = comps.join(
            hs.rename({"outer": "comp"}), on=["pid", "comp"], how="left"
        ).with_columns(pl.col("hs").fill_null(0))
    else:
        comps = comps.with_columns(pl.lit(0, dtype=pl.Int64).alias("hs"))
    return comps


def _days(hours_us: pl.Expr, day: pl.Expr, ceil: pl.Expr) -> pl.Expr:
    return pl.when(ceil).then(-((-hours_us) // day)).otherwise(hours_us // day)


def _late_day_sum(acc: pl.DataFrame, payments: pl.DataFrame) -> pl.DataFrame:
    """Σ over the accrual days of the unpaid part (fen·days) per account — rules.md §7.

    The unpaid part on day x is max(owed − payments made before x, 0). When the payments made
    inside the window never exceed what was owed, the sum is owed·days − Σ amount·(days the
    payment was in effect); otherwise the exact segment sum over sorted payments is used.
    """
    la = acc.filter(pl.col("late")).select("acct", "first", "last", "owed")
    if la.height == 0:
        return pl.DataFrame(schema={"acct": pl.Int64, "day_sum": pl.Int64})
    days = (pl.col("last") - pl.col("first") + 1).clip(lower_bound=0)
    p = payments.join(la, on="acct", how="inner").with_columns(
        pl.max_horizontal(pl.col("date") + 1, pl.col("first")).alias("eff")
    )
    p = p.with_columns((pl.col("last") + 1 - pl.col("eff")).clip(lower_bound=0).alias("in_effect"))
    agg = p.group_by("acct").agg(
        (pl.col("amount") * pl.col("in_effect")).sum().alias("paid_days"),
        pl.col("amount").filter(pl.col("in_effect") > 0).sum().alias("paid_in"),
    )
    la = la.join(agg, on="acct", how="left").with_columns(
        pl.col("paid_days").fill_null(0), pl.col("paid_in").fill_null(0)
    )
    fast = la.filter(pl.col("paid_in") <= pl.col("owed")).select(
        "acct", (pl.col("owed") * days - pl.col("paid_days")).alias("day_sum")
    )
    slow_acc = la.filter(pl.col("paid_in") > pl.col("owed")).select("acct", "first", "last", "owed")
    if slow_acc.height == 0:
        return fast
    sp = (
        p.join(slow_acc.select("acct"), on="acct", how="semi")
        .filter(pl.col("in_effect") > 0)
        .sort("acct", "eff")
        .with_columns(
            pl.col("amount").cum_sum().over("acct").alias("cum"),
            pl.col("eff").shift(-1).over("acct").alias("next_eff"),
        )
        .with_columns(
            (pl.coalesce(pl.col("next_eff"), pl.col("last") + 1) - pl.col("eff")).alias("seg"),
            (pl.col("owed") - pl.col("cum")).clip(lower_bound=0).alias("unpaid"),
        )
        .group_by("acct")
        .agg(
            (pl.col("seg") * pl.col("unpaid")).sum().alias("tail"), pl.col("eff").min().alias("e0")
        )
    )
    slow = slow_acc.join(sp, on="acct", how="left").select(
        "acct",
        (pl.col("owed") * (pl.col("e0") - pl.col("first")) + pl.col("tail")).alias("day_sum"),
    )
    return pl.concat([fast, slow])


def run(
    accounts: pl.DataFrame,
    own_no_heat: pl.DataFrame,
    station_no_heat: pl.DataFrame,
    temperature: pl.DataFrame,
    payments: pl.DataFrame,
    seasons: pl.DataFrame,
    bands: pl.DataFrame,
    *,
    with_lines: bool = False,
) -> KernelResult:
    """Bill every (validated) account; see the module docstring for the arithmetic."""
    acc = _accounts(accounts, seasons)
    live = pl.col("suspension") == 0
    q_n = pl.col("q_n")
    # ---------------------------------------------------------------- charges (§3, §6, §7)
    acc = acc.with_columns(
        pl.when(live & ~pl.col("metered"))
        .then(rdiv(pl.col("ap_area") * (pl.col("cd") - pl.col("cut_days")), q_n))
        .alias("tariff_area"),
        pl.when(live & pl.col("metered"))
        .then(rdiv(pl.col("area") * pl.col("p_base") * pl.col("cd"), q_n))
        .alias("tariff_metered_base"),
        pl.when(live & pl.col("metered"))
        .then(mul_rdiv(pl.col("kwh"), pl.col("p_energy"), 10**5))
        .alias("tariff_metered_energy"),
        pl.when(pl.col("suspension") > 0)
        .then(
            rdiv(
                pl.col("ap_area")
                * pl.when(pl.col("suspension") == 1)
                .then(pl.col("susp_rate"))
                .otherwise(pl.col("perm_rate")),
                PRICE_SCALE * RATE_SCALE,
            )
        )
        .alias("fee_suspension_compensation"),
        pl.when(pl.col("cut").is_not_null())
        .then(
            mul_rdiv(
                pl.col("ap_area"),
                pl.col("cutoff_rate") * pl.col("cut_days"),
                q_n * RATE_SCALE,
            )
        )
        .alias("fee_cutoff_compensation"),
    )
    # ---------------------------------------------------------------- no-heat refunds (§4.1)
    iv, acct_pid = _intervals(acc, own_no_heat, station_no_heat)
    comps = _outages(iv)
    per = (
        acct_pid.join(comps, on="pid", how="inner")
        .join(
            acc.select(
                "acct", "ap_day", "q_n", "day_us", "sup_mult", "oth_mult", "sup_ceil", "oth_ceil"
            ),
            on="acct",
        )
        .with_columns((pl.col("ce") - pl.col("cs") - pl.col("hs")).alias("ho"))
        .with_columns(
            _days(pl.col("hs"), pl.col("day_us"), pl.col("sup_ceil")).alias("sdays"),
            _days(pl.col("ho"), pl.col("day_us"), pl.col("oth_ceil")).alias("odays"),
        )
        .with_columns(
            pl.when(pl.col("hs") > 0)
            .then(rdiv(pl.col("ap_day") * pl.col("sup_mult") * pl.col("sdays"), pl.col("q_n")))
            .alias("sup_fen"),
            pl.when(pl.col("ho") > 0)
            .then(rdiv(pl.col("ap_day") * pl.col("oth_mult") * pl.col("odays"), pl.col("q_n")))
            .alias("oth_fen"),
        )
    )
    nh_sum = per.group_by("acct").agg(
        pl.col("sup_fen").sum().alias("refund_supplier_outage"),
        pl.col("oth_fen").sum().alias("refund_facility_outage"),
    )
    acc = acc.join(nh_sum, on="acct", how="left")
    # ---------------------------------------------------------------- temperature (§4.2)
    tp = _temperature(temperature, acc, acct_pid, comps, bands)
    t_sum = tp.group_by("acct").agg(pl.col("fen").sum().alias("refund_temperature"))
    acc = acc.join(t_sum, on="acct", how="left")
    zero = pl.lit(0, dtype=pl.Int64)
    acc = acc.with_columns(
        [
            pl.col(c).fill_null(0)
            for c in ("refund_supplier_outage", "refund_facility_outage", "refund_temperature")
        ]
    )
    # ---------------------------------------------------------------- widow waiver (§5)
    tariff = (
        pl.col("tariff_area").fill_null(0)
        + pl.col("tariff_metered_base").fill_null(0)
        + pl.col("tariff_metered_energy").fill_null(0)
    )
    refunds = (
        pl.col("refund_supplier_outage")
        + pl.col("refund_facility_outage")
        + pl.col("refund_temperature")
    )
    remaining = pl.max_horizontal(tariff - refunds, zero)
    acc = acc.with_columns(
        pl.when(pl.col("waiver") & ~live)
        .then(zero)
        .when(pl.col("waiver") & pl.col("has_children"))
        .then(pl.min_horizontal(pl.col("widow_with"), remaining))
        .when(pl.col("waiver"))
        .then(remaining)
        .alias("waiver_cadre_widow")
    )
    # ---------------------------------------------------------------- late fee (§7)
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
    )
    ds = _late_day_sum(acc, payments)
    acc = (
        acc.join(ds, on="acct", how="left")
        .with_columns(
            pl.when(pl.col("late"))
            .then(
                mul_rdiv(
                    pl.col("day_sum").fill_null(0),
                    pl.coalesce(pl.col("late_fee_rate"), pl.col("late_rate")),
                    LATE_RATE_SCALE,
                )
            )
            .alias("_late")
        )
        .with_columns(pl.when(pl.col("_late") > 0).then(pl.col("_late")).alias("fee_late_payment"))
    )
    # ---------------------------------------------------------------- payments
    pay_sum = payments.group_by("acct").agg(pl.col("amount").sum().alias("payment"))
    acc = acc.join(pay_sum, on="acct", how="left")

    # ---------------------------------------------------------------- totals (§8)
    def f(c: str) -> pl.Expr:
        return pl.col(col_name(c)).fill_null(0)

    acc = acc.with_columns(
        pl.sum_horizontal([f(c) for c in CHARGE_CODES]).alias("charges"),
        pl.sum_horizontal([f(c) for c in REFUND_CODES]).alias("refunds"),
        f("waiver.cadre_widow").alias("waivers"),
        f("fee.late_payment").alias("late_fees"),
        f("payment").alias("payments"),
    ).with_columns(
        (
            pl.col("charges")
            + pl.col("late_fees")
            - pl.col("refunds")
            - pl.col("waivers")
            - pl.col("payments")
        ).alias("balance")
    )
    signed = [(-f(c) if c in NEGATIVE else f(c)).alias(col_name(c)) for c in CODES]
    bills = acc.sort("line").select(
        "acct",
        "line",
        "account_id",
        "season",
        "season_year",
        "charges",
        "refunds",
        "waivers",
        "late_fees",
        "payments",
        "balance",
        *signed,
    )
    lines = _lines(acc, per, tp, payments) if with_lines else None
    return KernelResult(bills, lines)


def _temperature(
    temperature: pl.DataFrame,
    acc: pl.DataFrame,
    acct_pid: pl.DataFrame,
    comps: pl.DataFrame,
    bands: pl.DataFrame,
) -> pl.DataFrame:
    """One refund per temperature record (fen), with the quantities the lines explain."""
    if temperature.height == 0:
        return pl.DataFrame(
            schema={
                "acct": pl.Int64,
                "line": pl.Int64,
                "fen": pl.Int64,
                "days": pl.Int64,
                "rate": pl.Int64,
                "why": pl.String,
                "season_year": pl.Int64,
            }
        )
    t = temperature.join(
        acc.select(
            "acct",
            "season_year",
            "s_us",
            "e_us",
            "period_end",
            "p_day",
            "q_n",
            "day_us",
            "trigger_us",
            "std_res",
            "deemed_rate",
        ),
        on="acct",
    )
    t = t.sort("acct", "room", "measured_at").with_columns(
        pl.col("measured_at").shift(-1).over("acct", "room").alias("next_m")
    )
    end = pl.min_horizontal(pl.coalesce("restored_at", "period_end"), pl.col("next_m"))
    t = t.with_columns(
        pl.max_horizontal("measured_at", "s_us").alias("ws"),
        pl.min_horizontal(end, pl.col("e_us")).alias("we"),
    ).with_columns(
        pl.when(pl.col("we") > pl.col("ws"))
        .then(pl.col("we") - pl.col("ws"))
        .otherwise(0)
        .alias("length")
    )
    ov = (
        t.filter(pl.col("length") > 0)
        .select("acct", "line", "ws", "we")
        .join(acct_pid, on="acct")
        .join(comps.select("pid", "cs", "ce"), on="pid")
        .with_columns(
            (pl.min_horizontal("we", "ce") - pl.max_horizontal("ws", "cs"))
            .clip(lower_bound=0)
            .alias("ov")
        )
        .group_by("acct", "line")
        .agg(pl.col("ov").sum().alias("lost"))
    )
    t = t.join(ov, on=["acct", "line"], how="left").with_columns(pl.col("lost").fill_null(0))
    t = t.with_columns(
        (pl.coalesce("standard_celsius", "std_res") - pl.col("celsius")).alias("shortfall")
    )
    rated = (
        t.filter(pl.col("shortfall") > 0)
        .select("acct", "line", "season_year", "shortfall")
        .join(bands, on="season_year")
        .filter(
            (pl.col("shortfall") > pl.col("above"))
            & (pl.col("upto").is_null() | (pl.col("shortfall") <= pl.col("upto")))
        )
        .group_by("acct", "line")
        .agg(pl.col("band_rate").first())
    )
    t = t.join(rated, on=["acct", "line"], how="left")
    rate = (
        pl.when(pl.col("user_fault").is_not_null())
        .then(0)
        .when(pl.col("deemed_failure"))
        .then(pl.col("deemed_rate"))
        .otherwise(pl.col("band_rate").fill_null(0))
    )
    t = t.with_columns(
        rate.alias("rate"), (pl.col("length") > pl.col("trigger_us")).alias("triggered")
    )
    t = t.with_columns(
        pl.when(pl.col("triggered") & (pl.col("rate") != 0))
        .then((pl.col("length") - pl.col("lost")) // pl.col("day_us"))
        .otherwise(0)
        .alias("days")
    ).with_columns(
        mul_rdiv(
            pl.col("room_area") * pl.col("p_day"),
            pl.col("rate") * pl.col("days"),
            pl.col("q_n") * RATE_SCALE,
        ).alias("fen"),
        pl.when(pl.col("user_fault").is_not_null())
        .then(pl.lit("user_fault"))
        .when(pl.col("rate") == 0)
        .then(pl.lit("complies"))
        .when(~pl.col("triggered"))
        .then(pl.lit("not_triggered"))
        .when(pl.col("deemed_failure"))
        .then(pl.lit("deemed"))
        .otherwise(pl.lit("band"))
        .alias("why"),
    )
    return t


def _line_days(code: str) -> pl.Expr:
    if code == "tariff.area":
        return pl.col("cd") - pl.col("cut_days")
    if code == "tariff.metered.base":
        return pl.col("cd")
    if code == "fee.cutoff_compensation":
        return pl.col("cut_days")
    return pl.lit(None, dtype=pl.Int64)


def _lines(
    acc: pl.DataFrame, per: pl.DataFrame, tp: pl.DataFrame, payments: pl.DataFrame
) -> pl.DataFrame:
    """The long lines frame: acct, seq, code, fen (signed), kind, days, season_year."""
    one = []
    for code in (
        "fee.suspension_compensation",
        "tariff.area",
        "tariff.metered.base",
        "tariff.metered.energy",
        "fee.cutoff_compensation",
        "waiver.cadre_widow",
        "fee.late_payment",
    ):
        c = col_name(code)
        idx = 1 if code == "tariff.metered.energy" else 0
        sign = -1 if code in NEGATIVE else 1
        one.append(
            acc.filter(pl.col(c).is_not_null()).select(
                "acct",
                pl.lit(BLOCK[code] * SEQ_BLOCK + idx, dtype=pl.Int64).alias("seq"),
                pl.lit(code).alias("code"),
                (pl.col(c) * sign).alias("fen"),
                pl.lit(None, dtype=pl.String).alias("kind"),
                _line_days(code).alias("days"),
            )
        )
    nh = pl.concat(
        [
            per.filter(pl.col("sup_fen").is_not_null()).select(
                "acct",
                (3 * SEQ_BLOCK + 2 * pl.col("comp")).alias("seq"),
                pl.lit("refund.supplier_outage").alias("code"),
                (-pl.col("sup_fen")).alias("fen"),
                pl.lit(None, dtype=pl.String).alias("kind"),
                pl.col("sdays").alias("days"),
            ),
            per.filter(pl.col("oth_fen").is_not_null()).select(
                "acct",
                (3 * SEQ_BLOCK + 2 * pl.col("comp") + 1).alias("seq"),
                pl.lit("refund.facility_outage").alias("code"),
                (-pl.col("oth_fen")).alias("fen"),
                pl.lit(None, dtype=pl.String).alias("kind"),
                pl.col("odays").alias("days"),
            ),
        ]
    )
    temp = tp.select(
        "acct",
        (4 * SEQ_BLOCK + pl.col("line")).alias("seq"),
        pl.lit("refund.temperature").alias("code"),
        (-pl.col("fen")).alias("fen"),
        pl.col("why").alias("kind"),
        pl.col("days"),
    )
    pay = payments.select(
        "acct",
        (7 * SEQ_BLOCK + pl.col("line")).alias("seq"),
        pl.lit("payment").alias("code"),
        (-pl.col("amount")).alias("fen"),
        pl.lit(None, dtype=pl.String).alias("kind"),
        pl.lit(None, dtype=pl.Int64).alias("days"),
    )
    lines = pl.concat([*one, nh, temp, pay], how="vertical_relaxed")
    keys = acc.select(
        "acct",
        "line",
        "account_id",
        "season",
        "season_year",
        "residential",
        "suspension",
        "has_children",
    )
    lines = lines.join(keys, on="acct").sort("line", "seq").drop("line")
    cat = (
        pl.when(pl.col("residential"))
        .then(pl.lit("residential"))
        .otherwise(pl.lit("non_residential"))
    )
    lc = pl.col("code")
    cite = (
        pl.when(lc.is_in(["tariff.area"]))
        .then(pl.format("tariff.area.price.{}", cat))
        .when(lc == "tariff.metered.base")
        .then(pl.format("tariff.metered.base_price.{}", cat))
        .when(lc == "tariff.metered.energy")
        .then(pl.format("tariff.metered.energy_price.{}", cat))
        .when((lc == "fee.suspension_compensation") & (pl.col("suspension") == 2))
        .then(pl.lit("suspension.permanent_compensation"))
        .when(lc == "fee.suspension_compensation")
        .then(pl.format("suspension.compensation_rate.{}", cat))
        .when(lc == "fee.cutoff_compensation")
        .then(pl.lit("cutoff.compensation_rate"))
        .when(lc == "refund.supplier_outage")
        .then(pl.lit("refund.supplier"))
        .when(lc == "refund.facility_outage")
        .then(pl.lit("refund.other.multiplier"))
        .when((lc == "refund.temperature") & pl.col("kind").is_in(["user_fault", "not_triggered"]))
        .then(pl.lit("temperature.trigger_hours"))
        .when((lc == "refund.temperature") & (pl.col("kind") == "deemed"))
        .then(pl.lit("temperature.deemed_failure_rate"))
        .when(lc == "refund.temperature")
        .then(pl.lit("temperature.bands"))
        .when((lc == "waiver.cadre_widow") & pl.col("has_children"))
        .then(pl.lit("waiver.cadre_widow.with_children"))
        .when(lc == "waiver.cadre_widow")
        .then(pl.lit("waiver.cadre_widow.without_children"))
        .when(lc == "fee.late_payment")
        .then(pl.lit("late_fee.daily_rate"))
        .otherwise(pl.lit("payment"))
    )
    return lines.with_columns(cite.alias("cite_key"))
