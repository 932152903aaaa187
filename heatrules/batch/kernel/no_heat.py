"""No-heat refunds: double per day for supplier-caused non-supply, single per full day otherwise.

The batch form of :mod:`heatrules.refunds.no_heat` — FEE art. 15 (REG art. 23) and FEE
art. 16; algorithm rules.md §4.1 [decision]. Intervals are clipped to each account's supplied
season, sorted, and merged with a running maximum of the end (a new continuous outage starts
where a start exceeds every earlier end); supplier hours are the length of the union of the
supplier intervals inside each outage (part day per ``refund.supplier.part_day``), the rest
are other hours (``refund.other.part_day``), days of ``refund.day_hours``. Accounts without
outages of their own share their station's outages: the union is computed once per *profile*
(station, season, supplied season) and joined to the accounts by gathering.

Each line is ``multiplier × days × d`` with the daily fee d = ``ref_num / ref_den`` fen of
:mod:`.context`. Under the internal switch ``no_union`` (:mod:`.policy`,
``overlap_double_counted``) every clipped interval is an outage of its own for the refunds
(:func:`_separate`); the temperature refunds still subtract the union (the returned outages).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from .arith import Dense, int_col, rdiv, rdiv_np
from .codes import SEQ_BLOCK

PROFILE_OWN = 1 << 40
"""Profile ids at or above this are one account's own; below, shared by a station's accounts."""


def _intervals(
    acc: pl.DataFrame, own: pl.DataFrame, station: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """No-heat intervals of every outage profile, and the account → profile map.

    A profile is either one account (it has no_heat rows or supply facts of its own) or a
    (station, season, supplied season) shared by the station's other accounts.
    """
    live = acc.select(
        "suspension",
        "acct",
        "station_id",
        "season_year",
        "s_us",
        "e_us",
        "period_start",
        "period_end",
        "supply_started_at",
        "supply_stopped_at",
    ).filter(pl.col("suspension") == 0)
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
    owners = own_iv.get_column("acct").unique()
    live = live.with_columns(pl.col("acct").is_in(owners.implode()).alias("has_own"))
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
        profiles, on=["station_id", "season_year", "s_us", "e_us"], maintain_order="left"
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
    pid_season = pl.concat(
        [profiles.select("pid", "season_year"), owned.select("pid", "season_year")]
    )
    return pl.concat([shared_iv, owned_iv]), acct_pid, pid_season


def _segmented_union(
    pid: np.ndarray, start: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Continuous-outage labels of intervals sorted by (pid, start): (is_first, running max end).

    An interval starts a new continuous outage when it is the first of its profile or starts
    after every earlier end of the profile (touching intervals merge: ``start <= max end``).
    The running maximum is segmented per profile by offsetting each profile's ends, exactly
    in int64 (profiles × span < 2⁶²), or by polars' windowed cum_max otherwise.
    """
    n = len(pid)
    first_of_pid = np.ones(n, dtype=bool)
    first_of_pid[1:] = pid[1:] != pid[:-1]
    g = np.cumsum(first_of_pid) - 1
    base = start[first_of_pid][g]
    rel = end - base
    span = int(rel.max()) + 1 if n else 1
    if n and int(g[-1]) < (1 << 62) // span:
        running = np.maximum.accumulate(g * span + rel) - g * span + base
    else:
        running = (
            pl.DataFrame({"g": g, "end": end})
            .select(pl.col("end").cum_max().over("g"))
            .get_column("end")
            .to_numpy()
        )
    new = first_of_pid.copy()
    new[1:] |= start[1:] > running[:-1]
    return new, running


def _outages(iv: pl.DataFrame) -> pl.DataFrame:
    """Continuous outages per profile: (pid, comp, cs, ce, hs) — rules.md §4.1 steps 1–3.

    Intervals are clipped to the supplied season (empty ones dropped), sorted and merged into
    continuous outages; ``hs`` is the length of the union of the supplier intervals inside
    each outage (every supplier piece lies inside exactly one outage).
    """
    iv = _clipped(iv)
    schema = {"pid": pl.Int64, "comp": pl.Int64, "cs": pl.Int64, "ce": pl.Int64, "hs": pl.Int64}
    if iv.height == 0:
        return pl.DataFrame(schema=schema)
    pid = int_col(iv, "pid")
    start = int_col(iv, "start")
    end = int_col(iv, "end")
    new, running = _segmented_union(pid, start, end)
    comp_global = np.cumsum(new) - 1
    heads = np.flatnonzero(new)
    last_rows = np.append(heads[1:] - 1, len(pid) - 1)
    head_pid = pid[heads]
    pid_first = np.append(True, head_pid[1:] != head_pid[:-1])
    first_comp_of_pid = comp_global[heads][pid_first][np.cumsum(pid_first) - 1]
    hs = np.zeros(len(heads), dtype=np.int64)
    sup = iv.get_column("supplier").to_numpy()
    if sup.any():
        sp_pid, sp_start, sp_end = pid[sup], start[sup], end[sup]
        sp_new, sp_running = _segmented_union(sp_pid, sp_start, sp_end)
        sp_heads = np.flatnonzero(sp_new)
        sp_last = np.append(sp_heads[1:] - 1, len(sp_pid) - 1)
        piece_len = sp_running[sp_last] - sp_start[sp_heads]
        outer = comp_global[sup][sp_heads]
        np.add.at(hs, outer, piece_len)
    return pl.DataFrame(
        {
            "pid": pid[heads],
            "comp": comp_global[heads] - first_comp_of_pid,
            "cs": start[heads],
            "ce": running[last_rows],
            "hs": hs,
        },
        schema=schema,
    )


def _clipped(iv: pl.DataFrame) -> pl.DataFrame:
    """The intervals clipped to the supplied season, empty ones dropped, sorted."""
    return (
        iv.with_columns(
            pl.max_horizontal("start", "s_us").alias("start"),
            pl.min_horizontal("end", "e_us").alias("end"),
        )
        .filter(pl.col("end") > pl.col("start"))
        .select("pid", "start", "end", "supplier")
        .sort("pid", "start", "end")
    )


def _separate(iv: pl.DataFrame) -> pl.DataFrame:
    """Every clipped interval an outage of its own (switch ``no_union``): its whole length is
    supplier hours for a supplier interval, else other hours. Same columns as :func:`_outages`."""
    iv = _clipped(iv)
    return iv.select(
        "pid",
        pl.int_range(pl.len(), dtype=pl.Int64).over("pid").alias("comp"),
        pl.col("start").alias("cs"),
        pl.col("end").alias("ce"),
        pl.when(pl.col("supplier"))
        .then(pl.col("end") - pl.col("start"))
        .otherwise(0)
        .cast(pl.Int64)
        .alias("hs"),
    )


def _days(hours_us: pl.Expr, day: pl.Expr, ceil: pl.Expr) -> pl.Expr:
    return pl.when(ceil).then(-((-hours_us) // day)).otherwise(hours_us // day)


def _shared_wide(comps: pl.DataFrame, n_shared: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Supplier and other days of the shared profiles as [profile, outage] arrays (-1: no line)."""
    sh = comps.filter(pl.col("pid") < PROFILE_OWN)
    k = int(sh.get_column("comp").max()) + 1 if sh.height else 0  # type: ignore[arg-type]
    sd = np.full((max(n_shared, 1), max(k, 1)), -1, dtype=np.int64)
    od = np.full((max(n_shared, 1), max(k, 1)), -1, dtype=np.int64)
    if sh.height:
        pid = int_col(sh, "pid")
        comp = int_col(sh, "comp")
        sd[pid, comp] = np.where(int_col(sh, "hs") > 0, int_col(sh, "sdays"), -1)
        od[pid, comp] = np.where(int_col(sh, "ho") > 0, int_col(sh, "odays"), -1)
    return sd, od, k


NH_SCHEMA = {
    "pos": pl.Int64,
    "seq": pl.Int64,
    "code": pl.String,
    "fen": pl.Int64,
    "days": pl.Int64,
}


def nh_rows(
    at: np.ndarray, comp: np.ndarray | int, code: str, fen: np.ndarray, days: np.ndarray
) -> pl.DataFrame:
    """Long rows of no-heat lines (for the lines output): seq orders them like the scalar bill."""
    offset = 0 if code == "refund.supplier_outage" else 1
    seq = 3 * SEQ_BLOCK + 2 * np.asarray(comp, dtype=np.int64) + offset
    return pl.DataFrame(
        {
            "pos": at.astype(np.int64),
            "seq": np.broadcast_to(seq, at.shape).astype(np.int64),
            "code": np.full(at.shape, code),
            "fen": -fen.astype(np.int64),
            "days": days.astype(np.int64),
        },
        schema=NH_SCHEMA,
    )


def no_heat_refunds(
    acc: pl.DataFrame,
    own_no_heat: pl.DataFrame,
    station_no_heat: pl.DataFrame,
    seasons: pl.DataFrame,
    dense: Dense,
    *,
    with_lines: bool,
    lap: Callable[[str], None],
    no_union: bool = False,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, list[pl.DataFrame]]:
    """``refund.supplier_outage`` and ``refund.facility_outage`` per account (fen, summed).

    Returns the accounts with both columns, the account → profile map, the continuous
    outages of every profile (``pid, comp, cs, ce, hs``; the temperature refunds subtract
    them) and, with ``with_lines``, the long rows of the per-outage lines. ``no_union``: each
    interval is refunded as an outage of its own (see the module docstring).
    """
    n = dense.n
    iv, acct_pid, pid_season = _intervals(acc, own_no_heat, station_no_heat)
    lap("no-heat: profiles")
    united = _outages(iv)
    comps = (
        (_separate(iv) if no_union else united)
        .join(pid_season, on="pid")
        .join(seasons.select("season_year", "day_us", "sup_ceil", "oth_ceil"), on="season_year")
        .with_columns((pl.col("ce") - pl.col("cs") - pl.col("hs")).alias("ho"))
        .with_columns(
            _days(pl.col("hs"), pl.col("day_us"), pl.col("sup_ceil")).alias("sdays"),
            _days(pl.col("ho"), pl.col("day_us"), pl.col("oth_ceil")).alias("odays"),
        )
    )
    lap("no-heat: outage union")
    ap_day = int_col(acc, "ref_num")  # the daily fee is ref_num / ref_den fen
    qn = int_col(acc, "ref_den", 1)
    m_sup = int_col(acc, "sup_mult")
    m_oth = int_col(acc, "oth_mult")
    pid = np.full(n, -1, dtype=np.int64)
    pid[dense.pos(acct_pid.get_column("acct"))] = int_col(acct_pid, "pid")
    shared_mask = (pid >= 0) & (pid < PROFILE_OWN)
    n_shared = int(pid[shared_mask].max()) + 1 if shared_mask.any() else 0
    sd, od, k_max = _shared_wide(comps, n_shared)
    sup_sum = np.zeros(n, dtype=np.int64)
    oth_sum = np.zeros(n, dtype=np.int64)
    shared_at = np.flatnonzero(shared_mask)
    p_sh = pid[shared_at]
    long_parts: list[pl.DataFrame] = []
    if k_max and len(shared_at) and not with_lines:
        # per-account sums over the profile's outages, k columns at a time, in polars (its
        # allocator reuses memory; expressions run on all cores)
        p_series = pl.Series("pid", p_sh)
        sh = pl.DataFrame(
            {
                "ap_s": ap_day[shared_at] * m_sup[shared_at],
                "ap_o": ap_day[shared_at] * m_oth[shared_at],
                "q": qn[shared_at],
            }
        ).with_columns(
            *[pl.Series(f"s{k}", sd[:, k]).gather(p_series) for k in range(k_max)],
            *[pl.Series(f"o{k}", od[:, k]).gather(p_series) for k in range(k_max)],
        )
        sums = sh.select(
            pl.sum_horizontal(
                [
                    pl.when(pl.col(f"s{k}") >= 0).then(
                        rdiv(pl.col("ap_s") * pl.col(f"s{k}"), pl.col("q"))
                    )
                    for k in range(k_max)
                ]
            ).alias("s"),
            pl.sum_horizontal(
                [
                    pl.when(pl.col(f"o{k}") >= 0).then(
                        rdiv(pl.col("ap_o") * pl.col(f"o{k}"), pl.col("q"))
                    )
                    for k in range(k_max)
                ]
            ).alias("o"),
        )
        sup_sum[shared_at] += int_col(sums, "s")
        oth_sum[shared_at] += int_col(sums, "o")
    elif k_max and len(shared_at):
        for days_arr, mult, total, code in (
            (sd, m_sup, sup_sum, "refund.supplier_outage"),
            (od, m_oth, oth_sum, "refund.facility_outage"),
        ):
            d = days_arr[p_sh, :k_max]  # [account, outage] day counts, -1: no line
            rows, ks = np.nonzero(d >= 0)
            at = shared_at[rows]
            days = d[rows, ks]
            fen = rdiv_np(ap_day[at] * mult[at] * days, qn[at])
            np.add.at(total, at, fen)
            long_parts.append(nh_rows(at, ks, code, fen, days))
    lap("no-heat: station lines")
    owned = acct_pid.filter(pl.col("pid") >= PROFILE_OWN).join(comps, on="pid")
    if owned.height:
        at = dense.pos(owned.get_column("acct"))
        comp = int_col(owned, "comp")
        for days_col, has_col, mult, total, code in (
            ("sdays", "hs", m_sup, sup_sum, "refund.supplier_outage"),
            ("odays", "ho", m_oth, oth_sum, "refund.facility_outage"),
        ):
            has = int_col(owned, has_col) > 0
            d = int_col(owned, days_col)[has]
            a = at[has]
            fen = rdiv_np(ap_day[a] * mult[a] * d, qn[a])
            np.add.at(total, a, fen)
            if with_lines:
                long_parts.append(nh_rows(a, comp[has], code, fen, d))
    acc = acc.with_columns(
        pl.Series("refund_supplier_outage", sup_sum),
        pl.Series("refund_facility_outage", oth_sum),
    )
    lap("no-heat: own lines")
    return acc, acct_pid, united, long_parts
