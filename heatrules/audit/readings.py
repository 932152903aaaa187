"""The closed vocabulary of difference classes and the alternative readings behind them.

``../shared/spec/audit.md``: a differing figure is re-derived under each alternative reading,
in the order of :data:`CLASSES`, each applied to the whole account; the first that reproduces
the claimed figure exactly names the class, else ``unexplained``. Every reading is a
:class:`~heatrules.policy.Policy` of the one engine — the rules are not copied here.

Readings that cannot move any figure of the account (a band shift without temperature records,
a waiver left out of an account without one, …) are not tried: they would give the legal bill,
which is already known to differ from the claim.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from ..case import Case
from ..citations import Citation
from ..errors import HeatrulesError
from ..lines import Bill
from ..money import fmt
from ..params import Parameters, ParamValue
from ..policy import Policy
from ..season import Season
from .claimed import FIGURE_CODES

CLASSES = (
    "daily_fee_rounded_first",
    "divisor_120",
    "divisor_supplied_days",
    "part_day_rounding",
    "temperature_band",
    "overlap_double_counted",
    "supplier_as_facility",
    "facility_as_supplier",
    "other_season_rule",
    "waiver_missing",
    "waiver_extra",
    "unexplained",
)
"""The difference classes, in the order the readings are tried (``unexplained`` last)."""


_REFUND_MOVES = frozenset(
    {
        "refunds",
        "refund_supplier_outage",
        "refund_facility_outage",
        "refund_temperature",
        "waivers",  # the waiver covers what remains after refunds
        "waiver_cadre_widow",
        "balance",
    }
)
_WAIVER_MOVES = frozenset(
    {"waivers", "waiver_cadre_widow", "late_fees", "fee_late_payment", "balance"}
)
MOVES: dict[str, frozenset[str] | None] = {
    "daily_fee_rounded_first": _REFUND_MOVES,
    "divisor_120": _REFUND_MOVES,
    "divisor_supplied_days": _REFUND_MOVES,
    "part_day_rounding": _REFUND_MOVES,
    "temperature_band": _REFUND_MOVES,
    "overlap_double_counted": _REFUND_MOVES,
    "supplier_as_facility": _REFUND_MOVES,
    "facility_as_supplier": _REFUND_MOVES,
    "other_season_rule": None,  # every figure
    "waiver_missing": _WAIVER_MOVES,
    "waiver_extra": _WAIVER_MOVES,
}
"""The figures a reading can move (None: all). A refund reading changes the daily fee or the
days — so refunds, the waiver that covers what remains, and the balance; the late fee is owed
on the fee at the due date, refunds not deducted (rules.md §7). A waiver reading changes the
waiver, the late fee (owed less the waiver) and the balance. Readings are not computed for the
figures they cannot move: that only saves time, the first reproducing reading is the same."""


@dataclass(frozen=True)
class Reading:
    """One alternative reading: the class it names and the policy that computes it."""

    klass: str
    policy: Policy

    def can_move(self, figure: str) -> bool:
        moves = MOVES[self.klass]
        return moves is None or figure in moves


class RecordingParameters(Parameters):
    """Parameters that remember the names looked up (which values a bill depends on)."""

    def __init__(self, base: Parameters) -> None:
        super().__init__(base.params, base.documents, base.version, base.note, base.source)
        self.used: set[str] = set()

    def in_force(self, name: str, season: Season) -> ParamValue:
        self.used.add(name)
        return super().in_force(name, season)


@dataclass(frozen=True)
class Facts:
    """What decides which readings can move an account's figures (its case's counts).

    ``outages`` counts the no-heat rows (the account's own and, unless it is suspended, its
    station's) and the supply facts (``supply_rows``: a late start, an early stop);
    ``supplier_rows`` / ``facility_rows``: a no-heat row of that cause.
    """

    outages: int
    supply_rows: int
    supplier_rows: bool
    facility_rows: bool
    temperature: int
    connected_or_cut: bool
    waiver: bool
    residential: bool

    @classmethod
    def of(cls, case: Case) -> Facts:
        supply = case.supply
        supply_rows = int(supply is not None and supply.started_at is not None) + int(
            supply is not None and supply.stopped_at is not None
        )
        return cls(
            outages=len(case.no_heat) + supply_rows,
            supply_rows=supply_rows,
            supplier_rows=any(nh.cause == "supplier" for nh in case.no_heat),
            facility_rows=any(nh.cause == "facility" for nh in case.no_heat),
            temperature=len(case.temperature),
            connected_or_cut=case.account.connected_on is not None or case.cutoff_from is not None,
            waiver=case.waiver is not None,
            residential=case.account.category == "residential",
        )


def rule_readings(facts: Facts) -> list[Reading]:
    """The readings before ``other_season_rule`` that can move a figure, in CLASSES order."""
    out: list[Reading] = []
    if facts.outages > 0 or facts.temperature:
        out.append(Reading("daily_fee_rounded_first", Policy(daily_fee_rounded_first=True)))
        out.append(Reading("divisor_120", Policy(divisor="fixed_120")))
        if facts.connected_or_cut:
            out.append(Reading("divisor_supplied_days", Policy(divisor="supplied_days")))
        out.append(Reading("part_day_rounding", Policy(part_day_flipped=True)))
    if facts.temperature:
        out.append(Reading("temperature_band", Policy(band_shift=1)))
        out.append(Reading("temperature_band", Policy(band_shift=-1)))
    if facts.outages > 1:
        out.append(Reading("overlap_double_counted", Policy(overlap_double_counted=True)))
    if facts.supply_rows or facts.supplier_rows:
        out.append(Reading("supplier_as_facility", Policy(cause_swap="supplier_as_facility")))
    if facts.facility_rows:
        out.append(Reading("facility_as_supplier", Policy(cause_swap="facility_as_supplier")))
    return out


def waiver_readings(facts: Facts) -> list[Reading]:
    """The waiver readings (after ``other_season_rule``) that can move a figure."""
    if facts.waiver:
        return [Reading("waiver_missing", Policy(waiver="missing"))]
    if facts.residential:
        return [Reading("waiver_extra", Policy(waiver="extra_with_children"))]
    return []


def readings(
    case: Case, params: Parameters, used: frozenset[str] | None = None
) -> Iterator[Reading]:
    """The alternative readings that can move a figure of ``case``, in the order of CLASSES.

    ``used`` names the parameters the legal bill looked up (see :class:`RecordingParameters`);
    seasons that agree with the account's on all of them are not tried.
    """
    facts = Facts.of(case)
    yield from rule_readings(facts)
    for season in other_seasons(case.season, params, used):
        yield Reading("other_season_rule", Policy(params_season=season))
    yield from waiver_readings(facts)


def season_names(
    params: Parameters, *, metered: bool, suspended: bool, waiver: bool
) -> frozenset[str]:
    """The parameters an account's bill can depend on, by its kind (for :func:`other_seasons`).

    Every parameter but the hardship subsidies (never on a bill), the metered prices unless
    the account is metered, the suspension rates unless it is suspended and the widow waiver
    unless it has one. This is a superset of the names its legal bill looks up (what
    :class:`RecordingParameters` records), so the seasons it keeps include every season kept on
    those names, nearest first; a season kept only here computes the same bill as a nearer
    kept season (it agrees with it on every name the bill looks up), so the first season that
    reproduces a figure is the same.
    """
    out = set()
    for name in params.params:
        if name.startswith("subsidy."):
            continue
        if name.startswith("tariff.metered.") and not metered:
            continue
        if name.startswith("suspension.") and not suspended:
            continue
        if name.startswith("waiver.") and not waiver:
            continue
        out.add(name)
    return frozenset(out)


def other_seasons(
    season: Season, params: Parameters, used: frozenset[str] | None = None
) -> list[Season]:
    """Seasons whose parameters differ from ``season``'s, nearest first (the earlier on a tie).

    From the earliest season of the parameter data (2003-2004) to the latest season in which a
    value changes. Seasons are compared on the parameters ``used`` (all when None); of seasons
    that agree on them only the nearest is kept — it is the one an audit names, and the others
    would compute the same bill.
    """
    names = tuple(sorted(used if used is not None else params.params))
    return list(_other_seasons(season, params, names))


@lru_cache(maxsize=1024)
def _other_seasons(
    season: Season, params: Parameters, names: tuple[str, ...]
) -> tuple[Season, ...]:
    starts = [pv.from_season.start_year for p in params.params.values() for pv in p.values]
    first, last = min(starts), max(max(starts), season.start_year)
    years = sorted(range(first, last + 1), key=lambda y: (abs(y - season.start_year), y))
    seen = {_signature(season, params, names)}
    out = []
    for y in years:
        sig = _signature(Season(y), params, names)
        if sig not in seen:
            seen.add(sig)
            out.append(Season(y))
    return tuple(out)


@lru_cache(maxsize=8192)
def _signature(season: Season, params: Parameters, names: tuple[str, ...]) -> tuple[int, ...]:
    sig = []
    for name in names:
        try:
            sig.append(id(params.in_force(name, season)))
        except HeatrulesError:
            sig.append(0)
    return tuple(sig)


# ------------------------------------------------------------------------- explanations
FIGURE_LABELS_ZH = {
    "charges": "应收合计",
    "refunds": "退费合计",
    "waivers": "减免合计",
    "late_fees": "违约金合计",
    "payments": "已缴合计",
    "balance": "余额",
    "tariff_area": "面积计费采暖费",
    "tariff_metered_base": "计量基本热费",
    "tariff_metered_energy": "计量热量热费",
    "fee_suspension_compensation": "报停热能损耗补偿费",
    "fee_late_payment": "违约金",
    "fee_cutoff_compensation": "欠费停热补偿费",
    "refund_supplier_outage": "供热单位原因停热退费",
    "refund_facility_outage": "设施故障或外部原因停热退费",
    "refund_temperature": "室温不达标退费",
    "waiver_cadre_widow": "离休干部遗孀减免",
    "payment": "缴费",
}

_RULES_ROUNDING = Citation("HR", "rules.md §2", "日采暖费保持精确，每项金额只四舍五入一次")
_RULES_UNION = Citation(
    "HR", "rules.md §4.1", "重叠或相接的停热时段合并为连续停热，重复时段只计一次"
)
_RULES_BILL = Citation("HR", "rules.md §8", "账单由各项金额组成，合计为各项舍入后金额之和")


@lru_cache(maxsize=4096)
def _reading_text(reading: Reading, season: Season, params: Parameters) -> tuple[str, str]:
    """What the company did under ``reading`` and what the rules say, zh and en."""
    p = reading.policy
    k = reading.klass
    n = params.period(season).days
    if k == "daily_fee_rounded_first":
        return (
            "先把日采暖费四舍五入到分再相乘；按规定日采暖费（采暖费 ÷ N）保持精确，每项金额只舍入一次",
            "the daily fee was rounded to the fen before it was multiplied; the rules keep the "
            "daily fee (fee / N) exact and round each line once",
        )
    if k == "divisor_120":
        return (
            f"按固定 {p.fixed_season_days} 天的供热期计算日采暖费；法定供热期为 11月15日至次年3月15日，"
            f"本季 N = {n} 天",
            f"the daily fee was divided by a fixed {p.fixed_season_days}-day season; the "
            f"statutory season (15 Nov - 15 Mar) of {season} has N = {n} days",
        )
    if k == "divisor_supplied_days":
        return (
            f"按本户实际供热天数而非法定天数 N = {n} 计算日采暖费",
            f"the daily fee was divided by the days of the account's supplied season instead "
            f"of N = {n}",
        )
    if k == "part_day_rounding":
        return (
            "不足24小时的部分天数按相反规则计算；按规定供热单位原因不足24小时按1天计，"
            "设施故障、外部原因和室温不达标不足24小时不计",
            "part days were counted the other way; the rules count a supplier part day as one "
            "and do not count part days of facility or external outages and temperature records",
        )
    if k == "temperature_band":
        if p.band_shift > 0:
            return (
                "室温不达标退费比例按高一档计算（10% → 50% → 100%）",
                "every temperature record was refunded one band higher (10 -> 50 -> 100 %)",
            )
        return (
            "室温不达标退费比例按低一档计算",
            "every temperature record was refunded one band lower",
        )
    if k == "overlap_double_counted":
        return (
            "重叠的停热记录各自单独计算、时长相加；按规定应先合并为连续停热，重复时段只计一次",
            "each no-heat row was counted on its own (overlapping hours counted twice); the "
            "rules unite overlapping rows into one continuous outage",
        )
    if k == "supplier_as_facility":
        return (
            "供热单位原因的停热按设施故障计算（单倍退费、不足24小时不计）；按规定应双倍退费、不足24小时按1天计",
            "supplier-caused outages were refunded as facility outages (single, part days not "
            "counted); the rules refund them double with a part day counted as one",
        )
    if k == "facility_as_supplier":
        return (
            "设施故障停热按供热单位原因计算（双倍退费、不足24小时按1天）；按规定应单倍退费、不足24小时不计",
            "facility outages were refunded as supplier-caused (double, part day as one); the "
            "rules refund them once with part days not counted",
        )
    if k == "other_season_rule":
        return (
            f"按 {p.params_season} 供热期的规则参数（价格、比例、减免额等）计算；本户为 {season} 供热期",
            f"the parameters (prices, rates, waiver amounts) of season {p.params_season} were "
            f"applied to a {season} account",
        )
    if k == "waiver_missing":
        return (
            "未计入本户的离休干部遗孀减免",
            "the account's retired-cadre widow waiver was left out",
        )
    return (
        "对没有减免资格的账户计入了离休干部遗孀（有子女）减免",
        "a retired-cadre widow waiver (with children) was applied to an account that has none",
    )


LegalLines = Sequence[tuple[str, Citation]]
"""The legal bill's lines as (line code, citation), in bill order (:func:`bill_lines`)."""


def bill_lines(bill: Bill) -> list[tuple[str, Citation]]:
    """A bill's lines as :data:`LegalLines`."""
    return [(line.code, line.citation) for line in bill.lines]


@lru_cache(maxsize=4096)
def _rule_citation(klass: str, season: Season, params: Parameters) -> Citation | None:
    """The citation of a reading's class that does not depend on the bill (None: it does)."""
    if klass == "daily_fee_rounded_first":
        return _RULES_ROUNDING
    if klass in ("divisor_120", "divisor_supplied_days"):
        return params.citation("season.first_day", season)
    if klass == "part_day_rounding":
        return params.citation("refund.supplier.part_day", season).join(
            params.citation("refund.other.part_day", season)
        )
    if klass == "temperature_band":
        return params.citation("temperature.bands", season)
    if klass == "overlap_double_counted":
        return _RULES_UNION
    if klass in ("supplier_as_facility", "facility_as_supplier"):
        return params.citation("refund.supplier.multiplier", season).join(
            params.citation("refund.other.multiplier", season)
        )
    return None


def _reading_citation(
    reading: Reading, season: Season, params: Parameters, legal: LegalLines, figure: str
) -> Citation:
    k = reading.klass
    rule = _rule_citation(k, season, params)
    if rule is not None:
        return rule
    if k in ("waiver_missing", "waiver_extra"):
        for code, citation in legal:
            if code == "waiver.cadre_widow":
                return citation
        try:
            return params.citation("waiver.cadre_widow.with_children", season)
        except HeatrulesError:
            return _RULES_BILL
    return figure_citation(legal, figure)


def needs_legal_lines(klass: str | None) -> bool:
    """Whether the explanation of a difference of this class cites the legal bill's lines."""
    return klass is None or klass in ("other_season_rule", "waiver_missing", "waiver_extra")


def figure_citation(legal: Bill | LegalLines, figure: str) -> Citation:
    """The citations of the legal bill's lines that make up ``figure``, joined."""
    lines = bill_lines(legal) if isinstance(legal, Bill) else legal
    codes = FIGURE_CODES[figure]
    seen: list[Citation] = []
    for code, citation in lines:
        if code in codes and citation not in seen and code != "payment":
            seen.append(citation)
    if not seen:
        return _RULES_BILL
    out = seen[0]
    for c in seen[1:3]:
        out = out.join(c)
    return out


def explain(
    reading: Reading | None,
    figure: str,
    claimed: Decimal,
    expected: Decimal,
    season: Season,
    params: Parameters,
    legal: LegalLines,
) -> tuple[str, str, str]:
    """``(explanation_zh, explanation_en, citation)`` of one differing figure.

    ``legal`` (the legal bill's lines and their citations) is read only for the classes of
    :func:`needs_legal_lines`; the others may pass an empty sequence.
    """
    label = FIGURE_LABELS_ZH.get(figure, figure)
    c, e, diff = fmt(claimed), fmt(expected), fmt(claimed - expected)
    head_zh = f"{label}：公司 {c} 元，按规定 {e} 元，差 {diff} 元。"
    head_en = f"{figure}: claimed {c}, expected {e} (difference {diff})."
    if reading is None:
        return (
            head_zh + "以上各种已知的其他解读都不能得出公司的结果，原因不明。",
            head_en + " None of the known alternative readings reproduces the claimed figure.",
            str(figure_citation(legal, figure)),
        )
    zh, en = _reading_text(reading, season, params)
    rule = _rule_citation_text(reading.klass, season, params)
    return (
        head_zh + f"公司的结果可由以下解读得出：{zh}。",
        head_en + f" The claimed figure is reproduced when {en}.",
        rule
        if rule is not None
        else str(_reading_citation(reading, season, params, legal, figure)),
    )


@lru_cache(maxsize=4096)
def _rule_citation_text(klass: str, season: Season, params: Parameters) -> str | None:
    rule = _rule_citation(klass, season, params)
    return None if rule is None else str(rule)
