"""Effective-dated rule parameters, loaded from the packaged YAML files (or a copy of them).

Every number the formulas use — prices, rates, bands, dates, divisors — is a parameter here,
with the season it is in force from, its citation and, where the law was silent, a note that
it is a [decision]. A parameter value is in force from its ``from`` season until the next
value's ``from`` (or its own ``until``). The files are validated when loaded: a malformed file
is a :class:`~heatrules.errors.ParameterError` naming the file and the field.

>>> p = Parameters.default()
>>> p.value("tariff.area.price.residential", Season.parse("2024-2025"))
Decimal('25.00')
>>> p.period(Season.parse("2023-2024")).days
122
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..citations import Citation, Document
from ..errors import NoRuleInForce, ParameterError
from ..season import Season, SeasonPeriod
from ..textyaml import load_yaml_text

PACKAGED = Path(__file__).parent
_DECIMAL = re.compile(r"[+-]?\d+(\.\d+)?")
_MONTH_DAY = re.compile(r"(\d{2})-(\d{2})")
_TIME = re.compile(r"(\d{2}):(\d{2})")


@dataclass(frozen=True)
class Band:
    """A temperature band: shortfall in ``(above, upto]`` refunds ``rate`` of the day."""

    above: Decimal
    upto: Decimal | None
    rate: Decimal


@dataclass(frozen=True)
class ParamValue:
    """One dated value of a parameter, with its citation."""

    name: str
    from_season: Season
    until: Season | None
    value: Any
    citation: Citation
    note: str | None
    decision: bool


@dataclass(frozen=True)
class Parameter:
    """One named parameter with its effective-dated values, labels, unit and source file."""

    name: str
    type: str
    label_zh: str
    label_en: str
    unit: str | None
    values: tuple[ParamValue, ...]
    source: str


class _CitationModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document: str
    article: str
    text: str


class _ValueModel(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: str = Field(alias="from")
    until: str | None = None
    value: Any
    citation: _CitationModel
    note: str | None = None
    decision: bool = False


class _LabelModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    zh: str
    en: str


class _ParamModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["decimal", "integer", "month_day", "time", "choice", "bands"]
    label: _LabelModel
    unit: str | None = None
    choices: list[str] | None = None
    values: list[_ValueModel] = Field(min_length=1)


class _DocumentsModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rules_version: str
    rules_note: str
    documents: dict[str, _LabelModel]


def _decimal(text: object, where: str) -> Decimal:
    if not isinstance(text, str) or not _DECIMAL.fullmatch(text):
        raise ParameterError(f"{where}: {text!r} is not a decimal written as text")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern already excludes it
        raise ParameterError(f"{where}: {text!r} is not a decimal") from None


def _typed(kind: str, raw: Any, choices: list[str] | None, where: str) -> Any:
    if kind == "decimal":
        value = _decimal(raw, where)
        if value < 0:
            raise ParameterError(f"{where}: {raw!r} must not be negative")
        return value
    if kind == "integer":
        if isinstance(raw, bool) or not (
            isinstance(raw, int) or (isinstance(raw, str) and raw.isdigit())
        ):
            raise ParameterError(f"{where}: {raw!r} is not a whole number")
        return int(raw)
    if kind == "month_day":
        m = _MONTH_DAY.fullmatch(raw) if isinstance(raw, str) else None
        if not m:
            raise ParameterError(f"{where}: {raw!r} is not a month-day 'MM-DD'")
        try:
            date(2000, int(m.group(1)), int(m.group(2)))
        except ValueError:
            raise ParameterError(f"{where}: {raw!r} is not a calendar month-day") from None
        return (int(m.group(1)), int(m.group(2)))
    if kind == "time":
        m = _TIME.fullmatch(raw) if isinstance(raw, str) else None
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
            raise ParameterError(f"{where}: {raw!r} is not a time 'HH:MM'")
        return time(int(m.group(1)), int(m.group(2)))
    if kind == "choice":
        if raw not in (choices or []):
            raise ParameterError(f"{where}: {raw!r} is not one of {choices}")
        return raw
    # bands
    if not isinstance(raw, list) or not raw:
        raise ParameterError(f"{where}: bands must be a non-empty list")
    bands: list[Band] = []
    for i, item in enumerate(raw):
        w = f"{where}[{i}]"
        if not isinstance(item, dict) or set(item) != {"above", "upto", "rate"}:
            raise ParameterError(f"{w}: a band has exactly the keys above, upto, rate")
        above = _decimal(item["above"], f"{w}.above")
        upto = None if item["upto"] is None else _decimal(item["upto"], f"{w}.upto")
        rate = _decimal(item["rate"], f"{w}.rate")
        if upto is not None and upto <= above:
            raise ParameterError(f"{w}: upto must be above 'above'")
        if bands and (bands[-1].upto is None or bands[-1].upto != above):
            raise ParameterError(f"{w}: bands must be contiguous (above = previous upto)")
        if not Decimal(0) <= rate <= Decimal(1):
            raise ParameterError(f"{w}.rate: a rate is between 0 and 1")
        bands.append(Band(above, upto, rate))
    if bands[0].above != 0 or bands[-1].upto is not None:
        raise ParameterError(f"{where}: bands start above 0 and the last one has upto: null")
    return tuple(bands)


class Parameters:
    """The rule parameters in force, by name and season, with their documents."""

    def __init__(
        self,
        params: dict[str, Parameter],
        documents: dict[str, Document],
        version: str,
        note: str,
        source: Path,
    ) -> None:
        self.params = params
        self.documents = documents
        self.version = version
        self.note = note
        self.source = source
        self._in_force: dict[tuple[str, Season], ParamValue | str] = {}

    # ------------------------------------------------------------------ loading
    @classmethod
    def default(cls) -> Parameters:
        """The packaged parameter data (loaded once)."""
        return _packaged()

    @classmethod
    def load(cls, folder: str | Path) -> Parameters:
        """Load and validate every ``*.yaml`` file in ``folder`` (``documents.yaml`` included)."""
        folder = Path(folder)
        if not folder.is_dir():
            raise ParameterError(f"{folder}: no such parameter folder")
        doc_file = folder / "documents.yaml"
        if not doc_file.is_file():
            raise ParameterError(f"{folder}: no documents.yaml (the cited documents)")
        try:
            meta = _DocumentsModel.model_validate(_read(doc_file))
        except ValidationError as exc:
            raise ParameterError(_describe(doc_file, exc)) from None
        documents = {k: Document(k, v.zh, v.en) for k, v in meta.documents.items()}
        params: dict[str, Parameter] = {}
        for path in sorted(folder.glob("*.yaml"), key=_file_order):
            if path.name == "documents.yaml":
                continue
            raw = _read(path)
            if not isinstance(raw, dict):
                raise ParameterError(f"{path.name}: expected a mapping of parameter names")
            for name, body in raw.items():
                if name in params:
                    raise ParameterError(
                        f"{path.name}: parameter {name!r} is also in {params[name].source}"
                    )
                params[name] = _parse_param(str(name), body, path.name, documents)
        return cls(params, documents, meta.rules_version, meta.rules_note, folder)

    # ------------------------------------------------------------------ look-ups
    def __contains__(self, name: str) -> bool:
        return name in self.params

    def parameter(self, name: str) -> Parameter:
        """The parameter ``name`` (ParameterError when the data has none)."""
        try:
            return self.params[name]
        except KeyError:
            raise ParameterError(f"no parameter named {name!r} in {self.source}") from None

    def in_force(self, name: str, season: Season) -> ParamValue:
        """The value of ``name`` in force for ``season``; NoRuleInForce if there is none."""
        key = (name, season)
        hit = self._in_force.get(key)
        if hit is None:
            try:
                hit = self._look_up(name, season)
            except NoRuleInForce as exc:
                hit = exc.problems[0][1]
            self._in_force[key] = hit
        if isinstance(hit, str):
            raise NoRuleInForce.single("season", hit)
        return hit

    def _look_up(self, name: str, season: Season) -> ParamValue:
        param = self.parameter(name)
        found: ParamValue | None = None
        for pv in param.values:
            if pv.from_season <= season:
                found = pv
        if found is None or (found.until is not None and season > found.until):
            first = param.values[0].from_season
            raise NoRuleInForce.single(
                "season",
                f"no rule in force for season {season}: {param.label_en} ({name}) "
                f"is in force from {first}",
            )
        return found

    def value(self, name: str, season: Season) -> Any:
        """The value of ``name`` in force for ``season`` (NoRuleInForce if there is none)."""
        return self.in_force(name, season).value

    def citation(self, name: str, season: Season) -> Citation:
        """The citation of the value of ``name`` in force for ``season``."""
        return self.in_force(name, season).citation

    def period(self, season: Season) -> SeasonPeriod:
        """The season's statutory first and last day (and so its divisor N)."""
        fm, fd = self.value("season.first_day", season)
        lm, ld = self.value("season.last_day", season)
        return SeasonPeriod(season, date(season.start_year, fm, fd), date(season.end_year, lm, ld))

    def document(self, key: str) -> Document:
        """The cited document ``key`` (``FEE``, ``REG``, …) with its zh/en titles."""
        return self.documents[key]


_ORDER = ("season", "tariffs", "refunds", "suspension", "late_payment", "waivers")


def _file_order(path: Path) -> tuple[int, str]:
    """Rule-book order for listing (season, tariffs, refunds, …), then any other file by name."""
    stem = path.stem
    return (_ORDER.index(stem) if stem in _ORDER else len(_ORDER), stem)


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError(f"{path}: cannot be read: {exc}") from None
    try:
        return load_yaml_text(text, str(path))
    except Exception as exc:
        raise ParameterError(str(exc)) from None


def _describe(path: Path, exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"])
        parts.append(f"{loc}: {err['msg']}")
    return f"{path.name}: " + "; ".join(parts)


def _parse_param(name: str, body: Any, source: str, documents: dict[str, Document]) -> Parameter:
    try:
        model = _ParamModel.model_validate(body)
    except ValidationError as exc:
        raise ParameterError(_describe(Path(source), exc).replace(": ", f": {name}.", 1)) from None
    values: list[ParamValue] = []
    for i, v in enumerate(model.values):
        where = f"{source}: {name}.values[{i}]"
        try:
            frm = Season.parse(v.from_)
            until = Season.parse(v.until) if v.until is not None else None
        except ValueError as exc:
            raise ParameterError(f"{where}.from: {exc}") from None
        if values and frm <= values[-1].from_season:
            raise ParameterError(f"{where}.from: values must be in increasing season order")
        if v.citation.document not in documents:
            raise ParameterError(
                f"{where}.citation.document: unknown document {v.citation.document!r} "
                f"(known: {', '.join(sorted(documents))})"
            )
        typed = _typed(model.type, v.value, model.choices, f"{where}.value")
        values.append(
            ParamValue(
                name,
                frm,
                until,
                typed,
                Citation(v.citation.document, v.citation.article, v.citation.text),
                v.note,
                v.decision,
            )
        )
    return Parameter(
        name, model.type, model.label.zh, model.label.en, model.unit, tuple(values), source
    )


@cache
def _packaged() -> Parameters:
    return Parameters.load(PACKAGED)


__all__ = ["Band", "ParamValue", "Parameter", "Parameters"]
