"""Field types shared by the input models: exact decimals, strict text, dates and timestamps.

cases.md: a decimal is ASCII ``[+-]?digits[.digits]`` and nothing else — no spaces,
underscores, exponents, full-width digits or thousands separators; booleans, NaN, ±Infinity
and empty strings are rejected; binary floats never enter a money or area path. Timestamps
need a time part and are converted to Asia/Shanghai; dates are ISO calendar dates.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

from .limits import (
    MAX_AREA_M2,
    MAX_CELSIUS,
    MAX_KWH,
    MAX_MONEY,
    MIN_CELSIUS,
)
from .localtime import parse_date, parse_timestamp, to_local
from .textyaml import JsonNumber, NonFinite

_DECIMAL = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
MAX_DIGITS = 40  # longer decimal text is rejected before it is converted
DECIMAL_PATTERN = r"^[+-]?[0-9]+(\.[0-9]+)?$"
TIMESTAMP_PATTERN = (
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?$"
)
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


def parse_decimal(value: Any) -> Decimal:
    """Read an exact decimal from text, an int or a Decimal; reject everything else."""
    if isinstance(value, bool):
        raise ValueError(f"a boolean ({str(value).lower()}) is not a number")
    if isinstance(value, NonFinite):
        raise ValueError(f"{value} is not a finite decimal")
    if isinstance(value, int):
        if abs(value) >= 10**MAX_DIGITS:
            raise ValueError(f"{value} is too large")
        return Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a finite decimal")
        return value
    if isinstance(value, float):
        raise ValueError(
            "binary floats are not accepted on a money, area or measurement path; "
            "write the number as text or pass a Decimal"
        )
    if isinstance(value, str):
        if value == "":
            raise ValueError("an empty string is not a number")
        if not _DECIMAL.fullmatch(value):
            raise ValueError(
                f"{str(value)!r} is not a plain decimal (digits with an optional '.' and "
                "fraction; no spaces, separators, exponents or full-width digits)"
            )
        if len(value) > MAX_DIGITS:
            raise ValueError(f"{str(value)[:20]}… has more than {MAX_DIGITS} characters")
        return Decimal(value)
    raise ValueError(f"expected a decimal number, got {describe(value)}")


def _max_decimals(places: int) -> Callable[[Decimal], Decimal]:
    def check(value: Decimal) -> Decimal:
        exponent = value.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            raise ValueError(f"{value} has more than {places} decimals")
        return value

    return check


def _at_most(limit: Decimal, what: str) -> Callable[[Decimal], Decimal]:
    def check(value: Decimal) -> Decimal:
        if abs(value) > limit:
            raise ValueError(f"{value} is larger than {limit} {what} (heatrules.limits)")
        return value

    return check


def _celsius_range(value: Decimal) -> Decimal:
    if not MIN_CELSIUS <= value <= MAX_CELSIUS:
        raise ValueError(f"{value} °C is not a possible temperature")
    return value


def _two_decimals(value: Decimal) -> Decimal:
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"{value} has more than 2 decimals")
    return value.quantize(Decimal("0.01"))


def _positive(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError(f"{value} must be greater than 0")
    return value


def _non_negative(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError(f"{value} must not be negative")
    return value


def _text(value: Any) -> str:
    if isinstance(value, (JsonNumber, NonFinite)) or not isinstance(value, str):
        raise ValueError(f"must be text (a string), not {describe(value)}")
    if value.strip() == "":
        raise ValueError("must not be empty")
    return str(value)


def _timestamp(value: Any) -> datetime:
    if isinstance(value, datetime):
        return to_local(value)
    if isinstance(value, date):
        raise ValueError(f"{value.isoformat()!r} is a date; a timestamp needs a time part")
    if isinstance(value, str) and not isinstance(value, (JsonNumber, NonFinite)):
        return parse_timestamp(value)
    raise ValueError(f"expected an ISO 8601 timestamp, got {describe(value)}")


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        raise ValueError("expected a calendar date without a time part")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and not isinstance(value, (JsonNumber, NonFinite)):
        return parse_date(value)
    raise ValueError(f"expected an ISO calendar date YYYY-MM-DD, got {describe(value)}")


def _strict_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError(f"expected true or false, got {value!r}")


def describe(value: Any) -> str:
    """How a wrong value's type reads in a message (YAML/JSON words, not Python's)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float, Decimal, JsonNumber)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


_DEC_SCHEMA = WithJsonSchema(
    {"anyOf": [{"type": "string", "pattern": DECIMAL_PATTERN}, {"type": "number"}]}
)

DecimalValue = Annotated[Decimal, BeforeValidator(parse_decimal), _DEC_SCHEMA]
"""Any exact decimal (temperatures, expected line amounts)."""

Area = Annotated[
    Decimal,
    BeforeValidator(parse_decimal),
    AfterValidator(_at_most(MAX_AREA_M2, "m2")),
    AfterValidator(_positive),
    AfterValidator(_two_decimals),
    _DEC_SCHEMA,
]
"""An area in m²: > 0, at most 2 decimals (judged on the value: 100.000 is 100.00)."""

Money = Annotated[
    Decimal,
    BeforeValidator(parse_decimal),
    AfterValidator(_at_most(MAX_MONEY, "yuan")),
    AfterValidator(_two_decimals),
    _DEC_SCHEMA,
]
PositiveMoney = Annotated[
    Decimal,
    BeforeValidator(parse_decimal),
    AfterValidator(_at_most(MAX_MONEY, "yuan")),
    AfterValidator(_positive),
    AfterValidator(_two_decimals),
    _DEC_SCHEMA,
]
Kwh = Annotated[
    Decimal,
    BeforeValidator(parse_decimal),
    AfterValidator(_at_most(MAX_KWH, "kWh")),
    AfterValidator(_non_negative),
    _DEC_SCHEMA,
]
Rate = Annotated[
    Decimal,
    BeforeValidator(parse_decimal),
    AfterValidator(_at_most(Decimal(1), "per day")),
    AfterValidator(_non_negative),
    _DEC_SCHEMA,
]
Celsius = Annotated[
    Decimal,
    BeforeValidator(parse_decimal),
    AfterValidator(_celsius_range),
    _DEC_SCHEMA,
]
NonNegative = Annotated[
    Decimal, BeforeValidator(parse_decimal), AfterValidator(_non_negative), _DEC_SCHEMA
]
Text = Annotated[str, BeforeValidator(_text), WithJsonSchema({"type": "string", "minLength": 1})]
Timestamp = Annotated[
    datetime,
    BeforeValidator(_timestamp),
    WithJsonSchema({"type": "string", "pattern": TIMESTAMP_PATTERN}),
]
LocalDate = Annotated[
    date, BeforeValidator(_date), WithJsonSchema({"type": "string", "pattern": DATE_PATTERN})
]
Flag = Annotated[bool, BeforeValidator(_strict_bool), WithJsonSchema({"type": "boolean"})]
