"""The duty catalogue: the heating group's 20 duty items (1.1 … 7.10) as validated data.

Each item carries its Chinese and English name, legal basis (citation records using the
document keys of the parameter data), implementing bodies, responsibility boundary, process
steps, required documents (运行要件) and supervision phone, as the seed catalogue
(《能源集团供热板块职责目录》, document key ``DUTY``) states them. The data is
``catalogue.yaml`` beside this module; it is validated when loaded, like the parameter data:
a malformed file is a :class:`~heatrules.errors.ParameterError` naming the file and the field.

>>> cat = Catalogue.default()
>>> cat.item("2.1").name.zh
'居民停热申请-报停业务'
>>> agent = cat.item("2.1").documents.for_applicant("agent", None)
>>> "id_card" in agent, "power_of_attorney" in agent
(False, True)
>>> [i.id for i in cat.group_items("5")]
['5.1']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from ..case import Category
from ..caseio import format_loc
from ..citations import Citation
from ..errors import CaseError, ParameterError
from ..fields import Text
from ..params import Parameters
from ..textyaml import load_yaml_text
from .documents import DocCode

PACKAGED = Path(__file__).parent / "catalogue.yaml"

Applicant = Literal["owner", "agent"]
Need = Literal["season", "applied_on", "category"]

CHECK_IDS = (
    "documents_complete",
    "in_network",
    "applied_by_deadline",
    "not_in_warranty",
    "arrears_cleared",
    "residential_account",
    "city_office_approved",
    "measurement_in_season",
    "measurement_time_of_day",
    "below_standard",
    "no_user_fault",
)
"""Every application check id, stable and snake_case (listed in docs/services/index.md)."""

_ITEM_ID = re.compile(r"[1-9][0-9]*\.[1-9][0-9]*")
_PHONE = re.compile(r"[0-9]+")


def _item_id(value: str) -> str:
    if not _ITEM_ID.fullmatch(value):
        raise ValueError(f"{value!r} is not an item id like '2.1'")
    return value


def _phone(value: str) -> str:
    if not _PHONE.fullmatch(value):
        raise ValueError(f"{value!r} is not a phone number (digits only)")
    return value


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(_Frozen):
    """A text in Chinese and English."""

    zh: Text
    en: Text

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``zh`` or ``en``)."""
        return self.en if lang == "en" else self.zh


class CitationRecord(_Frozen):
    """A citation as written in the data: document key, article and a short Chinese phrase."""

    document: Text
    article: Text
    text: Text

    def citation(self) -> Citation:
        return Citation(self.document, self.article, self.text)


class Body(_Frozen):
    """An implementing body (实施机构)."""

    zh: Text
    en: Text


class Group(_Frozen):
    """A group of items (主要职责), e.g. ``"2"`` 居民停热申请; ``page`` is its docs page."""

    zh: Text
    en: Text
    page: Text


class Step(_Frozen):
    """One process step (运行流程), in the seed's words and in English."""

    zh: Text
    en: Text


class AgentRule(_Frozen):
    """How the documents change when an agent applies: ``replaces`` are dropped, ``adds`` added.

    ``basis`` is ``seed`` when the seed names the agent's documents, ``decision`` when it is
    silent and services.md adds a power of attorney and the agent's ID [decision].
    """

    replaces: tuple[DocCode, ...] = ()
    adds: tuple[DocCode, ...] = Field(min_length=1)
    basis: Literal["seed", "decision"]


class ItemDocuments(_Frozen):
    """The required documents (运行要件) of an item, as codes and in the seed's words."""

    seed_zh: Text
    required: tuple[DocCode, ...]
    agent: AgentRule | None = None
    by_category: dict[Category, tuple[DocCode, ...]] = Field(default_factory=dict)

    def for_applicant(self, applicant: Applicant, category: Category | None) -> tuple[str, ...]:
        """The documents an ``owner`` or an ``agent`` must present for an account ``category``.

        services.md: an agent's documents replace or add to the owner's, item by item; a
        category adds its own (5.1: a non-residential transfer needs the former unit's request).
        """
        docs = list(self.required)
        if applicant == "agent" and self.agent is not None:
            docs = [d for d in docs if d not in self.agent.replaces] + list(self.agent.adds)
        if category is not None:
            docs += list(self.by_category.get(category, ()))
        return tuple(dict.fromkeys(docs))

    def all_codes(self) -> tuple[str, ...]:
        """Every document code the item mentions, for any applicant and category."""
        docs = list(self.required)
        if self.agent is not None:
            docs += list(self.agent.adds)
        for extra in self.by_category.values():
            docs += list(extra)
        return tuple(dict.fromkeys(docs))


class CheckDef(_Frozen):
    """An application check: its label and where its citation comes from.

    Exactly one of ``citations`` (fixed records, joined), ``parameter`` (the citation of that
    parameter in force for the application's season) or ``citation_from: item_documents``
    (the item's own 运行要件).
    """

    label: Label
    citations: tuple[CitationRecord, ...] = ()
    parameter: Text | None = None
    citation_from: Literal["item_documents"] | None = None
    needs: tuple[Need, ...] = ()


class ServiceItem(_Frozen):
    """One duty item of the catalogue (``1.1`` … ``7.10``)."""

    id: Annotated[Text, AfterValidator(_item_id)]
    name: Label
    legal_basis: tuple[CitationRecord, ...] = Field(min_length=1)
    bodies: tuple[Text, ...] = Field(min_length=1)
    boundary: Label
    steps: tuple[Step, ...] = Field(min_length=1)
    note: Label | None = None
    documents: ItemDocuments
    checks: tuple[Text, ...] = ()
    supervision_phone: Annotated[Text, AfterValidator(_phone)]

    @property
    def group(self) -> str:
        """The group id: the part of the item id before the dot (``"2"`` for ``2.1``)."""
        return self.id.split(".", 1)[0]

    @property
    def is_application(self) -> bool:
        """True for items applied for at a business office (1.1 … 6.2), not hotline orders."""
        return bool(self.checks)

    def citations(self) -> tuple[Citation, ...]:
        return tuple(r.citation() for r in self.legal_basis)


class _CatalogueModel(_Frozen):
    bodies: dict[Text, Body] = Field(min_length=1)
    groups: dict[Text, Group] = Field(min_length=1)
    checks: dict[Text, CheckDef] = Field(min_length=1)
    items: tuple[ServiceItem, ...] = Field(min_length=1)


class Catalogue:
    """The catalogue: items by id (in the seed's order), groups, bodies and check definitions."""

    def __init__(self, model: _CatalogueModel, source: Path) -> None:
        self.items: dict[str, ServiceItem] = {i.id: i for i in model.items}
        self.groups: dict[str, Group] = dict(model.groups)
        self.bodies: dict[str, Body] = dict(model.bodies)
        self.checks: dict[str, CheckDef] = dict(model.checks)
        self.source = source

    # ------------------------------------------------------------------ loading
    @classmethod
    def default(cls) -> Catalogue:
        """The packaged catalogue (loaded once)."""
        return _packaged()

    @classmethod
    def load(cls, path: str | Path, params: Parameters | None = None) -> Catalogue:
        """Load and validate a catalogue file against the parameter data's documents."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ParameterError(f"{path}: cannot be read: {exc}") from None
        try:
            raw = load_yaml_text(text, str(path))
        except Exception as exc:
            raise ParameterError(str(exc)) from None
        try:
            model = _CatalogueModel.model_validate(raw)
        except ValidationError as exc:
            parts = [
                f"{format_loc(e['loc'])}: {e['msg'].removeprefix('Value error, ')}"
                for e in exc.errors()
            ]
            raise ParameterError(f"{path.name}: " + "; ".join(parts)) from None
        problems = _consistency(model, params or Parameters.default())
        if problems:
            raise ParameterError(f"{path.name}: " + "; ".join(problems))
        return cls(model, path)

    # ------------------------------------------------------------------ look-ups
    def __iter__(self) -> Iterator[ServiceItem]:
        return iter(self.items.values())

    def __len__(self) -> int:
        return len(self.items)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self.items

    def item(self, item_id: str, path: str = "item") -> ServiceItem:
        """The item ``item_id``; an unknown id is a CaseError naming ``path`` and the known ids."""
        try:
            return self.items[item_id]
        except (KeyError, TypeError):
            raise CaseError.single(
                path, f"unknown item {item_id!r} (items: {', '.join(self.items)})"
            ) from None

    def group_items(self, group: str) -> list[ServiceItem]:
        return [i for i in self if i.group == group]

    def needs(self, item: ServiceItem) -> tuple[str, ...]:
        """The application fields an item cannot do without (from its checks and documents)."""
        needs: list[str] = []
        for check in item.checks:
            needs += list(self.checks[check].needs)
        if item.documents.by_category:
            needs.append("category")
        return tuple(dict.fromkeys(needs))

    def item_dict(self, item: ServiceItem) -> dict[str, Any]:
        """One item as plain data (JSON-ready, both languages), with its group and bodies."""
        data = item.model_dump(mode="json", exclude_none=True)
        data["group"] = {"id": item.group, **self.groups[item.group].model_dump()}
        data["bodies"] = [{"key": b, **self.bodies[b].model_dump()} for b in item.bodies]
        data["needs"] = list(self.needs(item))
        return data

    def to_dict(self) -> dict[str, Any]:
        """The whole catalogue as plain data (what ``heatrules services --format json`` prints)."""
        return {
            "groups": {k: g.model_dump() for k, g in self.groups.items()},
            "checks": {
                k: c.model_dump(mode="json", exclude_none=True) for k, c in self.checks.items()
            },
            "items": [self.item_dict(i) for i in self],
        }


def _consistency(model: _CatalogueModel, params: Parameters) -> list[str]:
    """Cross-checks the schema cannot express: keys, ids, groups, checks and citations."""
    problems: list[str] = []
    seen: set[str] = set()

    def cite(where: str, rec: CitationRecord) -> None:
        if rec.document not in params.documents:
            problems.append(
                f"{where}.document: unknown document {rec.document!r} "
                f"(known: {', '.join(sorted(params.documents))})"
            )

    for name, check in model.checks.items():
        where = f"checks.{name}"
        if name not in CHECK_IDS:
            problems.append(f"{where}: no such check is implemented ({', '.join(CHECK_IDS)})")
        sources = bool(check.citations) + (check.parameter is not None) + bool(check.citation_from)
        if sources != 1:
            problems.append(f"{where}: give exactly one of citations, parameter, citation_from")
        if check.parameter is not None and check.parameter not in params:
            problems.append(f"{where}.parameter: no parameter named {check.parameter!r}")
        for k, rec in enumerate(check.citations):
            cite(f"{where}.citations[{k}]", rec)
    for i, item in enumerate(model.items):
        where = f"items[{i}]"
        if item.id in seen:
            problems.append(f"{where}.id: item {item.id!r} appears twice")
        seen.add(item.id)
        if item.group not in model.groups:
            problems.append(f"{where}.id: no group {item.group!r} under groups")
        for k, rec in enumerate(item.legal_basis):
            cite(f"{where}.legal_basis[{k}]", rec)
        for k, body in enumerate(item.bodies):
            if body not in model.bodies:
                problems.append(f"{where}.bodies[{k}]: unknown body {body!r}")
        for k, check_id in enumerate(item.checks):
            if check_id not in model.checks:
                problems.append(f"{where}.checks[{k}]: unknown check {check_id!r}")
        if item.checks and "documents_complete" not in item.checks:
            problems.append(f"{where}.checks: an application item checks documents_complete")
        if item.checks and not item.documents.required:
            problems.append(f"{where}.documents.required: an application item needs documents")
        agent = item.documents.agent
        if agent is not None:
            for code in agent.replaces:
                if code not in item.documents.required:
                    problems.append(f"{where}.documents.agent.replaces: {code!r} is not required")
    return problems


@cache
def _packaged() -> Catalogue:
    return Catalogue.load(PACKAGED)


__all__ = [
    "CHECK_IDS",
    "AgentRule",
    "Applicant",
    "Body",
    "Catalogue",
    "Category",
    "CheckDef",
    "CitationRecord",
    "Group",
    "ItemDocuments",
    "Label",
    "ServiceItem",
    "Step",
]
