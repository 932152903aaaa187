"""Validation of the batch tables: cell rules, keys, the partial-facts rule and rule checks.

``../shared/spec/batch-tables.md``: a row with any bad cell is rejected whole; an account is
billed only when all of its rows are good — an account with a rejected row of its own (or of
its station) is itself rejected with a reason pointing at that row, and its event rows are
rejected with it. An event row whose ``account_id``, ``station_id`` or ``season`` is bad or
matches no account is rejected on its own. ``(account_id, season)`` is unique: a repeated pair
rejects every row of that pair.

The semantic checks of :func:`heatrules.validate.validate` (rules in force for the season,
metered kWh, connection after the season, the late-fee maximum, facts of a suspended season,
cut-off dates, widow waivers, temperature records) are replicated as column expressions; the
reason names the column (``column: message``).

Every check is a boolean column expression evaluated over the whole table; the reasons are
formatted only for the rows that fail (a handful among millions), so validation costs a few
vectorised passes. Each rejected row gets exactly one line in ``rejects`` — its first failing
column, and every problem of its phase in the reason.

Modules: :mod:`.checks` (a check and how failing rows are marked), :mod:`.cell_rules` (each
cell parses within the engine's bounds), :mod:`.row_rules` (the cells of one row agree),
:mod:`.semantic` (the account and temperature checks of :mod:`heatrules.validate`); this
module joins them with the keys, the duplicate and unknown-account rules and the
partial-facts rule, and returns the typed accepted rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import polars as pl

from ...limits import MAX_SEASON_PAID
from ...params import Parameters
from .. import cells
from ..readers import LINE, RawTable, aligned, with_aligned
from ..schema import TABLES
from ..seasonparams import band_table, season_table
from .cell_rules import parse
from .checks import PROBLEM_SCHEMA, Check, apply_checks, str_lit, v
from .keys import AccountIndex
from .semantic import account_checks, temperature_checks

__all__ = [
    "PROBLEM_SCHEMA",
    "REJECT_SCHEMA",
    "Check",
    "Validated",
    "apply_checks",
    "v",
    "validate_tables",
]

REJECT_SCHEMA = {
    "table": pl.String,
    "file": pl.String,
    "line": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "reason": pl.String,
}


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


def _rejects(problems: pl.DataFrame, table: str, source: str) -> pl.DataFrame:
    return problems.select(
        str_lit(table).alias("table"),
        str_lit(source).alias("file"),
        pl.col(LINE).alias("line"),
        "column",
        "value",
        "reason",
    )


ACCOUNT_FACTS = {
    "k_susp": v("suspension_kind").is_not_null().cast(pl.Int8).alias("k_susp"),
    "k_res": (v("category") == "residential").alias("k_res"),
    "k_area": v("billing_area_m2").alias("k_area"),
}
"""What the event checks need of their account row."""


def _season_param(seasons: pl.DataFrame) -> Callable[[str], pl.Expr]:
    """``param(name)``: the season table's ``name`` for each account row's season, as an
    expression (a literal when the accounts are of one season, as usual) — not columns added
    to the accounts frame. A row whose season is not in the table is already rejected."""
    if seasons.height == 1:
        row = seasons.row(0, named=True)
        return lambda name: pl.lit(row[name], dtype=seasons.schema[name])
    years = seasons.get_column("season_year")
    return lambda name: v("season").replace_strict(years, seasons.get_column(name), default=None)


def _accepted(df: pl.DataFrame, *columns: pl.Expr, in_line_order: bool = True) -> pl.DataFrame:
    """``columns`` of the rows that are not ``bad`` (in line order), each in one chunk.

    Only the columns asked for are filtered and copied (a filter of the whole frame would
    copy every text cell too), and only when a row is bad.
    """
    out = df.select(*columns, pl.col("bad").alias("__bad"))
    if out.get_column("__bad").any():
        out = out.filter(~pl.col("__bad"))
    out = out.drop("__bad")
    if in_line_order and not out.get_column("line").is_sorted():
        out = out.sort("line")
    return out.rechunk()


def _station_seasons(acc: pl.DataFrame, named: pl.Series) -> tuple[pl.DataFrame, pl.Series]:
    """The (station, season) pairs of the accounts among the ``named`` stations (``st_known``,
    and ``st_code``: the station's place among the named ones), and each account's code.

    Each account's pair is coded as one integer (the station's code and the season), so that
    finding the distinct pairs copies no column of the accounts. The codes are the station
    join's keys in the kernel (which then compares no text).
    """
    names = named.drop_nulls().unique()
    schema = {
        "v_station_id": pl.String,
        "v_season": pl.Int64,
        "st_known": pl.Boolean,
        "st_code": pl.Int64,
    }
    years = acc.get_column("v_season")
    first = years.min()
    if names.len() == 0 or first is None:
        return pl.DataFrame(schema=schema), pl.Series("st_code", [None] * acc.height, pl.Int64)
    y0 = int(first)  # type: ignore[arg-type]
    n_years = int(years.max()) - y0 + 1  # type: ignore[arg-type]
    place = acc.select(
        v("station_id")
        .replace_strict(names, pl.int_range(names.len(), dtype=pl.Int64, eager=True), default=None)
        .alias("st_code")
    ).to_series()
    coded = acc.select((place * n_years + v("season") - y0).alias("c")).to_series()
    codes = coded.drop_nulls().unique().to_numpy()
    return pl.DataFrame(
        {
            "v_station_id": names.gather(codes // n_years),
            "v_season": codes % n_years + y0,
            "st_known": True,
            "st_code": codes // n_years,
        },
        schema=schema,
    ), place


MAX_PAID_FEN = int(MAX_SEASON_PAID * 100)
""":data:`heatrules.limits.MAX_SEASON_PAID` in fen (the kernel checks it again)."""


def _season_paid_checks(pm: pl.DataFrame) -> list[Check]:
    """Rejects the payments of an account whose payments sum to more than
    :data:`heatrules.limits.MAX_SEASON_PAID` (and so the account, by the partial-facts rule):
    its bill would leave the outputs' decimal(18, 2). The largest payment times the number of
    payments rules it out for every account of an ordinary city, in one pass over the column."""
    # a good amount is > 0: the largest of the column (bad rows included) times the rows
    # bounds every account's sum, exactly in Python integers, without copying a column
    largest = pm.select(pl.col("v_amount").max()).item()
    if largest is None or int(largest) * pm.height <= MAX_PAID_FEN:
        return []
    good = ~pl.col("bad") & pl.col("kid").is_not_null()
    sums = (
        pm.select("kid", "v_amount", "bad")
        .filter(good)
        .group_by("kid")
        .agg(pl.col("v_amount").cast(pl.Int128).sum().alias("paid"))
    )
    over = sums.filter(pl.col("paid") > MAX_PAID_FEN).get_column("kid")
    return [
        (
            "amount",
            pl.col("kid").is_in(over.implode()),
            str_lit(
                f"the account's payments of the season sum to more than "
                f"{MAX_SEASON_PAID:,.0f} yuan, beyond the batch engine's range (a bill's "
                "figures are decimal(18, 2))"
            ),
        )
    ]


def validate_tables(
    accounts: RawTable,
    no_heat: RawTable,
    temperature: RawTable,
    payments: RawTable,
    params: Parameters,
    *,
    profile: dict[str, float] | None = None,
) -> Validated:
    """Validate the four tables and return typed accepted rows, rejects and counts.

    ``profile``, when given, receives the seconds spent in each stage.
    """
    t_last = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t_last
        now = time.perf_counter()
        if profile is not None:
            profile[name] = profile.get(name, 0.0) + now - t_last
        t_last = now

    # the accounts and the payments are parsed side by side: much of a parse is serial (the
    # compiled scans, Python), so two keep both cores busy
    with ThreadPoolExecutor(max_workers=2) as pool:
        parsed_payments = pool.submit(parse, TABLES["payments"], payments)
        acc, acc_p1 = parse(TABLES["accounts"], accounts)
        nh, nh_p1 = parse(TABLES["no_heat"], no_heat)
        tp, tp_p1 = parse(TABLES["temperature"], temperature)
        pm, pm_p1 = parsed_payments.result()
    lap("cell rules")

    # ---------------------------------------------------------------- accounts and keys
    years = acc.get_column("v_season").drop_nulls().unique().to_list()
    seasons = season_table(params, years)
    bands = band_table(params, years)
    keyed = v("account_id").is_not_null() & v("season").is_not_null()
    index = AccountIndex(acc.get_column("v_account_id"), acc.get_column("v_season"))
    acc = acc.with_columns(aligned(acc, index.duplicated.alias("dup")))
    dups = acc.filter(pl.col("dup")).with_columns(
        pl.len().over("v_account_id", "v_season").alias("n_dup")
    )
    dup_problems = pl.DataFrame(schema=PROBLEM_SCHEMA)
    if dups.height:
        dups, dup_problems = apply_checks(
            dups,
            [
                (
                    "account_id",
                    pl.lit(True),
                    pl.format(
                        "the account-season ({}, {}) appears on {} rows; every row of it is rejected",
                        pl.col("account_id"),
                        pl.col("season"),
                        pl.col("n_dup"),
                    ),
                )
            ],
        )
        acc = with_aligned(acc, (pl.col("bad") | pl.col("dup")).alias("bad"))
    acc, acc_p3 = apply_checks(acc, account_checks(_season_param(seasons)))
    acc_problems = pl.concat([acc_p1, dup_problems, acc_p3])
    acc = acc.with_columns(
        aligned(acc, pl.int_range(acc.height, dtype=pl.Int64, eager=True).alias("kid"))
    )

    def attach(df: pl.DataFrame, cols: tuple[str, ...]) -> pl.DataFrame:
        """``kid`` (the account row of the row's pair, its first row) and account columns."""
        kid = index.kid(df.get_column("v_account_id"), df.get_column("v_season"))
        facts = acc.select(ACCOUNT_FACTS[c] for c in cols)[kid].get_columns() if cols else []
        return df.with_columns(aligned(df, c) for c in (kid, *facts))

    def unknown(what: str) -> Check:
        return (
            "account_id",
            pl.col("kid").is_null() & v("account_id").is_not_null() & v("season").is_not_null(),
            pl.format(
                "no account {} in season {} in the accounts table",
                pl.col("account_id"),
                pl.col("season"),
            ),
        )

    lap("accounts keys and rules")
    # ---------------------------------------------------------------- no_heat
    own_rows = v("account_id").is_not_null() & pl.col("station_id").is_null()
    nh = nh.with_columns(own_rows.alias("is_acct"))
    nh_acc = attach(nh.filter(pl.col("is_acct")), ("k_susp",))
    nh_acc, nh_acc_p2 = apply_checks(
        nh_acc,
        [
            unknown("no_heat"),
            (
                "account_id",
                pl.col("k_susp") > 0,
                str_lit("not accepted for a suspended season: there is no supply"),
            ),
        ],
    )
    nh_st = nh.filter(~pl.col("is_acct"))
    station_keys, st_code = _station_seasons(acc, nh_st.get_column("v_station_id"))
    acc = acc.with_columns(st_code)
    nh_st = nh_st.join(station_keys, on=["v_station_id", "v_season"], how="left")
    nh_st, nh_st_p2 = apply_checks(
        nh_st,
        [
            (
                "station_id",
                pl.col("st_known").is_null()
                & v("station_id").is_not_null()
                & v("season").is_not_null(),
                pl.format(
                    "no account of station {} in season {}", pl.col("station_id"), pl.col("season")
                ),
            )
        ],
    )
    nh_acc = nh_acc.with_columns(pl.lit(None, dtype=pl.Boolean).alias("st_known"))
    nh_st = nh_st.with_columns(pl.lit(None, dtype=pl.Int64).alias("kid"))

    # ---------------------------------------------------------------- temperature
    tp = attach(tp, ("k_susp", "k_res", "k_area"))
    tp = tp.join(seasons, left_on="v_season", right_on="season_year", how="left")
    tp = tp.with_columns(
        pl.col(LINE).min().over("kid", "v_room", "v_measured_at").alias("first_line")
    )
    inst = pl.concat(
        [
            tp.select("kid", LINE, pl.col("v_measured_at").alias("t")),
            tp.select("kid", LINE, pl.col("v_restored_at").alias("t")),
        ]
    ).filter(pl.col("kid").is_not_null() & pl.col("t").is_not_null())
    inst = inst.with_columns((pl.col("t") // cells.US_PER_DAY).alias("day"))
    per_day = inst.group_by("kid", "day").agg(pl.col("t").n_unique().alias("n_inst"))
    crowded = (
        inst.join(per_day, on=["kid", "day"])
        .join(tp.select("kid", LINE, "meas_per_day").unique(), on=["kid", LINE])
        .filter(pl.col("n_inst") > pl.col("meas_per_day"))
        .group_by("kid", LINE)
        .agg(pl.col("n_inst").max())
    )
    tp = tp.join(crowded, on=["kid", LINE], how="left")
    tp, tp_p2 = apply_checks(tp, [unknown("temperature"), *temperature_checks()])

    lap("no_heat and temperature")
    # ---------------------------------------------------------------- payments
    pm = attach(pm, ())
    pm, pm_p2 = apply_checks(pm, [unknown("payments"), *_season_paid_checks(pm)])

    lap("payments")
    # ---------------------------------------------------------------- the partial-facts rule
    nh_problems = pl.concat([nh_p1, nh_acc_p2, nh_st_p2])
    tp_problems = pl.concat([tp_p1, tp_p2])
    pm_problems = pl.concat([pm_p1, pm_p2])

    def culprits(df: pl.DataFrame, problems: pl.DataFrame, table: str) -> pl.DataFrame:
        bad = df.filter(pl.col("bad") & pl.col("kid").is_not_null()).select("kid", LINE)
        return (
            bad.join(problems, on=LINE)
            .sort(LINE)
            .group_by("kid", maintain_order=True)
            .first()
            .select(
                "kid",
                pl.format(
                    "{} line {} rejected ({})", str_lit(table), pl.col(LINE), pl.col("reason")
                ).alias("c"),
            )
        )

    parts = [
        culprits(nh_acc, nh_problems, "no_heat"),
        culprits(tp, tp_problems, "temperature"),
        culprits(pm, pm_problems, "payments"),
    ]
    st_bad = nh_st.filter(
        pl.col("bad") & pl.col("st_known").fill_null(False) & pl.col("account_id").is_null()
    )
    if st_bad.height:
        first_bad = (
            st_bad.select("v_station_id", "v_season", LINE)
            .join(nh_problems, on=LINE)
            .sort(LINE)
            .group_by("v_station_id", "v_season", maintain_order=True)
            .first()
        )
        parts.append(
            acc.select("kid", "v_station_id", "v_season", "v_suspension_kind")
            .filter(
                index.first_rows() & v("station_id").is_not_null() & v("suspension_kind").is_null()
            )
            .select("kid", "v_station_id", "v_season")
            .join(first_bad, on=["v_station_id", "v_season"])
            .select(
                "kid",
                pl.format(
                    "station {} no_heat line {} rejected ({})",
                    pl.col("v_station_id"),
                    pl.col(LINE),
                    pl.col("reason"),
                ).alias("c"),
            )
        )
    culprit = pl.concat(parts).group_by("kid").agg(pl.col("c").first())
    culprit_of = acc.select(
        pl.col("kid").replace_strict(
            culprit.get_column("kid"), culprit.get_column("c"), default=None, return_dtype=pl.String
        )
    ).to_series()
    acc = acc.with_columns(aligned(acc, culprit_of.alias("c")))
    acc, acc_p4 = apply_checks(
        acc,
        [
            (
                "account_id",
                pl.col("c").is_not_null(),
                pl.format("rejected with its facts: {}", pl.col("c")),
            )
        ],
    )
    acc_problems = pl.concat([acc_problems, acc_p4])
    # why each rejected account was rejected (for its event rows)
    bad_keys = (
        acc.filter(pl.col("bad") & keyed)
        .select("kid", LINE, "v_account_id", "v_season")
        .join(acc_problems, on=LINE)
        .select("v_account_id", "v_season", pl.col("reason").alias("key_why"))
        .unique(["v_account_id", "v_season"], keep="first")
    )
    # the row of each rejected pair that its event rows point at (its first row)
    bad_kids = index.kid(bad_keys.get_column("v_account_id"), bad_keys.get_column("v_season"))
    cascaded: dict[str, pl.DataFrame] = {}

    def cascade(df: pl.DataFrame, name: str) -> pl.DataFrame:
        if bad_keys.height == 0:
            cascaded[name] = pl.DataFrame(schema=PROBLEM_SCHEMA)
            return df
        df = with_aligned(
            df,
            pl.col("kid")
            .replace_strict(bad_kids, bad_keys.get_column("key_why"), default=None)
            .alias("key_why"),
        )
        df, cascaded[name] = apply_checks(
            df,
            [
                (
                    "account_id",
                    pl.col("key_why").is_not_null(),
                    pl.format(
                        "account {} {} is rejected: {}",
                        pl.col("account_id"),
                        pl.col("season"),
                        pl.col("key_why"),
                    ),
                )
            ],
        )
        return df

    nh_acc = cascade(nh_acc, "no_heat")
    tp = cascade(tp, "temperature")
    pm = cascade(pm, "payments")

    lap("partial facts")
    rejects = pl.concat(
        [
            _rejects(acc_problems, "accounts", accounts.source),
            _rejects(pl.concat([nh_problems, cascaded["no_heat"]]), "no_heat", no_heat.source),
            _rejects(
                pl.concat([tp_problems, cascaded["temperature"]]), "temperature", temperature.source
            ),
            _rejects(pl.concat([pm_problems, cascaded["payments"]]), "payments", payments.source),
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

    lap("rejects and counts")
    # ---------------------------------------------------------------- typed accepted rows
    accounts_t = _accepted(
        acc,
        pl.col("kid").alias("acct"),
        pl.col(LINE).alias("line"),
        pl.col("account_id"),
        pl.col("season"),
        v("season").alias("season_year"),
        (v("category") == "residential").alias("residential"),
        v("billing_area_m2").alias("area"),
        (v("billing") == "metered").fill_null(False).alias("metered"),
        v("metered_kwh").alias("kwh"),
        v("connected_on").alias("connected_on"),
        v("late_fee_rate").alias("late_fee_rate"),
        v("station_id").alias("station_id"),
        pl.col("st_code").alias("station_code"),
        v("supply_started_at").alias("supply_started_at"),
        v("supply_stopped_at").alias("supply_stopped_at"),
        v("waiver_kind").is_not_null().alias("waiver"),
        v("waiver_has_children").fill_null(False).alias("has_children"),
        v("suspension_kind")
        .replace_strict({"temporary": 1, "permanent": 2}, default=0, return_dtype=pl.Int8)
        .alias("suspension"),
        v("cutoff_from").alias("cutoff_from"),
        v("as_of").alias("as_of"),
    )
    own = _accepted(
        nh_acc,
        pl.col("kid").alias("acct"),
        pl.col(LINE).alias("line"),
        v("start").alias("start"),
        v("end").alias("end"),
        (v("cause") == "supplier").alias("supplier"),
    )
    st_good = _accepted(
        nh_st,
        v("station_id").alias("station_id"),
        pl.col("st_code").alias("station_code"),
        v("season").alias("season_year"),
        pl.col(LINE).alias("line"),
        v("start").alias("start"),
        v("end").alias("end"),
        (v("cause") == "supplier").alias("supplier"),
    )
    temp_t = _accepted(
        tp,
        pl.col("kid").alias("acct"),
        pl.col(LINE).alias("line"),
        v("room").alias("room"),
        v("room_area_m2").alias("room_area"),
        v("measured_at").alias("measured_at"),
        v("celsius").alias("celsius"),
        v("restored_at").alias("restored_at"),
        v("standard_celsius").alias("standard_celsius"),
        v("deemed_failure").fill_null(False).alias("deemed_failure"),
        v("user_fault").alias("user_fault"),
    )
    pay_t = _accepted(
        pm,
        pl.col("kid").alias("acct"),
        pl.col(LINE).alias("line"),
        v("date").alias("date"),
        v("amount").alias("amount"),
        in_line_order=False,
    )
    lap("typed columns")
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
