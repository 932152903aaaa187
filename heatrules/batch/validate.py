"""Validation of the batch tables: cell rules, keys, the partial-facts rule and rule checks.

``../shared/spec/batch-tables.md``: a row with any bad cell is rejected whole; an account is
billed only when all of its rows are good — an account with a rejected row of its own (or of
its station) is itself rejected with a reason pointing at that row, and its event rows are
rejected with it. An event row whose ``account_id``, ``station_id`` or ``season`` is bad or
matches no account is rejected on its own. ``(account_id, season)`` is unique: a repeated pair
rejects every row of that pair.

The semantic checks of :func:`heatrules.validate.validate` (rules in force for the season,
metered kWh, connection after the season, the late-fee maximum, facts of a suspended season,
cut-off dates, widow waivers, temperature records) are replicated here as column expressions;
the reason names the column (``column: message``).

The result holds typed integer columns (see :mod:`heatrules.batch.schema` for the units) for
the accepted rows only, the rejects (``table, file, line, column, value, reason``) and the
read / accepted / rejected counts of every table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from ..params import Parameters
from . import cells
from .readers import LINE, RawTable
from .schema import (
    AREA_DECIMALS,
    CELSIUS_DECIMALS,
    KWH_DECIMALS,
    MAX_AREA,
    MAX_KWH,
    MAX_MONEY,
    MONEY_DECIMALS,
    RATE_DECIMALS,
    TABLES,
    Table,
)
from .seasonparams import band_table, season_table

REJECT_SCHEMA = {
    "table": pl.String,
    "file": pl.String,
    "line": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "reason": pl.String,
}
_S = pl.String


def _lit(s: str) -> pl.Expr:
    return pl.lit(s, dtype=_S)


@dataclass
class Validated:
    """Typed, accepted rows of every table, the rejects and the counts."""

    accounts: pl.DataFrame
    own_no_heat: pl.DataFrame
    station_no_heat: pl.DataFrame
    temperature: pl.DataFrame
    payments: pl.DataFrame
    seasons: pl.DataFrame
    bands: pl.DataFrame
    rejects: pl.DataFrame
    counts: dict[str, dict[str, int]] = field(default_factory=dict)


def _parse(table: Table, frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``v_<col>`` (typed value) and ``e_<col>`` (problem) for every column."""
    exprs: list[pl.Expr] = []
    for col in table.columns:
        c = col.name
        if col.kind == "text":
            v, e = cells.text(c)
        elif col.kind == "season":
            v, e = cells.season(c)
        elif col.kind == "choice":
            v, e = cells.choice(c, col.choices)
        elif col.kind == "area":
            v, e = cells.decimal(c, AREA_DECIMALS)
            e = (
                pl.when(e.is_not_null())
                .then(e)
                .when(v <= 0)
                .then(pl.format("{} must be greater than 0", pl.col(c)))
                .when(v > MAX_AREA)
                .then(pl.format("{} m2 is above the batch engine's limit of 1000000 m2", pl.col(c)))
            )
        elif col.kind == "money":
            v, e = cells.decimal(c, MONEY_DECIMALS)
            e = (
                pl.when(e.is_not_null())
                .then(e)
                .when(v <= 0)
                .then(pl.format("{} must be greater than 0", pl.col(c)))
                .when(v > MAX_MONEY)
                .then(pl.format("{} is above the batch engine's limit", pl.col(c)))
            )
        elif col.kind == "kwh":
            v, e = cells.decimal(c, KWH_DECIMALS)
            e = (
                pl.when(e.is_not_null())
                .then(e)
                .when(v < 0)
                .then(pl.format("{} must not be negative", pl.col(c)))
                .when(v > MAX_KWH)
                .then(pl.format("{} is above the batch engine's limit", pl.col(c)))
            )
        elif col.kind == "rate":
            v, e = cells.decimal(c, RATE_DECIMALS)
            e = (
                pl.when(e.is_not_null())
                .then(e)
                .when(v < 0)
                .then(pl.format("{} must not be negative", pl.col(c)))
            )
        elif col.kind == "celsius":
            v, e = cells.decimal(c, CELSIUS_DECIMALS)
        elif col.kind == "date":
            v, e = cells.date_days(c)
        elif col.kind == "timestamp":
            v, e = cells.timestamp_us(c)
        elif col.kind == "bool":
            v, e = cells.boolean(c)
        else:  # pragma: no cover - schema kinds are fixed
            raise AssertionError(col.kind)
        if col.required:
            e = pl.when(pl.col(c).is_null()).then(_lit("required cell is empty")).otherwise(e)
        exprs += [v.alias(f"v_{c}"), e.alias(f"e_{c}")]
    return frame.with_columns(exprs)


def _row_checks(table: Table, df: pl.DataFrame) -> pl.DataFrame:
    """Checks between the cells of one row (model validators of the case format)."""

    def add(col: str, cond: pl.Expr, msg: pl.Expr) -> pl.Expr:
        e = pl.col(f"e_{col}")
        return pl.when(e.is_null() & cond).then(msg).otherwise(e).alias(f"e_{col}")

    def v(c: str) -> pl.Expr:
        return pl.col(f"v_{c}")

    if table.name == "accounts":
        suspended = v("suspension_kind").is_not_null()
        return df.with_columns(
            add(
                "supply_stopped_at",
                v("supply_stopped_at") <= v("supply_started_at"),
                _lit("must be later than supply_started_at"),
            ),
            add(
                "waiver_has_children",
                v("waiver_kind").is_not_null() & v("waiver_has_children").is_null(),
                _lit("required with waiver_kind (true or false)"),
            ),
        ).with_columns(
            add(
                "waiver_has_children",
                pl.col("waiver_kind").is_null() & v("waiver_has_children").is_not_null(),
                _lit("given without waiver_kind"),
            ),
            add(
                "metered_kwh",
                (v("billing") == "metered")
                & v("metered_kwh").is_null()
                & ~suspended
                & pl.col("e_billing").is_null(),
                _lit("required for a metered account (billing: metered)"),
            ),
        )
    if table.name == "no_heat":
        both = v("account_id").is_not_null() & v("station_id").is_not_null()
        neither = pl.col("account_id").is_null() & pl.col("station_id").is_null()
        return df.with_columns(
            add(
                "end",
                v("end") <= v("start"),
                pl.format("{} must be later than start {}", pl.col("end"), pl.col("start")),
            ),
            add(
                "account_id",
                both,
                _lit("a no_heat row names either account_id or station_id, not both"),
            ),
        ).with_columns(
            add("station_id", neither, _lit("a no_heat row needs account_id or station_id"))
        )
    if table.name == "temperature":
        return df.with_columns(
            add(
                "celsius",
                v("celsius").is_null()
                & ~v("deemed_failure").fill_null(False)
                & pl.col("e_deemed_failure").is_null(),
                _lit("required unless deemed_failure is true"),
            ),
            add(
                "restored_at",
                v("restored_at") <= v("measured_at"),
                _lit("must be later than measured_at"),
            ),
        )
    return df


def _summarise(table: Table, df: pl.DataFrame) -> pl.DataFrame:
    """``bad`` (any cell problem), ``why`` (all problems), ``bad_col`` / ``bad_value`` (first)."""
    errs = [pl.col(f"e_{c}") for c in table.names]
    return df.with_columns(
        pl.any_horizontal([e.is_not_null() for e in errs]).alias("bad"),
        pl.concat_str(
            [pl.format("{}: {}", _lit(c), pl.col(f"e_{c}")) for c in table.names],
            separator="; ",
            ignore_nulls=True,
        ).alias("why"),
        pl.coalesce(
            [pl.when(pl.col(f"e_{c}").is_not_null()).then(_lit(c)) for c in table.names]
        ).alias("bad_col"),
        pl.coalesce(
            [pl.when(pl.col(f"e_{c}").is_not_null()).then(pl.col(c)) for c in table.names]
        ).alias("bad_value"),
    )


def _semantic_accounts(acc: pl.DataFrame) -> pl.DataFrame:
    """The account-level checks of heatrules.validate (after the season's params are joined)."""

    def v(c: str) -> pl.Expr:
        return pl.col(f"v_{c}")

    res = v("category") == "residential"
    season_txt = pl.col("season")

    def no_rule(what: str) -> pl.Expr:
        return pl.format("no rule in force for season {}: {}", season_txt, _lit(what))

    suspended = v("suspension_kind").is_not_null()
    metered = v("billing") == "metered"
    cut = v("cutoff_from")
    problems: list[tuple[str, pl.Expr, pl.Expr]] = [
        (
            "season",
            pl.when(res)
            .then(pl.col("price_area_res"))
            .otherwise(pl.col("price_area_non"))
            .is_null(),
            no_rule("the area price for the category is in force from an earlier season"),
        ),
        (
            "billing",
            metered
            & pl.when(res)
            .then(pl.col("price_base_res").is_null() | pl.col("price_energy_res").is_null())
            .otherwise(pl.col("price_base_non").is_null() | pl.col("price_energy_non").is_null()),
            no_rule("the metered two-part price (tariff.metered.*) is not in force"),
        ),
        (
            "connected_on",
            v("connected_on") > pl.col("last_day"),
            _lit("after the season's last day; bill the account in the season it was connected"),
        ),
        (
            "late_fee_rate",
            v("late_fee_rate") > pl.col("late_rate"),
            pl.format("{} per day is above the legal maximum", pl.col("late_fee_rate")),
        ),
        (
            "supply_started_at",
            suspended & v("supply_started_at").is_not_null(),
            _lit("not accepted for a suspended season: there is no supply"),
        ),
        (
            "supply_stopped_at",
            suspended & v("supply_stopped_at").is_not_null(),
            _lit("not accepted for a suspended season: there is no supply"),
        ),
        (
            "cutoff_from",
            suspended & cut.is_not_null(),
            _lit("not accepted for a suspended season: there is no supply"),
        ),
        (
            "cutoff_from",
            ~suspended & cut.is_not_null() & metered,
            _lit("a cut-off for non-payment applies to area-billed accounts only"),
        ),
        (
            "cutoff_from",
            ~suspended
            & cut.is_not_null()
            & ((cut < pl.col("cutoff_first")) | (cut > pl.col("last_day"))),
            _lit("outside 01-01 .. the season's last day (a cut-off starts after the due date)"),
        ),
        (
            "cutoff_from",
            ~suspended & cut.is_not_null() & (cut <= v("connected_on")),
            pl.format(
                "{} must be later than the connection date {}",
                pl.col("cutoff_from"),
                pl.col("connected_on"),
            ),
        ),
        (
            "waiver_kind",
            v("waiver_kind").is_not_null() & ~res,
            _lit("the retired-cadre widow waiver applies to residential accounts only"),
        ),
        (
            "waiver_kind",
            v("waiver_kind").is_not_null()
            & pl.when(v("waiver_has_children"))
            .then(pl.col("widow_with").is_null())
            .otherwise(~pl.col("widow_without")),
            no_rule("the retired-cadre widow waiver is in force from 2005-2006"),
        ),
    ]
    ok = ~pl.col("bad")
    why_parts = [
        pl.when(ok & cond.fill_null(False)).then(pl.format("{}: {}", _lit(col), msg))
        for col, cond, msg in problems
    ]
    first_col = pl.coalesce(
        [pl.when(ok & cond.fill_null(False)).then(_lit(col)) for col, cond, _ in problems]
    )
    first_val = pl.coalesce(
        [pl.when(ok & cond.fill_null(False)).then(pl.col(col)) for col, cond, _ in problems]
    )
    sem_why = pl.concat_str(why_parts, separator="; ", ignore_nulls=True)
    return acc.with_columns(
        pl.when(ok).then(first_col).otherwise(pl.col("bad_col")).alias("bad_col"),
        pl.when(ok).then(first_val).otherwise(pl.col("bad_value")).alias("bad_value"),
        pl.when(ok).then(sem_why).otherwise(pl.col("why")).alias("why"),
    ).with_columns(
        pl.col("bad") | pl.col("why").is_not_null().fill_null(False) & (pl.col("why") != "")
    )


def _rejects(df: pl.DataFrame, table: str, source: str) -> pl.DataFrame:
    return df.select(
        _lit(table).alias("table"),
        _lit(source).alias("file"),
        pl.col(LINE).alias("line"),
        pl.col("bad_col").alias("column"),
        pl.col("bad_value").alias("value"),
        pl.col("why").alias("reason"),
    )


def validate_tables(
    accounts: RawTable,
    no_heat: RawTable,
    temperature: RawTable,
    payments: RawTable,
    params: Parameters,
) -> Validated:
    """Validate the four tables and return typed accepted rows, rejects and counts."""
    raw = {
        "accounts": accounts,
        "no_heat": no_heat,
        "temperature": temperature,
        "payments": payments,
    }
    parsed: dict[str, pl.DataFrame] = {}
    for name, rt in raw.items():
        t = TABLES[name]
        parsed[name] = _summarise(t, _row_checks(t, _parse(t, rt.frame)))

    # ---------------------------------------------------------------- accounts and keys
    acc = parsed["accounts"]
    years = acc.get_column("v_season").drop_nulls().unique().to_list()
    seasons = season_table(params, years)
    bands = band_table(params, years)
    acc = acc.join(seasons, left_on="v_season", right_on="season_year", how="left")
    keyed = pl.col("v_account_id").is_not_null() & pl.col("v_season").is_not_null()
    acc = acc.with_columns(
        pl.when(keyed).then(pl.len().over("v_account_id", "v_season")).otherwise(1).alias("dup")
    )
    acc = acc.with_columns(
        pl.when(~pl.col("bad") & (pl.col("dup") > 1))
        .then(_lit("account_id"))
        .otherwise(pl.col("bad_col"))
        .alias("bad_col"),
        pl.when(~pl.col("bad") & (pl.col("dup") > 1))
        .then(pl.col("account_id"))
        .otherwise(pl.col("bad_value"))
        .alias("bad_value"),
        pl.when(pl.col("dup") > 1)
        .then(
            pl.format(
                "account_id: the account-season ({}, {}) appears on {} rows; every row of it is rejected",
                pl.col("account_id"),
                pl.col("season"),
                pl.col("dup"),
            )
        )
        .otherwise(pl.col("why"))
        .alias("why"),
        (pl.col("bad") | (pl.col("dup") > 1)).alias("bad"),
    )
    acc = _semantic_accounts(acc)
    keys = (
        acc.filter(keyed)
        .group_by("v_account_id", "v_season")
        .agg(
            pl.col(LINE).min().alias("key_line"),
            (pl.col("bad").any()).alias("key_bad"),
            pl.col("why").first().alias("key_why"),
            pl.col("v_suspension_kind").first().alias("k_susp"),
            pl.col("v_category").first().alias("k_cat"),
            pl.col("v_billing_area_m2").first().alias("k_area"),
            pl.col("v_station_id").first().alias("k_station"),
        )
        .with_row_index("kid")
        .with_columns(pl.col("kid").cast(pl.Int64))
    )

    # ---------------------------------------------------------------- events
    def attach(df: pl.DataFrame) -> pl.DataFrame:
        return df.join(
            keys.select("v_account_id", "v_season", "kid", "k_susp", "k_cat", "k_area"),
            on=["v_account_id", "v_season"],
            how="left",
        )

    def unattributable(df: pl.DataFrame, cond: pl.Expr, msg: pl.Expr) -> pl.DataFrame:
        return df.with_columns(
            pl.when(~pl.col("bad") & cond)
            .then(_lit("account_id"))
            .otherwise(pl.col("bad_col"))
            .alias("bad_col"),
            pl.when(~pl.col("bad") & cond)
            .then(pl.col("account_id"))
            .otherwise(pl.col("bad_value"))
            .alias("bad_value"),
            pl.when(~pl.col("bad") & cond).then(msg).otherwise(pl.col("why")).alias("why"),
            (pl.col("bad") | cond).alias("bad"),
        )

    def semantic(df: pl.DataFrame, problems: list[tuple[str, pl.Expr, pl.Expr]]) -> pl.DataFrame:
        ok = ~pl.col("bad") & pl.col("kid").is_not_null()
        conds = [(c, ok & cond.fill_null(False), m) for c, cond, m in problems]
        return df.with_columns(
            pl.coalesce(
                [pl.when(cond).then(_lit(c)) for c, cond, _ in conds] + [pl.col("bad_col")]
            ).alias("bad_col"),
            pl.coalesce(
                [pl.when(cond).then(pl.col(c)) for c, cond, _ in conds] + [pl.col("bad_value")]
            ).alias("bad_value"),
            pl.when(pl.any_horizontal([cond for _, cond, _ in conds]))
            .then(
                pl.concat_str(
                    [pl.when(cond).then(pl.format("{}: {}", _lit(c), m)) for c, cond, m in conds],
                    separator="; ",
                    ignore_nulls=True,
                )
            )
            .otherwise(pl.col("why"))
            .alias("why"),
            (pl.col("bad") | pl.any_horizontal([cond for _, cond, _ in conds])).alias("bad"),
        )

    not_suspended_msg = _lit("not accepted for a suspended season: there is no supply")
    # no_heat: account rows and station rows
    nh = parsed["no_heat"]
    nh = nh.with_columns(pl.col("v_account_id").is_not_null().alias("is_acct"))
    nh_acc = attach(nh.filter(pl.col("is_acct") | pl.col("v_station_id").is_null()))
    nh_acc = unattributable(
        nh_acc,
        pl.col("kid").is_null()
        & pl.col("v_account_id").is_not_null()
        & pl.col("v_season").is_not_null(),
        pl.format(
            "no account {} in season {} in the accounts table",
            pl.col("account_id"),
            pl.col("season"),
        ),
    )
    nh_acc = semantic(nh_acc, [("account_id", pl.col("k_susp").is_not_null(), not_suspended_msg)])
    stations = (
        acc.filter(pl.col("v_station_id").is_not_null() & pl.col("v_season").is_not_null())
        .select("v_station_id", "v_season")
        .unique()
        .with_columns(pl.lit(True).alias("st_known"))
    )
    nh_st = nh.filter(~pl.col("is_acct") & pl.col("v_station_id").is_not_null()).join(
        stations, on=["v_station_id", "v_season"], how="left"
    )
    nh_st = nh_st.with_columns(
        pl.when(~pl.col("bad") & pl.col("st_known").is_null() & pl.col("v_season").is_not_null())
        .then(_lit("station_id"))
        .otherwise(pl.col("bad_col"))
        .alias("bad_col"),
        pl.when(~pl.col("bad") & pl.col("st_known").is_null() & pl.col("v_season").is_not_null())
        .then(pl.col("station_id"))
        .otherwise(pl.col("bad_value"))
        .alias("bad_value"),
        pl.when(~pl.col("bad") & pl.col("st_known").is_null() & pl.col("v_season").is_not_null())
        .then(
            pl.format(
                "no account of station {} in season {}", pl.col("station_id"), pl.col("season")
            )
        )
        .otherwise(pl.col("why"))
        .alias("why"),
        (pl.col("bad") | pl.col("st_known").is_null()).alias("bad"),
    )

    # temperature
    tp = attach(parsed["temperature"])
    tp = unattributable(
        tp,
        pl.col("kid").is_null()
        & pl.col("v_account_id").is_not_null()
        & pl.col("v_season").is_not_null(),
        pl.format(
            "no account {} in season {} in the accounts table",
            pl.col("account_id"),
            pl.col("season"),
        ),
    )
    tp = tp.join(seasons, left_on="v_season", right_on="season_year", how="left")
    tod_m = pl.col("v_measured_at") % cells.US_PER_DAY
    tod_r = pl.col("v_restored_at") % cells.US_PER_DAY
    susp = pl.col("k_susp").is_not_null()
    tp = tp.with_columns(
        (pl.col("v_measured_at").is_first_distinct().over("kid", "v_room", "v_measured_at")).alias(
            "first_of_instant"
        ),
        pl.col(LINE).min().over("kid", "v_room", "v_measured_at").alias("first_line"),
    )
    tp = semantic(
        tp,
        [
            ("account_id", susp, not_suspended_msg),
            (
                "standard_celsius",
                ~susp & (pl.col("k_cat") != "residential") & pl.col("v_standard_celsius").is_null(),
                _lit("required for a non-residential account (the contract temperature)"),
            ),
            (
                "room_area_m2",
                ~susp & (pl.col("v_room_area_m2") > pl.col("k_area")),
                _lit("larger than the account's billing area"),
            ),
            (
                "measured_at",
                ~susp
                & (
                    (pl.col("v_measured_at") < pl.col("period_start"))
                    | (pl.col("v_measured_at") >= pl.col("period_end"))
                ),
                _lit("outside the statutory season"),
            ),
            (
                "measured_at",
                ~susp & ((tod_m < pl.col("meas_from_us")) | (tod_m > pl.col("meas_to_us"))),
                _lit("outside the measuring hours (local time)"),
            ),
            (
                "restored_at",
                ~susp & ((tod_r < pl.col("meas_from_us")) | (tod_r > pl.col("meas_to_us"))),
                _lit("a measurement too, outside the measuring hours (local time)"),
            ),
            (
                "measured_at",
                ~susp & ~pl.col("first_of_instant"),
                pl.format(
                    "room {} was already measured at this instant on line {}",
                    pl.col("room"),
                    pl.col("first_line"),
                ),
            ),
        ],
    )
    # at most max_per_day distinct measurement instants per local date (measured and restored)
    inst = pl.concat(
        [
            tp.filter(
                pl.col("kid").is_not_null()
                & pl.col("k_susp").is_null()
                & pl.col("v_measured_at").is_not_null()
            ).select(
                "kid",
                LINE,
                pl.col("v_measured_at").alias("t"),
                pl.col("meas_per_day"),
                _lit("measured_at").alias("which"),
            ),
            tp.filter(
                pl.col("kid").is_not_null()
                & pl.col("k_susp").is_null()
                & pl.col("v_restored_at").is_not_null()
            ).select(
                "kid",
                LINE,
                pl.col("v_restored_at").alias("t"),
                pl.col("meas_per_day"),
                _lit("restored_at").alias("which"),
            ),
        ]
    )
    if inst.height:
        inst = inst.with_columns((pl.col("t") // cells.US_PER_DAY).alias("day"))
        inst = inst.with_columns(pl.col("t").n_unique().over("kid", "day").alias("n_inst"))
        over = (
            inst.filter(pl.col("n_inst") > pl.col("meas_per_day"))
            .group_by("kid", LINE)
            .agg(pl.col("which").first(), pl.col("n_inst").max())
        )
        if over.height:
            tp = tp.join(over, on=["kid", LINE], how="left")
            tp = semantic(
                tp,
                [
                    (
                        "measured_at",
                        pl.col("which").is_not_null(),
                        pl.format(
                            "{} measurements of the household on one day; at most 2 per day (MEAS)",
                            pl.col("n_inst"),
                        ),
                    )
                ],
            ).drop("which", "n_inst")

    pm = attach(parsed["payments"])
    pm = unattributable(
        pm,
        pl.col("kid").is_null()
        & pl.col("v_account_id").is_not_null()
        & pl.col("v_season").is_not_null(),
        pl.format(
            "no account {} in season {} in the accounts table",
            pl.col("account_id"),
            pl.col("season"),
        ),
    )

    # ---------------------------------------------------------------- the partial-facts rule
    def culprits(df: pl.DataFrame, table: str) -> pl.DataFrame:
        return (
            df.filter(pl.col("bad") & pl.col("kid").is_not_null())
            .group_by("kid")
            .agg(
                pl.col(LINE).min().alias("c_line"),
                pl.col("why").sort_by(LINE).first().alias("c_why"),
            )
            .select(
                "kid",
                pl.format(
                    "{} line {} rejected ({})", _lit(table), pl.col("c_line"), pl.col("c_why")
                ).alias("c"),
            )
        )

    st_bad = nh_st.filter(pl.col("bad") & pl.col("st_known").fill_null(False))
    station_culprits = pl.DataFrame(schema={"kid": pl.Int64, "c": pl.String})
    if st_bad.height:
        first_bad = st_bad.group_by("v_station_id", "v_season").agg(
            pl.col(LINE).min().alias("c_line"), pl.col("why").sort_by(LINE).first().alias("c_why")
        )
        kid_station = keys.filter(pl.col("k_station").is_not_null()).select(
            "kid", pl.col("k_station").alias("v_station_id"), "v_season", "k_susp"
        )
        station_culprits = (
            kid_station.filter(pl.col("k_susp").is_null())
            .join(first_bad, on=["v_station_id", "v_season"], how="inner")
            .select(
                "kid",
                pl.format(
                    "station {} no_heat line {} rejected ({})",
                    pl.col("v_station_id"),
                    pl.col("c_line"),
                    pl.col("c_why"),
                ).alias("c"),
            )
        )
    all_culprits = (
        pl.concat(
            [
                culprits(nh_acc, "no_heat"),
                culprits(tp, "temperature"),
                culprits(pm, "payments"),
                station_culprits,
            ]
        )
        .group_by("kid")
        .agg(pl.col("c").first())
    )
    keys = keys.join(all_culprits, on="kid", how="left").with_columns(
        (pl.col("key_bad") | pl.col("c").is_not_null()).alias("key_bad"),
        pl.when(pl.col("key_bad")).then(pl.col("key_why")).otherwise(pl.col("c")).alias("key_why"),
    )
    acc = acc.join(
        keys.select("v_account_id", "v_season", "kid", "key_bad", "c"),
        on=["v_account_id", "v_season"],
        how="left",
    )
    acc = acc.with_columns(
        pl.when(~pl.col("bad") & pl.col("key_bad").fill_null(False))
        .then(_lit("account_id"))
        .otherwise(pl.col("bad_col"))
        .alias("bad_col"),
        pl.when(~pl.col("bad") & pl.col("key_bad").fill_null(False))
        .then(pl.col("account_id"))
        .otherwise(pl.col("bad_value"))
        .alias("bad_value"),
        pl.when(~pl.col("bad") & pl.col("key_bad").fill_null(False))
        .then(pl.format("rejected with its facts: {}", pl.col("c")))
        .otherwise(pl.col("why"))
        .alias("why"),
        (pl.col("bad") | pl.col("key_bad").fill_null(False)).alias("bad"),
    )

    bad_keys = keys.filter(pl.col("key_bad")).select("kid", "key_why")

    def cascade(df: pl.DataFrame) -> pl.DataFrame:
        df = df.join(bad_keys, on="kid", how="left")
        hit = ~pl.col("bad") & pl.col("key_why").is_not_null()
        return df.with_columns(
            pl.when(hit).then(_lit("account_id")).otherwise(pl.col("bad_col")).alias("bad_col"),
            pl.when(hit)
            .then(pl.col("account_id"))
            .otherwise(pl.col("bad_value"))
            .alias("bad_value"),
            pl.when(hit)
            .then(
                pl.format(
                    "account {} {} is rejected: {}",
                    pl.col("account_id"),
                    pl.col("season"),
                    pl.col("key_why"),
                )
            )
            .otherwise(pl.col("why"))
            .alias("why"),
            (pl.col("bad") | pl.col("key_why").is_not_null()).alias("bad"),
        )

    nh_acc = cascade(nh_acc)
    tp = cascade(tp)
    pm = cascade(pm)

    rejects = pl.concat(
        [
            _rejects(acc.filter(pl.col("bad")), "accounts", accounts.source),
            _rejects(
                pl.concat(
                    [
                        nh_acc.select(LINE, "bad", "bad_col", "bad_value", "why"),
                        nh_st.select(LINE, "bad", "bad_col", "bad_value", "why"),
                    ]
                ).filter(pl.col("bad")),
                "no_heat",
                no_heat.source,
            ),
            _rejects(tp.filter(pl.col("bad")), "temperature", temperature.source),
            _rejects(pm.filter(pl.col("bad")), "payments", payments.source),
        ]
    ).sort("table", "line")

    counts: dict[str, dict[str, int]] = {}
    for name, frames in (
        ("accounts", [acc]),
        ("no_heat", [nh_acc, nh_st]),
        ("temperature", [tp]),
        ("payments", [pm]),
    ):
        read = sum(f.height for f in frames)
        rej = sum(int(f.get_column("bad").sum()) for f in frames)
        counts[name] = {"read": read, "accepted": read - rej, "rejected": rej}

    # ---------------------------------------------------------------- typed accepted rows
    good = acc.filter(~pl.col("bad")).sort(LINE)
    accounts_t = good.select(
        pl.col("kid").alias("acct"),
        pl.col(LINE).alias("line"),
        pl.col("account_id"),
        pl.col("season"),
        pl.col("v_season").alias("season_year"),
        (pl.col("v_category") == "residential").alias("residential"),
        pl.col("v_billing_area_m2").alias("area"),
        (pl.col("v_billing") == "metered").fill_null(False).alias("metered"),
        pl.col("v_metered_kwh").alias("kwh"),
        pl.col("v_connected_on").alias("connected_on"),
        pl.col("v_late_fee_rate").alias("late_fee_rate"),
        pl.col("v_station_id").alias("station_id"),
        pl.col("v_supply_started_at").alias("supply_started_at"),
        pl.col("v_supply_stopped_at").alias("supply_stopped_at"),
        pl.col("v_waiver_kind").is_not_null().alias("waiver"),
        pl.col("v_waiver_has_children").fill_null(False).alias("has_children"),
        pl.col("v_suspension_kind")
        .replace_strict({"temporary": 1, "permanent": 2}, default=0, return_dtype=pl.Int8)
        .alias("suspension"),
        pl.col("v_cutoff_from").alias("cutoff_from"),
        pl.col("v_as_of").alias("as_of"),
    )
    own = (
        nh_acc.filter(~pl.col("bad"))
        .sort(LINE)
        .select(
            pl.col("kid").alias("acct"),
            pl.col(LINE).alias("line"),
            pl.col("v_start").alias("start"),
            pl.col("v_end").alias("end"),
            (pl.col("v_cause") == "supplier").alias("supplier"),
        )
    )
    st_good = (
        nh_st.filter(~pl.col("bad"))
        .sort(LINE)
        .select(
            pl.col("v_station_id").alias("station_id"),
            pl.col("v_season").alias("season_year"),
            pl.col(LINE).alias("line"),
            pl.col("v_start").alias("start"),
            pl.col("v_end").alias("end"),
            (pl.col("v_cause") == "supplier").alias("supplier"),
        )
    )
    temp_t = (
        tp.filter(~pl.col("bad"))
        .sort(LINE)
        .select(
            pl.col("kid").alias("acct"),
            pl.col(LINE).alias("line"),
            pl.col("v_room").alias("room"),
            pl.col("v_room_area_m2").alias("room_area"),
            pl.col("v_measured_at").alias("measured_at"),
            pl.col("v_celsius").alias("celsius"),
            pl.col("v_restored_at").alias("restored_at"),
            pl.col("v_standard_celsius").alias("standard_celsius"),
            pl.col("v_deemed_failure").fill_null(False).alias("deemed_failure"),
            pl.col("v_user_fault").alias("user_fault"),
        )
    )
    pay_t = (
        pm.filter(~pl.col("bad"))
        .sort(LINE)
        .select(
            pl.col("kid").alias("acct"),
            pl.col(LINE).alias("line"),
            pl.col("v_date").alias("date"),
            pl.col("v_amount").alias("amount"),
        )
    )
    return Validated(
        accounts=accounts_t,
        own_no_heat=own,
        station_no_heat=st_good,
        temperature=temp_t,
        payments=pay_t,
        seasons=seasons,
        bands=bands,
        rejects=rejects,
        counts=counts,
    )
