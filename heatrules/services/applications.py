"""Application checks: may a business office accept this application (items 1.1 … 6.2)?

An application names a catalogue item, the applicant (the account holder or an agent), the
documents presented and the facts the item's checks need (services.md). The decision is
accepted, or every missing document and every failed precondition, each with its check id and
citation. A fact a check needs but the application does not give fails that check ("not
established"): nothing is assumed in the applicant's favour. Dates and numbers come from the
parameter data (the 30 September deadline is ``suspension.apply_by``, the measuring hours are
``measurement.earliest``/``measurement.latest``, the standard is
``temperature.standard.residential``), never from this code.

>>> d = check_application({"item": "1.2", "documents": ["payment_card"],
...                        "facts": {"in_network": False}})
>>> d.accepted, [f.check for f in d.failed_checks]
(False, ['in_network'])
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError

from ..case import Category, SeasonField, Strict, TemperatureRecord
from ..caseio import errors_from_validation, format_loc
from ..citations import Citation
from ..errors import CaseError
from ..fields import Flag, LocalDate, Money, Text
from ..params import Parameters
from ..season import Season
from .catalogue import Applicant, Catalogue, ServiceItem
from .documents import DOCUMENTS, DocCode
from .files import read_data

FACTS = ("in_network", "in_warranty", "arrears", "city_office_approved", "measurement")
"""The closed set of fact names an application may give."""


def _not_negative(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError(f"{value} must not be negative (arrears are what the user still owes)")
    return value


def _owner_if_absent(value: Any) -> Any:
    return "owner" if value is None else value


def _empty_if_absent(value: Any) -> Any:
    return [] if value is None else value


def _no_facts_if_absent(value: Any) -> Any:
    return {} if value is None else value


class Facts(Strict):
    """What the office has established about the applicant; an absent fact is not established."""

    in_network: Flag | None = None
    in_warranty: Flag | None = None
    arrears: Annotated[Money, AfterValidator(_not_negative)] | None = None
    city_office_approved: Flag | None = None
    measurement: TemperatureRecord | None = None


class Application(Strict):
    """One application for one catalogue item (services.md, "Applications")."""

    item: Text
    applicant: Annotated[Applicant, BeforeValidator(_owner_if_absent)] = "owner"
    category: Category | None = None
    season: SeasonField | None = None
    applied_on: LocalDate | None = None
    documents: Annotated[list[DocCode], BeforeValidator(_empty_if_absent)] = Field(
        default_factory=list
    )
    facts: Annotated[Facts, BeforeValidator(_no_facts_if_absent)] = Field(default_factory=Facts)


@dataclass(frozen=True)
class FailedCheck:
    """A check the application failed: its id, citation and a message in Chinese and English."""

    check: str
    citation: Citation
    message_zh: str
    message_en: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "citation": self.citation.to_dict(),
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" else self.message_zh


@dataclass(frozen=True)
class Decision:
    """The decision on one application: accepted only when no check failed."""

    item: str
    accepted: bool
    missing_documents: tuple[str, ...]
    failed_checks: tuple[FailedCheck, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``heatrules apply --format json`` (services.md)."""
        return {
            "item": self.item,
            "accepted": self.accepted,
            "missing_documents": list(self.missing_documents),
            "failed_checks": [f.to_dict() for f in self.failed_checks],
        }


# ---------------------------------------------------------------------- the checks
@dataclass(frozen=True)
class _Ctx:
    app: Application
    item: ServiceItem
    catalogue: Catalogue
    params: Parameters

    @property
    def season(self) -> Season:
        assert self.app.season is not None  # guaranteed by the item's `needs`
        return self.app.season


_Failure = tuple[str, str] | None
"""``None`` when the check passes, else ``(message_zh, message_en)``."""


def _not_established(fact: str, zh: str) -> tuple[str, str]:
    return (
        f"未确认{zh}（facts.{fact} 未提供，未确认的事实视为不满足）",
        f"not established: facts.{fact} is not given (an absent fact fails its check)",
    )


def _missing(ctx: _Ctx) -> tuple[str, ...]:
    required = ctx.item.documents.for_applicant(ctx.app.applicant, ctx.app.category)
    presented = set(ctx.app.documents)
    return tuple(d for d in required if d not in presented)


def _documents_complete(ctx: _Ctx) -> _Failure:
    """Every document of the item's 运行要件 is presented (agent rules included; DUTY)."""
    missing = _missing(ctx)
    if not missing:
        return None
    zh = "、".join(f"{DOCUMENTS[d].zh}（{d}）" for d in missing)
    en = ", ".join(f"{d} ({DOCUMENTS[d].en})" for d in missing)
    return f"缺少运行要件：{zh}", f"missing documents: {en}"


def _in_network(ctx: _Ctx) -> _Failure:
    """Only a connected (在网) user's payment is accepted (DUTY 1.1, 1.2 step 2)."""
    value = ctx.app.facts.in_network
    if value is None:
        return _not_established("in_network", "是否为在网用户")
    if value:
        return None
    return (
        "用户不是在网用户，不予受理缴费业务",
        "the user is not connected to the network; the payment is not accepted",
    )


def _applied_by_deadline(ctx: _Ctx) -> _Failure:
    """Suspension and restoration are applied for by 30 September of the start year (SUS art. 3)."""
    month, day = ctx.params.value("suspension.apply_by", ctx.season)
    deadline = date(ctx.season.start_year, month, day)
    applied = ctx.app.applied_on
    assert applied is not None  # guaranteed by the item's `needs`
    if applied <= deadline:
        return None
    return (
        f"申请日期 {applied} 晚于 {ctx.season} 供热期的申请截止日 {deadline}",
        f"applied on {applied}, after {deadline}, the last day to apply for season {ctx.season}",
    )


def _not_in_warranty(ctx: _Ctx) -> _Failure:
    """No suspension while the heating installation is under warranty (WAR art. 40)."""
    seasons = ctx.params.value("suspension.warranty_seasons", ctx.season)
    value = ctx.app.facts.in_warranty
    if value is None:
        return _not_established("in_warranty", "供热设施是否在保修期内")
    if not value:
        return None
    return (
        f"供热设施仍在保修期内（{seasons}个采暖期），不予办理停热",
        f"the heating installation is still under its warranty ({seasons} heating seasons); "
        "it cannot be suspended",
    )


def _arrears_cleared(ctx: _Ctx) -> _Failure:
    """Restoration and transfer need the arrears cleared (SUS art. 6; REG art. 18)."""
    arrears = ctx.app.facts.arrears
    if arrears is None:
        return _not_established("arrears", "欠费情况")
    if arrears == 0:
        return None
    return (
        f"尚有欠费 {arrears} 元，须先结清",
        f"arrears of {arrears} yuan must be cleared first",
    )


def _residential_account(ctx: _Ctx) -> _Failure:
    """The retired-cadre widow waiver is for residential accounts only (DUTY 6.1; WID-08)."""
    if ctx.app.category == "residential":
        return None
    return (
        "离休干部遗孀采暖费减免仅适用于居民用户（category: non_residential）",
        "the retired-cadre widow waiver is for residential accounts only "
        "(category: non_residential)",
    )


def _city_office_approved(ctx: _Ctx) -> _Failure:
    """The waiver is granted once the retired-cadre bureau approved it (DUTY 6.1 steps 3-4)."""
    value = ctx.app.facts.city_office_approved
    if value is None:
        return _not_established("city_office_approved", "是否经市老干部局审批")
    if value:
        return None
    return (
        "未经市老干部局审批合格（经市供热办申报），不予减免",
        "not approved by the retired-cadre bureau (through the city heating office); no waiver",
    )


def _stamp(t: datetime) -> str:
    return t.isoformat(sep=" ", timespec="minutes" if not (t.second or t.microsecond) else "auto")


def _measurement_in_season(ctx: _Ctx) -> _Failure:
    """The measurement lies in the heating season applied for (REG art. 19)."""
    rec = ctx.app.facts.measurement
    if rec is None:
        return _not_established("measurement", "测温单")
    period = ctx.params.period(ctx.season)
    if period.contains(rec.measured_at):
        return None
    return (
        f"测温时间 {_stamp(rec.measured_at)} 不在 {ctx.season} 供热期"
        f"（{period.first_day}至{period.last_day}）内",
        f"measured at {_stamp(rec.measured_at)}, outside season {ctx.season} "
        f"({period.first_day} to {period.last_day})",
    )


def _measurement_time_of_day(ctx: _Ctx) -> _Failure:
    """Measurements are taken between the measuring hours, both ends included (MEAS)."""
    rec = ctx.app.facts.measurement
    if rec is None:
        return _not_established("measurement", "测温单")
    earliest = ctx.params.value("measurement.earliest", ctx.season)
    latest = ctx.params.value("measurement.latest", ctx.season)
    outside = [
        (name, t)
        for name, t in (("measured_at", rec.measured_at), ("restored_at", rec.restored_at))
        if t is not None and not earliest <= t.time() <= latest
    ]
    if not outside:
        return None
    window = f"{earliest:%H:%M}-{latest:%H:%M}"
    return (
        "测温时间不符合测温办法（"
        + window
        + "）："
        + "、".join(f"{name} {_stamp(t)}" for name, t in outside),
        f"outside the measuring hours {window}: "
        + ", ".join(f"{name} {_stamp(t)}" for name, t in outside),
    )


def _below_standard(ctx: _Ctx) -> _Failure:
    """A refund needs the temperature below its standard, 18.0 °C by default (REG art. 20; REF)."""
    rec = ctx.app.facts.measurement
    if rec is None:
        return _not_established("measurement", "测温单")
    if rec.deemed_failure:
        return None  # REF art. 5 note: deemed below the standard whatever the reading
    standard: Decimal = (
        rec.standard_celsius
        if rec.standard_celsius is not None
        else ctx.params.value("temperature.standard.residential", ctx.season)
    )
    assert rec.celsius is not None  # TemperatureRecord requires it without deemed_failure
    if rec.celsius < standard:
        return None
    return (
        f"实测室温 {rec.celsius}℃ 不低于标准 {standard}℃，无可退还的采暖费",
        f"the measured {rec.celsius} °C is not below its standard {standard} °C; "
        "there is nothing to refund",
    )


def _no_user_fault(ctx: _Ctx) -> _Failure:
    """No refund when the user caused the shortfall (rules.md §4.2 user_fault)."""
    rec = ctx.app.facts.measurement
    if rec is None:
        return _not_established("measurement", "测温单")
    if rec.user_fault is None:
        return None
    return (
        f"室温不达标系用户原因（{rec.user_fault}），不予退费",
        f"the shortfall is the user's fault ({rec.user_fault}); no refund",
    )


CHECKS: dict[str, Callable[[_Ctx], _Failure]] = {
    "documents_complete": _documents_complete,
    "in_network": _in_network,
    "applied_by_deadline": _applied_by_deadline,
    "not_in_warranty": _not_in_warranty,
    "arrears_cleared": _arrears_cleared,
    "residential_account": _residential_account,
    "city_office_approved": _city_office_approved,
    "measurement_in_season": _measurement_in_season,
    "measurement_time_of_day": _measurement_time_of_day,
    "below_standard": _below_standard,
    "no_user_fault": _no_user_fault,
}

_AGENT_DECISION = Citation(
    "HR",
    "services.md 代理办理",
    "委托他人办理的，应提供授权委托书和受托人的有效身份证件",
)


def _citation(check: str, ctx: _Ctx) -> Citation:
    """The citation of ``check`` for this application (from the catalogue and the parameters)."""
    spec = ctx.catalogue.checks[check]
    if spec.parameter is not None:
        return ctx.params.citation(spec.parameter, ctx.season)
    if spec.citation_from == "item_documents":
        cite = Citation("DUTY", f"{ctx.item.id} 运行要件", ctx.item.documents.seed_zh)
        agent = ctx.item.documents.agent
        if ctx.app.applicant == "agent" and agent is not None and agent.basis == "decision":
            cite = cite.join(_AGENT_DECISION)
        return cite
    records = [r.citation() for r in spec.citations]
    cite = records[0]
    for more in records[1:]:
        cite = cite.join(more)
    return cite


# ---------------------------------------------------------------------- the API
def parse_application(
    data: Any, catalogue: Catalogue | None = None, loc: tuple[int | str, ...] = ()
) -> Application:
    """Validate one application mapping: structure, types, item and the fields it needs.

    Errors are a :class:`~heatrules.errors.CaseError` naming each field by its path under
    ``loc`` (e.g. ``applications[2].documents[1]: unknown document code 'id_crad'``). Every
    problem is reported at once: a malformed field hides neither an unknown or hotline item
    nor a missing field the item needs.
    """
    catalogue = catalogue or Catalogue.default()
    path = format_loc(loc)
    prefix = f"{path}." if path else ""
    if isinstance(data, Application):
        app: Application | None = data
        raw: Mapping[str, Any] = data.model_dump()
        problems: list[tuple[str, str]] = []
    else:
        if not isinstance(data, Mapping):
            raise CaseError.single(
                path, f"an application must be a mapping, got {type(data).__name__}"
            )
        raw = data
        try:
            app = Application.model_validate(dict(data))
            problems = []
        except ValidationError as exc:
            app = None
            problems = _application_error(exc, loc).problems
    # The item and the fields it needs are checked even when other fields are malformed,
    # so that every problem of the application is reported at once (docs/services/index.md).
    bad = {where for where, _ in problems}
    item_path = f"{prefix}item"
    if item_path in bad:
        raise CaseError(problems)
    item_id = app.item if app is not None else raw.get("item")
    try:
        item = catalogue.item(str(item_id), item_path)
    except CaseError as exc:
        raise CaseError(exc.problems + problems) from None
    if not item.is_application:
        problems.insert(
            0,
            (
                item_path,
                f"{item.id} ({item.name.zh}) is a hotline work order, not an application; "
                "replay it with `heatrules workorder`",
            ),
        )
        raise CaseError(problems)
    problems += [
        (f"{prefix}{need}", f"required for item {item.id} ({item.name.en})")
        for need in catalogue.needs(item)
        if raw.get(need) is None and f"{prefix}{need}" not in bad
    ]
    if problems:
        raise CaseError(problems)
    assert app is not None
    return app


def _application_error(exc: ValidationError, loc: tuple[int | str, ...]) -> CaseError:
    err = errors_from_validation(exc, loc)
    problems = []
    for where, msg in err.problems:
        if msg.startswith("unknown key (not in the case format"):
            if re.search(r"(^|\.)facts\.[^.\[]+$", where):
                msg = f"unknown fact (facts are: {', '.join(FACTS)})"
            else:
                msg = "unknown key (not in the application format; check the spelling)"
        problems.append((where, msg))
    return CaseError(problems)


def check_application(
    application: Application | Mapping[str, Any],
    catalogue: Catalogue | None = None,
    params: Parameters | None = None,
) -> Decision:
    """Decide one application: every missing document and failed check, each with its citation.

    >>> check_application({"item": "4.2", "season": "2025-2026", "applied_on": "2025-09-30",
    ...     "documents": ["ownership_proof", "id_card", "restoration_request"],
    ...     "facts": {"arrears": "0.00"}}).accepted
    True
    """
    catalogue = catalogue or Catalogue.default()
    params = params or Parameters.default()
    app = parse_application(application, catalogue)
    item = catalogue.item(app.item)
    ctx = _Ctx(app, item, catalogue, params)
    failed: list[FailedCheck] = []
    for check in item.checks:
        failure = CHECKS[check](ctx)
        if failure is not None:
            failed.append(FailedCheck(check, _citation(check, ctx), failure[0], failure[1]))
    return Decision(item.id, not failed, _missing(ctx), tuple(failed))


def parse_applications(
    data: Any, source: str = "", catalogue: Catalogue | None = None
) -> list[Application]:
    """Validate a file's content: a list of applications, ``{applications: [...]}`` or one.

    Every problem of every application is reported at once, each under ``applications[i]``.
    """
    where = f"{source}: " if source else ""
    if isinstance(data, Mapping) and "cases" in data and "item" not in data:
        data = data["cases"]
    if isinstance(data, Mapping) and "events" in data:
        raise CaseError.single(
            source, "this is a work order, not an application: use `heatrules workorder`"
        )
    if isinstance(data, Mapping) and "applications" in data:
        extra = sorted(str(k) for k in data if k != "applications")
        if extra:
            raise CaseError.single(source, f"unknown top-level keys beside 'applications': {extra}")
        data = data["applications"]
    elif isinstance(data, Mapping):
        data = [data]
    if not isinstance(data, list):
        raise CaseError.single(
            source, "expected an application, a list of them or {applications: [...]}"
        )
    if not data:
        raise CaseError.single(source, "no applications in the file")
    if all(isinstance(d, Mapping) and "account" in d and "item" not in d for d in data):
        # (a mapping with `cases` was unwrapped above to reach this hint)
        raise CaseError.single(
            source, "this is a file of billing cases, not applications: use `heatrules bill`"
        )
    apps: list[Application] = []
    problems: list[tuple[str, str]] = []
    for i, raw in enumerate(data):
        try:
            apps.append(parse_application(raw, catalogue, ("applications", i)))
        except CaseError as exc:
            problems += [(f"{where}{p}", m) for p, m in exc.problems]
    if problems:
        raise CaseError(problems)
    return apps


def read_applications(path: str | Path, catalogue: Catalogue | None = None) -> list[Application]:
    """Read and validate every application in a JSON, JSON-lines or YAML file."""
    return parse_applications(read_data(path), str(path), catalogue)


def check_applications(
    applications: Iterable[Application | Mapping[str, Any]],
    catalogue: Catalogue | None = None,
    params: Parameters | None = None,
) -> list[Decision]:
    """Decide several applications, in order."""
    return [check_application(a, catalogue, params) for a in applications]


__all__ = [
    "CHECKS",
    "FACTS",
    "Application",
    "Decision",
    "Facts",
    "FailedCheck",
    "check_application",
    "check_applications",
    "parse_application",
    "parse_applications",
    "read_applications",
]
