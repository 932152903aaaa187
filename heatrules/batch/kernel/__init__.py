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

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from ..seasonparams import LATE_RATE_SCALE, PRICE_SCALE, RATE_SCALE, US_PER_DAY

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


class _Clock:
    """Seconds per kernel stage, for the benchmark's profile."""

    def __init__(self, sink: dict[str, float] | None) -> None:
        self.sink = sink
        self.t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        if self.sink is not None:
            self.sink[name] = self.sink.get(name, 0.0) + now - self.t
        self.t = now


@dataclass
class KernelResult:
    """Per-account figures (``bills``: fen per code and totals) and optionally the lines."""

    bills: pl.DataFrame
    lines: pl.DataFrame | None


_ACCOUNT_PARAMS = (
    "perm_rate",
    "cutoff_rate",
    "late_rate",
    "sup_mult",
    "oth_mult",
    "day_us",
    "widow_with",
    "first_day",
    "last_day",
    "n_days",
    "period_start",
    "period_end",
    "due_day",
)


def _accounts(accounts: pl.DataFrame, seasons: pl.DataFrame) -> pl.DataFrame:
    """Join the season parameters and derive F's price, N, the supplied season, the due date.

    The parameters are joined per (season, category), only those the kernel uses, so a city
    of millions of accounts carries a dozen parameter columns, not every parameter.
    """
    by_cat = pl.concat(
        [
            seasons.select(
                "season_year",
                pl.lit(res).alias("residential"),
                pl.col(f"price_area_{short}").alias("p_area"),
                pl.col(f"price_base_{short}").alias("p_base"),
                pl.col(f"price_energy_{short}").alias("p_energy"),
                pl.col(f"susp_rate_{short}").alias("susp_rate"),
                *_ACCOUNT_PARAMS,
            )
            for res, short in ((True, "res"), (False, "non"))
        ]
    )
    a = accounts.join(by_cat, on=["season_year", "residential"], how="left", maintain_order="left")
    conn = pl.when(pl.col("connected_on") > pl.col("first_day")).then(pl.col("connected_on"))
    cut = pl.when(pl.col("suspension") == 0).then(pl.col("cutoff_from"))
    return (
        a.with_columns(conn.alias("conn"), cut.alias("cut"))
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
    iv = (
        iv.with_columns(
            pl.max_horizontal("start", "s_us").alias("start"),
            pl.min_horizontal("end", "e_us").alias("end"),
        )
        .filter(pl.col("end") > pl.col("start"))
        .select("pid", "start", "end", "supplier")
        .sort("pid", "start")
    )
    schema = {"pid": pl.Int64, "comp": pl.Int64, "cs": pl.Int64, "ce": pl.Int64, "hs": pl.Int64}
    if iv.height == 0:
        return pl.DataFrame(schema=schema)
    pid = _np(iv, "pid")
    start = _np(iv, "start")
    end = _np(iv, "end")
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


def _days(hours_us: pl.Expr, day: pl.Expr, ceil: pl.Expr) -> pl.Expr:
    return pl.when(ceil).then(-((-hours_us) // day)).otherwise(hours_us // day)


class _Dense:
    """Dense positions of the accounts (row order of the billed accounts, i.e. input order).

    Events carry ``acct`` (the account's row key); ``pos`` maps them to the account's row, so
    per-account sums are ``numpy.add.at`` on int64 arrays (exact) and per-event account values
    are gathers — no hash joins on the hot path.
    """

    def __init__(self, acct: pl.Series) -> None:
        keys = acct.to_numpy()
        self.n = len(keys)
        size = int(keys.max()) + 1 if self.n else 0
        self.pos_of = np.full(size, -1, dtype=np.int64)
        self.pos_of[keys] = np.arange(self.n, dtype=np.int64)

    def pos(self, acct: pl.Series) -> np.ndarray:
        return self.pos_of[acct.to_numpy()] if len(acct) else np.zeros(0, dtype=np.int64)

    def sum(self, pos: np.ndarray, values: np.ndarray) -> np.ndarray:
        out = np.zeros(self.n, dtype=np.int64)
        np.add.at(out, pos, values.astype(np.int64, copy=False))
        return out


def _np(frame: pl.DataFrame, col: str, fill: int = 0) -> np.ndarray:
    """An int64 column as a numpy array with nulls filled (exact, never through floats)."""
    return frame.get_column(col).fill_null(fill).cast(pl.Int64).to_numpy()


def _rdiv_np(p: Any, q: Any) -> np.ndarray:
    """numpy twin of :func:`rdiv`: round p / q half-up (p ≥ 0, q > 0)."""
    out: np.ndarray = (2 * p + q) // (2 * q)
    return out


def _mul_rdiv_np(x: np.ndarray, y: np.ndarray, q: int) -> np.ndarray:
    """numpy twin of :func:`mul_rdiv`: round x·y / q half-up without forming x·y."""
    out: np.ndarray = (x // q) * y + _rdiv_np((x % q) * y, np.int64(q))
    return out


def _late_day_sum(
    dense: _Dense,
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


def _shared_wide(comps: pl.DataFrame, n_shared: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Supplier and other days of the shared profiles as [profile, outage] arrays (-1: no line)."""
    sh = comps.filter(pl.col("pid") < PROFILE_OWN)
    k = int(sh.get_column("comp").max()) + 1 if sh.height else 0  # type: ignore[arg-type]
    sd = np.full((max(n_shared, 1), max(k, 1)), -1, dtype=np.int64)
    od = np.full((max(n_shared, 1), max(k, 1)), -1, dtype=np.int64)
    if sh.height:
        pid = _np(sh, "pid")
        comp = _np(sh, "comp")
        sd[pid, comp] = np.where(_np(sh, "hs") > 0, _np(sh, "sdays"), -1)
        od[pid, comp] = np.where(_np(sh, "ho") > 0, _np(sh, "odays"), -1)
    return sd, od, k


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
    profile: dict[str, float] | None = None,
) -> KernelResult:
    """Bill every (validated) account; see the module docstring for the arithmetic.

    ``accounts`` must be in input order (its rows are the bills' rows); ``profile``, when
    given, receives the seconds spent in each stage.
    """
    clock = _Clock(profile)
    acc = _accounts(accounts, seasons)
    dense = _Dense(acc.get_column("acct"))
    n = dense.n
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
    clock.lap("charges")
    # ---------------------------------------------------------------- no-heat refunds (§4.1)
    iv, acct_pid, pid_season = _intervals(acc, own_no_heat, station_no_heat)
    clock.lap("no-heat: profiles")
    comps = (
        _outages(iv)
        .join(pid_season, on="pid")
        .join(seasons.select("season_year", "day_us", "sup_ceil", "oth_ceil"), on="season_year")
        .with_columns((pl.col("ce") - pl.col("cs") - pl.col("hs")).alias("ho"))
        .with_columns(
            _days(pl.col("hs"), pl.col("day_us"), pl.col("sup_ceil")).alias("sdays"),
            _days(pl.col("ho"), pl.col("day_us"), pl.col("oth_ceil")).alias("odays"),
        )
    )
    clock.lap("no-heat: outage union")
    ap_day = _np(acc, "ap_day")
    qn = _np(acc, "q_n", 1)
    m_sup = _np(acc, "sup_mult")
    m_oth = _np(acc, "oth_mult")
    pid = np.full(n, -1, dtype=np.int64)
    pid[dense.pos(acct_pid.get_column("acct"))] = _np(acct_pid, "pid")
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
        sup_sum[shared_at] += _np(sums, "s")
        oth_sum[shared_at] += _np(sums, "o")
    elif k_max and len(shared_at):
        for days_arr, mult, total, code in (
            (sd, m_sup, sup_sum, "refund.supplier_outage"),
            (od, m_oth, oth_sum, "refund.facility_outage"),
        ):
            d = days_arr[p_sh, :k_max]  # [account, outage] day counts, -1: no line
            rows, ks = np.nonzero(d >= 0)
            at = shared_at[rows]
            days = d[rows, ks]
            fen = _rdiv_np(ap_day[at] * mult[at] * days, qn[at])
            np.add.at(total, at, fen)
            long_parts.append(_nh_rows(at, ks, code, fen, days))
    clock.lap("no-heat: station lines")
    owned = acct_pid.filter(pl.col("pid") >= PROFILE_OWN).join(comps, on="pid")
    if owned.height:
        at = dense.pos(owned.get_column("acct"))
        comp = _np(owned, "comp")
        for days_col, has_col, mult, total, code in (
            ("sdays", "hs", m_sup, sup_sum, "refund.supplier_outage"),
            ("odays", "ho", m_oth, oth_sum, "refund.facility_outage"),
        ):
            has = _np(owned, has_col) > 0
            d = _np(owned, days_col)[has]
            a = at[has]
            fen = _rdiv_np(ap_day[a] * mult[a] * d, qn[a])
            np.add.at(total, a, fen)
            if with_lines:
                long_parts.append(_nh_rows(a, comp[has], code, fen, d))
    acc = acc.with_columns(
        pl.Series("refund_supplier_outage", sup_sum),
        pl.Series("refund_facility_outage", oth_sum),
    )
    clock.lap("no-heat: own lines")
    # ---------------------------------------------------------------- temperature (§4.2)
    tp = _temperature(temperature, acc, acct_pid, comps, bands, seasons)
    tp = tp.with_columns(pl.Series("pos", dense.pos(tp.get_column("acct"))))
    acc = acc.with_columns(
        pl.Series("refund_temperature", dense.sum(_np(tp, "pos"), _np(tp, "fen")))
    )
    clock.lap("temperature refunds")
    # ---------------------------------------------------------------- widow waiver (§5)
    zero = pl.lit(0, dtype=pl.Int64)
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
    clock.lap("widow waiver")
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
        pl.coalesce(pl.col("late_fee_rate"), pl.col("late_rate")).alias("rate"),
    )
    late = acc.get_column("late").to_numpy().astype(np.int64)
    pay_pos = dense.pos(payments.get_column("acct"))
    pay_amount = _np(payments, "amount")
    day_sum = _late_day_sum(
        dense,
        late,
        _np(acc, "first"),
        _np(acc, "last"),
        _np(acc, "owed"),
        pay_pos,
        _np(payments, "date"),
        pay_amount,
    )
    fee = _mul_rdiv_np(np.maximum(day_sum, 0), _np(acc, "rate"), LATE_RATE_SCALE)
    acc = acc.with_columns(
        pl.Series("_late", fee),
        pl.Series("_late_on", (late > 0) & (fee > 0)),
    ).with_columns(pl.when(pl.col("_late_on")).then(pl.col("_late")).alias("fee_late_payment"))
    clock.lap("late fee")
    # ---------------------------------------------------------------- payments
    acc = acc.with_columns(pl.Series("payment", dense.sum(pay_pos, pay_amount)))
    clock.lap("payments")
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
    bills = acc.select(
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
    clock.lap("totals")
    lines = None
    if with_lines:
        nh_long = pl.concat(long_parts) if long_parts else pl.DataFrame(schema=_NH_SCHEMA)
        lines = _lines(acc, nh_long, tp, payments.with_columns(pl.Series("pos", pay_pos)))
    clock.lap("lines")
    return KernelResult(bills, lines)


_NH_SCHEMA = {
    "pos": pl.Int64,
    "seq": pl.Int64,
    "code": pl.String,
    "fen": pl.Int64,
    "days": pl.Int64,
}


def _nh_rows(
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
        schema=_NH_SCHEMA,
    )


def _temperature(
    temperature: pl.DataFrame,
    acc: pl.DataFrame,
    acct_pid: pl.DataFrame,
    comps: pl.DataFrame,
    bands: pl.DataFrame,
    seasons: pl.DataFrame,
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
        ),
        on="acct",
    ).join(seasons.select("season_year", "trigger_us", "std_res", "deemed_rate"), on="season_year")
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
    acc: pl.DataFrame, nh: pl.DataFrame, tp: pl.DataFrame, payments: pl.DataFrame
) -> pl.DataFrame:
    """The long lines frame in bill order: pos, seq, code, fen (signed), kind, days, keys."""
    acc = acc.with_row_index("pos").with_columns(pl.col("pos").cast(pl.Int64))
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
                "pos",
                pl.lit(BLOCK[code] * SEQ_BLOCK + idx, dtype=pl.Int64).alias("seq"),
                pl.lit(code).alias("code"),
                (pl.col(c) * sign).alias("fen"),
                pl.lit(None, dtype=pl.String).alias("kind"),
                _line_days(code).cast(pl.Int64).alias("days"),
            )
        )
    nh = nh.select("pos", "seq", "code", "fen", pl.lit(None, dtype=pl.String).alias("kind"), "days")
    temp = tp.select(
        "pos",
        (4 * SEQ_BLOCK + pl.col("line")).alias("seq"),
        pl.lit("refund.temperature").alias("code"),
        (-pl.col("fen")).alias("fen"),
        pl.col("why").alias("kind"),
        pl.col("days"),
    )
    pay = payments.select(
        "pos",
        (7 * SEQ_BLOCK + pl.col("line")).alias("seq"),
        pl.lit("payment").alias("code"),
        (-pl.col("amount")).alias("fen"),
        pl.lit(None, dtype=pl.String).alias("kind"),
        pl.lit(None, dtype=pl.Int64).alias("days"),
    )
    lines = pl.concat([*one, nh, temp, pay], how="vertical_relaxed").sort("pos", "seq")
    at = lines.get_column("pos")
    keys = acc.select(
        "account_id", "season", "season_year", "residential", "suspension", "has_children"
    )
    lines = pl.concat([lines, keys[at]], how="horizontal")
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
