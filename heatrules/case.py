"""The case model: one account's facts for one season (cases.md), as pydantic v2 models.

The same schema is read from case files (JSON, JSON-lines, YAML) and used by the Python API;
``heatrules schema`` exports it as JSON Schema. Unknown keys are errors; ``null`` and empty
lists mean the fact is absent. Checks that need the rule parameters (season dates, the
measurement window, the maximum late-fee rate, …) are in :mod:`heatrules.validate`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator

from .fields import (
    Area,
    Celsius,
    Flag,
    Kwh,
    LocalDate,
    Money,
    PositiveMoney,
    Rate,
    Text,
    Timestamp,
)
from .season import Season

Category = Literal["residential", "non_residential"]
Cause = Literal["supplier", "facility", "external"]
UserFault = Literal[
    "altered_installation", "covered_radiator", "drained_water", "unauthorised_device"
]
LineCode = Literal[
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
]
TotalName = Literal["charges", "refunds", "waivers", "late_fees", "payments", "balance"]
LINE_CODES: tuple[str, ...] = get_args(LineCode)
"""The stable line codes of rules.md §8, in bill order."""


def _absent_list(value: Any) -> Any:
    return [] if value is None else value


def _default_billing(value: Any) -> Any:
    return "area" if value is None else value


def _default_false(value: Any) -> Any:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def _season(value: Any) -> Season:
    return Season.parse(value)


SeasonField = Annotated[
    Season,
    BeforeValidator(_season),
    WithJsonSchema({"type": "string", "pattern": r"^\d{4}-\d{4}$"}),
]


class Strict(BaseModel):
    """A case model: unknown fields are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class Account(Strict):
    """The account: id (text, leading zeros kept), category, billing area and billing mode."""

    id: Text
    category: Category
    billing_area_m2: Area
    billing: Annotated[Literal["area", "metered"], BeforeValidator(_default_billing)] = "area"
    connected_on: LocalDate | None = None
    metered_kwh: Kwh | None = None
    late_fee_rate: Rate | None = None


class Supply(Strict):
    """When supply actually started and stopped: a start later than the season start is a
    supplier outage from the season start, a stop earlier than the season end one to the season
    end (rules.md §4.1; the two are independent facts and may overlap)."""

    started_at: Timestamp | None = None
    stopped_at: Timestamp | None = None


class NoHeat(Strict):
    """A no-heat interval ``[start, end)`` and its cause."""

    start: Timestamp
    end: Timestamp
    cause: Cause

    @model_validator(mode="after")
    def _order(self) -> NoHeat:
        if self.end <= self.start:
            raise ValueError(
                f"@end: {self.end.isoformat()} must be later than start {self.start.isoformat()}"
            )
        return self


class TemperatureRecord(Strict):
    """An indoor temperature measurement of one room (REF; MEAS)."""

    room: Text
    room_area_m2: Area
    measured_at: Timestamp
    celsius: Celsius | None = None
    restored_at: Timestamp | None = None
    standard_celsius: Celsius | None = None
    deemed_failure: Annotated[bool, BeforeValidator(_default_false)] = False
    user_fault: UserFault | None = None

    @model_validator(mode="after")
    def _consistent(self) -> TemperatureRecord:
        if self.celsius is None and not self.deemed_failure:
            raise ValueError("@celsius: required unless deemed_failure is true")
        if self.restored_at is not None and self.restored_at <= self.measured_at:
            raise ValueError("@restored_at: must be later than measured_at")
        return self


class Waiver(Strict):
    """A fee waiver; ``cadre_widow`` needs ``has_children``."""

    kind: Literal["cadre_widow"]
    has_children: Flag


class Suspension(Strict):
    """A suspended season: ``temporary`` (compensation fee) or ``permanent`` (none), rules.md §6."""

    kind: Literal["temporary", "permanent"]


class Subsidy(Strict):
    """A hardship-subsidy household (computed by ``heatrules subsidy``, not on the bill)."""

    household: Literal["dibao", "youfu", "tekun", "full"]
    central_heating: Flag


class Payment(Strict):
    """A payment received on ``date`` (a positive amount in yuan)."""

    date: LocalDate
    amount: PositiveMoney


class Expect(Strict):
    """Expected figures for ``heatrules check`` (exact to the fen)."""

    totals: dict[TotalName, Money] | None = None
    lines: dict[LineCode, Money] | None = None
    error: str | None = None
    subsidy: Money | None = None


class Case(Strict):
    """One account for one season: the facts in and, in check files, the figures expected."""

    name: str | None = None
    season: SeasonField
    account: Account
    supply: Supply | None = None
    no_heat: Annotated[list[NoHeat], BeforeValidator(_absent_list)] = Field(default_factory=list)
    temperature: Annotated[list[TemperatureRecord], BeforeValidator(_absent_list)] = Field(
        default_factory=list
    )
    waiver: Waiver | None = None
    suspension: Suspension | None = None
    cutoff_from: LocalDate | None = None
    subsidy: Subsidy | None = None
    payments: Annotated[list[Payment], BeforeValidator(_absent_list)] = Field(default_factory=list)
    as_of: LocalDate | None = None
    expect: Expect | None = None

    @property
    def label(self) -> str:
        """The case's name, or its account id and season."""
        return self.name or f"{self.account.id} {self.season}"


__all__ = [
    "LINE_CODES",
    "Account",
    "Case",
    "Decimal",
    "Expect",
    "NoHeat",
    "Payment",
    "Subsidy",
    "Supply",
    "Suspension",
    "TemperatureRecord",
    "Waiver",
    "date",
    "datetime",
]
