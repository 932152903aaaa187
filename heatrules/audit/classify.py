"""Classifying the differing figures on the batch engine (``../shared/spec/audit.md``).

Each differing figure is re-derived under the alternative readings of :mod:`.readings`, in the
order of :data:`~.readings.CLASSES`, each applied to the whole account; the first reading that
reproduces the claimed figure names its class, else ``unexplained``. The readings are
:class:`~heatrules.policy.Policy` switches, and the batch kernel computes any of them
(:mod:`heatrules.batch.kernel.policy`) — so instead of one scalar bill per account and
reading, the kernel bills the differing accounts together, once per reading:

* the accounts' validated rows, their stations' outages, records and payments are taken from
  the legal run's validation (no re-reading, no re-validation);
* a reading is computed for the accounts it can move a still-unexplained figure of (the
  readings an account's facts allow, :func:`~.readings.rule_readings`, and the figures of
  :data:`~.readings.MOVES`); a reading that applies to none of them is skipped, and a figure
  explained by an earlier reading is not compared again;
* ``other_season_rule``: each account tries the seasons of :func:`~.readings.other_seasons`
  (on :func:`~.readings.season_names` of its kind), nearest first. The accounts are billed
  once per other season under that season's parameters — validated under them first, as the
  scalar engine does, so an account with no rule in force there is not billed — and each figure
  takes the nearest season that reproduces it;
* an account the reading cannot bill (the scalar engine would raise) is not compared.

The explanations cite the legal bill's lines for ``unexplained``, ``other_season_rule`` and the
waiver classes; those come from one legal kernel run with lines on those accounts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, fields
from decimal import Decimal
from functools import lru_cache

import numpy as np
import polars as pl

from ..batch import kernel
from ..batch.convert import cases_from_tables
from ..batch.explain import citation
from ..batch.kernel.policy import Inputs, with_facility
from ..batch.readers import LINE, RawTable
from ..batch.validate import Validated, validate_tables
from ..citations import Citation
from ..engine import bill
from ..errors import HeatrulesError
from ..lines import TOTAL_NAMES, Bill
from ..money import fmt
from ..params import Parameters
from ..policy import Policy
from ..season import Season
from .claimed import LINE_FIGURES
from .readings import (
    Facts,
    Reading,
    explain,
    needs_legal_lines,
    other_seasons,
    rule_readings,
    season_names,
    waiver_readings,
)

CROSS_CHECK = 50
"""Differing accounts whose legal figures the scalar engine recomputes (:func:`cross_check`)."""


@dataclass
class Classified:
    """Per differing figure (row of the compared long frame): the reading that reproduces the
    claimed figure (None: unexplained), and the explanation."""

    readings: list[Reading | None]
    texts: list[tuple[str, str, str]]
    stations: list[str | None]
    found: np.ndarray
    """Whether the row's account was among the billed accounts (else it was not classified)."""
    raw: dict[str, RawTable]
    """The raw rows (text cells) of the classified accounts, per table."""


class _Rows:
    """The differing figures as arrays: account index, figure, claimed fen, matched reading."""

    def __init__(self, ai: np.ndarray, fig: np.ndarray, claimed: np.ndarray, figures: list[str]):
        self.ai = ai
        self.fig = fig
        self.claimed = claimed
        self.figures = figures
        self.match = np.full(len(ai), -1, dtype=np.int64)
        self.tried: list[Reading] = []

    def open(self, reading: Reading) -> np.ndarray:
        """Rows not yet explained whose figure ``reading`` can move."""
        movable = np.array([reading.can_move(f) for f in self.figures], dtype=bool)
        out: np.ndarray = (self.match < 0) & (self.ai >= 0) & movable[self.fig]
        return out


def _subset(ins: Inputs, lines: np.ndarray) -> Inputs:
    """The inputs of the accounts whose (accounts table) line is in ``lines``."""
    acc = ins.accounts.filter(pl.col("line").is_in(pl.Series(lines).implode()))
    keep = acc.select("acct")
    stations = acc.select("station_id", "season_year").drop_nulls().unique()
    return Inputs(
        acc,
        ins.own_no_heat.join(keep, on="acct", how="semi"),
        ins.station_no_heat.join(stations, on=["station_id", "season_year"], how="semi"),
        ins.temperature.join(keep, on="acct", how="semi"),
        ins.payments.join(keep, on="acct", how="semi"),
        ins.seasons,
        ins.bands,
    )


def _raw_subset(
    tables: dict[str, RawTable], ins: Inputs
) -> tuple[RawTable, RawTable, RawTable, RawTable]:
    """The raw rows (text cells) of the inputs' rows, per table, for a re-validation."""

    def pick(name: str, lines: pl.Series) -> RawTable:
        raw = tables[name]
        return RawTable(raw.name, raw.source, raw.frame.filter(pl.col(LINE).is_in(lines.implode())))

    nh = pl.concat(
        [ins.own_no_heat.get_column("line"), ins.station_no_heat.get_column("line")]
    ).drop_nulls()
    return (
        pick("accounts", ins.accounts.get_column("line")),
        pick("no_heat", nh),
        pick("temperature", ins.temperature.get_column("line")),
        pick("payments", ins.payments.get_column("line")),
    )


def _bill(
    ins: Inputs, policy: Policy, params: Parameters, *, with_lines: bool = False
) -> kernel.KernelResult:
    return kernel.run(
        ins.accounts,
        ins.own_no_heat,
        ins.station_no_heat,
        ins.temperature,
        ins.payments,
        ins.seasons,
        ins.bands,
        with_lines=with_lines,
        policy=policy,
        params=params,
    )


def _facts(ins: Inputs) -> pl.DataFrame:
    """Per account (in accounts order): the :class:`~.readings.Facts` columns and its kind."""
    own = ins.own_no_heat.group_by("acct").agg(
        pl.len().alias("n_own"),
        pl.col("supplier").any().alias("own_sup"),
        pl.col("facility").any().alias("own_fac"),
    )
    st = ins.station_no_heat.group_by("station_id", "season_year").agg(
        pl.len().alias("n_st"),
        pl.col("supplier").any().alias("st_sup"),
        pl.col("facility").any().alias("st_fac"),
    )
    tp = ins.temperature.group_by("acct").agg(pl.len().alias("n_temp"))
    live = pl.col("suspension") == 0
    a = (
        ins.accounts.join(own, on="acct", how="left", maintain_order="left")
        .join(st, on=["station_id", "season_year"], how="left", maintain_order="left")
        .join(tp, on="acct", how="left", maintain_order="left")
    )
    station = live & pl.col("n_st").is_not_null()  # a suspended account has no station outages
    supply_rows = pl.col("supply_started_at").is_not_null().cast(pl.Int64) + pl.col(
        "supply_stopped_at"
    ).is_not_null().cast(pl.Int64)
    return a.select(
        "line",
        "season_year",
        "station_id",
        (
            pl.col("n_own").fill_null(0)
            + pl.when(station).then(pl.col("n_st")).otherwise(0)
            + supply_rows
        ).alias("outages"),
        supply_rows.alias("supply_rows"),
        (pl.col("own_sup").fill_null(False) | (station & pl.col("st_sup").fill_null(False))).alias(
            "supplier_rows"
        ),
        (pl.col("own_fac").fill_null(False) | (station & pl.col("st_fac").fill_null(False))).alias(
            "facility_rows"
        ),
        pl.col("n_temp").fill_null(0).alias("temperature"),
        (pl.col("connected_on").is_not_null() | pl.col("cutoff_from").is_not_null()).alias(
            "connected_or_cut"
        ),
        "waiver",
        "residential",
        "metered",
        (pl.col("suspension") > 0).alias("suspended"),
    )


def classify(
    long: pl.DataFrame,
    figures: list[str],
    v: Validated,
    tables: dict[str, RawTable],
    params: Parameters,
    profile: dict[str, float] | None = None,
) -> Classified:
    """Classify the differing figures ``long`` (``account_id, season, __fig, claimed,
    expected``: fen, one row per differing figure, in report order) of the accounts billed in
    the validation ``v`` of the raw ``tables``. ``profile`` receives seconds per stage."""
    clock = [time.perf_counter()]

    def lap(name: str) -> None:
        now = time.perf_counter()
        if profile is not None:
            profile[name] = profile.get(name, 0.0) + now - clock[0]
        clock[0] = now

    keys = long.select("account_id", "season").unique()
    accounts = v.accounts.join(keys, on=["account_id", "season"], how="semi", maintain_order="left")
    nh_raw = tables["no_heat"].frame
    sub = _subset(
        Inputs(
            accounts,
            with_facility(
                v.own_no_heat.join(accounts.select("acct"), on="acct", how="semi"), nh_raw
            ),
            with_facility(v.station_no_heat, nh_raw),
            v.temperature,
            v.payments,
            v.seasons,
            v.bands,
        ),
        accounts.get_column("line").to_numpy(),
    )
    raw_sub = {t.name: t for t in _raw_subset(tables, sub)}  # once: the tables are large
    facts = _facts(sub)
    acc_line = facts.get_column("line").to_numpy()
    joined = long.join(
        sub.accounts.select(
            "account_id", "season", pl.int_range(pl.len(), dtype=pl.Int64).alias("__ai")
        ),
        on=["account_id", "season"],
        how="left",
        maintain_order="left",
    )
    rows = _Rows(
        joined.get_column("__ai").fill_null(-1).to_numpy(),
        joined.get_column("__fig").to_numpy(),
        joined.get_column("claimed").to_numpy(),
        figures,
    )
    kinds: dict[Facts, int] = {}  # accounts share a few distinct facts: readings per kind
    kind = np.array(
        [kinds.setdefault(Facts(*r), len(kinds)) for r in facts.select(_FACT_FIELDS).iter_rows()],
        dtype=np.int64,
    )
    lap("classify: subset")

    def compare(result: kernel.KernelResult, mask: np.ndarray) -> np.ndarray:
        """The rows of ``mask`` whose claimed figure the reading's bills reproduce (rows of
        accounts the reading did not bill never do)."""
        at = np.flatnonzero(mask)
        b_line = result.bills.get_column("line").to_numpy()
        if len(b_line) == 0 or len(at) == 0:
            return at[:0]
        order = np.argsort(b_line)
        want = acc_line[rows.ai[at]]
        pos = np.minimum(np.searchsorted(b_line[order], want), len(order) - 1)
        brow = order[pos]
        billed = b_line[brow] == want
        hit = np.zeros(len(at), dtype=bool)
        fig = rows.fig[at]
        for f in np.unique(fig):
            sel = billed & (fig == f)
            col = result.bills.get_column(figures[int(f)]).to_numpy()
            hit[sel] = col[brow[sel]] == rows.claimed[at[sel]]
        return at[hit]

    def run(reading: Reading, allowed: np.ndarray) -> None:
        """Bill the accounts ``allowed`` with an open figure ``reading`` can move; record the
        figures it reproduces."""
        mask = rows.open(reading)
        mask[mask] = allowed[rows.ai[mask]]
        if not mask.any():
            return  # the reading applies to none of the open figures
        ins = _subset(sub, acc_line[np.unique(rows.ai[mask])])
        hit = compare(_bill(ins, reading.policy, params), mask)
        rows.match[hit] = len(rows.tried)
        rows.tried.append(reading)
        lap(f"classify: {reading.klass}")

    def allowed(lists: list[list[Reading]], reading: Reading) -> np.ndarray:
        """The accounts whose facts allow ``reading`` (``lists``: the readings per kind)."""
        of_kind = np.array([reading in lst for lst in lists], dtype=bool)
        out: np.ndarray = of_kind[kind]
        return out

    # ------------------------------------------------------------ the rules' readings
    rule_lists = [rule_readings(f) for f in kinds]
    for reading in rule_readings(_ALL_FACTS):
        run(reading, allowed(rule_lists, reading))

    # ------------------------------------------------------------ other_season_rule
    season_lists = [
        _seasons(y, params, m, s, w)
        for y, m, s, w in facts.select("season_year", "metered", "suspended", "waiver").iter_rows()
    ]
    open_rows = rows.open(Reading("other_season_rule", Policy()))
    none = np.iinfo(np.int64).max
    best = np.full(len(rows.ai), none, dtype=np.int64)  # rank of the nearest reproducing season
    candidates: dict[Season, list[int]] = {}
    for i in np.unique(rows.ai[open_rows]).tolist():
        for season in season_lists[i]:
            candidates.setdefault(season, []).append(i)
    for season, accs in sorted(candidates.items()):
        mask = open_rows & np.isin(rows.ai, accs)
        policy = Policy(params_season=season)
        ins = _subset(sub, acc_line[accs])
        # validated under that season's parameters first, as the scalar engine does
        vs = validate_tables(*_raw_subset(raw_sub, ins), policy.parameters(params))
        lap("classify: other_season_rule: validation")
        hit = compare(kernel.run_tables(vs, policy=policy, params=params), mask)
        rank = np.array([season_lists[i].index(season) for i in rows.ai[hit].tolist()])
        best[hit] = np.minimum(best[hit], rank.astype(np.int64))
        lap("classify: other_season_rule")
    seen: dict[Season, int] = {}
    for r in np.flatnonzero(best < none).tolist():
        season = season_lists[int(rows.ai[r])][int(best[r])]
        if season not in seen:
            seen[season] = len(rows.tried)
            rows.tried.append(Reading("other_season_rule", Policy(params_season=season)))
        rows.match[r] = seen[season]

    # ------------------------------------------------------------ the waiver readings
    waiver_lists = [waiver_readings(f) for f in kinds]
    for reading in (
        Reading("waiver_missing", Policy(waiver="missing")),
        Reading("waiver_extra", Policy(waiver="extra_with_children")),
    ):
        run(reading, allowed(waiver_lists, reading))

    # ------------------------------------------------------------ explanations
    matched: list[Reading | None] = [rows.tried[m] if m >= 0 else None for m in rows.match]
    cite = sorted(
        {
            int(i)
            for i, m in zip(rows.ai.tolist(), matched, strict=True)
            if i >= 0 and needs_legal_lines(m.klass if m is not None else None)
        }
    )
    legal = _legal_lines(sub, acc_line, cite, params)
    lap("classify: legal lines")
    years = facts.get_column("season_year").to_list()
    stations = facts.get_column("station_id").to_list()
    expected = joined.get_column("expected").to_list()
    claimed = rows.claimed.tolist()
    texts: list[tuple[str, str, str]] = []
    station_of: list[str | None] = []
    for r, (i, f, match) in enumerate(
        zip(rows.ai.tolist(), rows.fig.tolist(), matched, strict=True)
    ):
        if i < 0:
            texts.append(("", "", ""))
            station_of.append(None)
            continue
        texts.append(
            explain(
                match,
                figures[f],
                _yuan(claimed[r]),
                _yuan(expected[r]),
                Season(years[i]),
                params,
                legal.get(i, ()),
            )
        )
        station_of.append(stations[i])
    lap("classify: explanations")
    return Classified(matched, texts, station_of, rows.ai >= 0, raw_sub)


def _legal_lines(
    sub: Inputs, acc_line: np.ndarray, accs: list[int], params: Parameters
) -> dict[int, list[tuple[str, Citation]]]:
    """The legal bill's lines (code, citation) of the accounts ``accs`` (account indexes),
    from one legal kernel run with lines."""
    out: dict[int, list[tuple[str, Citation]]] = {}
    if not accs:
        return out
    res = _bill(_subset(sub, acc_line[accs]), Policy(), params, with_lines=True)
    assert res.lines is not None
    ai_of_line = {int(acc_line[i]): i for i in accs}
    ai_of_pos = [ai_of_line[int(x)] for x in res.bills.get_column("line").to_list()]
    for pos, code, key, year in res.lines.select(
        "pos", "code", "cite_key", "season_year"
    ).iter_rows():
        out.setdefault(ai_of_pos[pos], []).append((code, _citation(params, year, key)))
    return out


def cross_check(
    long: pl.DataFrame,
    figures: list[str],
    v: Validated,
    tables: dict[str, RawTable],
    params: Parameters,
    limit: int = CROSS_CHECK,
) -> list[str]:
    """The scalar engine's legal figures for the first ``limit`` differing accounts, against the
    batch engine's (``expected``): a note per figure where the engines disagree. ``tables``:
    raw rows holding those accounts' (e.g. :attr:`Classified.raw`)."""
    keys = long.select("account_id", "season").unique(maintain_order=True).head(limit)
    if keys.height == 0:
        return []
    accounts = v.accounts.join(keys, on=["account_id", "season"], how="semi", maintain_order="left")
    ins = _subset(
        Inputs(
            accounts,
            v.own_no_heat,
            v.station_no_heat,
            v.temperature,
            v.payments,
            v.seasons,
            v.bands,
        ),
        accounts.get_column("line").to_numpy(),
    )
    acc, nh, tp, pm = (t.frame.drop(LINE) for t in _raw_subset(tables, ins))
    notes: list[str] = []
    cases = {(c["account"]["id"], c["season"]): c for c in cases_from_tables(acc, nh, tp, pm)}
    wanted = long.join(keys, on=["account_id", "season"], how="semi", maintain_order="left")
    bills: dict[tuple[str, str], Bill | None] = {}
    for account_id, season, fig, expected in wanted.select(
        "account_id", "season", "__fig", "expected"
    ).iter_rows():
        key = (account_id, season)
        if key not in bills:
            try:
                bills[key] = bill(cases[key], params) if key in cases else None
            except (HeatrulesError, ArithmeticError):
                bills[key] = None
        legal = bills[key]
        figure = figures[fig]
        if legal is None:
            notes.append(f"{account_id} {season}: billed, but the scalar engine cannot bill it")
            continue
        scalar = figure_value(legal, figure)
        if scalar != _yuan(expected):
            notes.append(
                f"{account_id} {season} {figure}: batch {fmt(_yuan(expected))}, scalar {fmt(scalar)}"
            )
    return list(dict.fromkeys(notes))


def figure_value(b: Bill, figure: str) -> Decimal:
    """A figure of a bill in the bills naming: a total, or the signed sum of a line code."""
    if figure in TOTAL_NAMES:
        return b.totals.get(figure)
    return b.amount(LINE_FIGURES[figure])


def _yuan(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2) + Decimal("0.00")


_FACT_FIELDS = tuple(f.name for f in fields(Facts))
_ALL_FACTS = Facts(
    outages=2,
    supply_rows=1,
    supplier_rows=True,
    facility_rows=True,
    temperature=1,
    connected_or_cut=True,
    waiver=True,
    residential=True,
)
"""Facts under which every rule reading can move a figure: their order is the global order."""


@lru_cache(maxsize=256)
def _seasons(
    year: int, params: Parameters, metered: bool, suspended: bool, waiver: bool
) -> tuple[Season, ...]:
    """The other seasons an account of this season and kind tries, nearest first."""
    names = season_names(params, metered=metered, suspended=suspended, waiver=waiver)
    return tuple(other_seasons(Season(year), params, names))


@lru_cache(maxsize=4096)
def _citation(params: Parameters, year: int, key: str) -> Citation:
    return citation(params, Season(year), key)


__all__ = ["CROSS_CHECK", "Classified", "classify", "cross_check", "figure_value"]
