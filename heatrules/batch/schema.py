"""The batch tables and their columns (``../shared/spec/batch-tables.md``).

Each column has a kind (how its cells are read, see :mod:`heatrules.batch.cells`) and whether
it is required in the header and in every row. Scaled kinds fix the exact integer units the
kernel works in:

========================  ==========================================================
kind                      unit of the parsed integer
========================  ==========================================================
``area``                  1/100 m² (at most 2 decimals, > 0, at most 1 000 000 m²)
``money``                 fen (at most 2 decimals, > 0)
``kwh``                   1/1000 kWh (at most 3 decimals, ≥ 0)
``rate``                  1/10⁶ per day (at most 6 decimals, ≥ 0)
``celsius``               1/10⁶ °C (at most 6 decimals)
``date``                  days since 1970-01-01
``timestamp``             µs since 1970-01-01T00:00 local (Asia/Shanghai)
========================  ==========================================================

The bounds keep every product the kernel forms inside int64 (see ``docs/batch.md``); a value
outside them is rejected with a reason naming the column, never silently wrapped.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import limits

# the same engineering limits as the scalar engine's input model (heatrules.limits), in the
# kernel's integer units, so both engines accept exactly the same inputs
AREA_DECIMALS = 2
MONEY_DECIMALS = 2
KWH_DECIMALS = limits.KWH_DECIMALS
RATE_DECIMALS = limits.RATE_DECIMALS
CELSIUS_DECIMALS = limits.CELSIUS_DECIMALS
MAX_AREA = int(limits.MAX_AREA_M2.scaleb(AREA_DECIMALS))  # 1 000 000.00 m² in 1/100 m²
MAX_KWH = int(limits.MAX_KWH.scaleb(KWH_DECIMALS))  # 10⁹ kWh
MAX_MONEY = int(limits.MAX_MONEY.scaleb(MONEY_DECIMALS))  # 10¹⁰ yuan in fen
MIN_CELSIUS = int(limits.MIN_CELSIUS.scaleb(CELSIUS_DECIMALS))
MAX_CELSIUS = int(limits.MAX_CELSIUS.scaleb(CELSIUS_DECIMALS))
MIN_YEAR_DAYS = -719162  # 0001-01-01
MAX_YEAR_DAYS = 2932896  # 9999-12-31

CATEGORIES = ("residential", "non_residential")
BILLINGS = ("area", "metered")
CAUSES = ("supplier", "facility", "external")
WAIVER_KINDS = ("cadre_widow",)
SUSPENSION_KINDS = ("temporary", "permanent")
USER_FAULTS = ("altered_installation", "covered_radiator", "drained_water", "unauthorised_device")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool = False
    """Required in the header and in every row."""
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    required_header: tuple[str, ...]
    """Columns that must be present in the header (a subset may be empty in a row)."""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


ACCOUNTS = Table(
    "accounts",
    (
        Column("account_id", "text", True),
        Column("season", "season", True),
        Column("category", "choice", True, CATEGORIES),
        Column("billing_area_m2", "area", True),
        Column("billing", "choice", False, BILLINGS),
        Column("metered_kwh", "kwh"),
        Column("connected_on", "date"),
        Column("late_fee_rate", "rate"),
        Column("station_id", "text"),
        Column("supply_started_at", "timestamp"),
        Column("supply_stopped_at", "timestamp"),
        Column("waiver_kind", "choice", False, WAIVER_KINDS),
        Column("waiver_has_children", "bool"),
        Column("suspension_kind", "choice", False, SUSPENSION_KINDS),
        Column("cutoff_from", "date"),
        Column("as_of", "date"),
    ),
    ("account_id", "season", "category", "billing_area_m2"),
)

NO_HEAT = Table(
    "no_heat",
    (
        Column("season", "season", True),
        Column("account_id", "text"),
        Column("station_id", "text"),
        Column("start", "timestamp", True),
        Column("end", "timestamp", True),
        Column("cause", "choice", True, CAUSES),
    ),
    ("season", "start", "end", "cause"),
)

TEMPERATURE = Table(
    "temperature",
    (
        Column("season", "season", True),
        Column("account_id", "text", True),
        Column("room", "text", True),
        Column("room_area_m2", "area", True),
        Column("measured_at", "timestamp", True),
        Column("celsius", "celsius"),
        Column("restored_at", "timestamp"),
        Column("standard_celsius", "celsius"),
        Column("deemed_failure", "bool"),
        Column("user_fault", "choice", False, USER_FAULTS),
    ),
    ("season", "account_id", "room", "room_area_m2", "measured_at"),
)

PAYMENTS = Table(
    "payments",
    (
        Column("season", "season", True),
        Column("account_id", "text", True),
        Column("date", "date", True),
        Column("amount", "money", True),
    ),
    ("season", "account_id", "date", "amount"),
)

TABLES: dict[str, Table] = {t.name: t for t in (ACCOUNTS, NO_HEAT, TEMPERATURE, PAYMENTS)}
EVENT_TABLES = ("no_heat", "temperature", "payments")
