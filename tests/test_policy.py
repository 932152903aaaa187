"""Policy switches (../shared/spec/audit.md): each alternative reading moves a figure as described.

The legal reading is ``Policy()``; every other switch is computed by the same rule modules.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from heatrules import CaseError, bill
from heatrules.policy import FIXED_SEASON_DAYS, Policy, SeasonParameters
from heatrules.season import Season

from .conftest import fen, make_case

D = Fraction(2500, 121)  # the legal daily fee of the default 100 m2 residential case


def outage(start: str, end: str, cause: str) -> dict[str, str]:
    return {"start": start, "end": end, "cause": cause}


def amount(case: dict[str, Any], code: str, policy: Policy | None = None) -> Decimal:
    return bill(case, policy=policy).amount(code)


FACILITY_10_DAYS = make_case(no_heat=[outage("2024-12-01T00:00", "2024-12-11T00:00", "facility")])
FACILITY_2_DAYS = make_case(no_heat=[outage("2024-12-01T00:00", "2024-12-03T00:00", "facility")])


def temperature(celsius: str, hours: int = 72) -> dict[str, Any]:
    end_day = 1 + hours // 24
    end = f"2024-12-{end_day:02d}T{8 + hours % 24:02d}:00"
    return make_case(
        temperature=[
            {
                "room": "bedroom",
                "room_area_m2": "100.00",
                "measured_at": "2024-12-01T08:00",
                "celsius": celsius,
                "restored_at": end,
            }
        ]
    )


def test_the_default_policy_is_the_legal_reading() -> None:
    assert Policy().legal
    assert Policy().changes() == {}
    case = make_case(
        no_heat=[outage("2024-12-01T00:00", "2024-12-02T06:00", "supplier")],
        waiver={"kind": "cadre_widow", "has_children": True},
        payments=[{"date": "2025-01-10", "amount": "100.00"}],
        as_of="2025-02-01",
    )
    assert bill(case).to_dict() == bill(case, policy=Policy()).to_dict()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"divisor": "fixed_121"},
        {"band_shift": 2},
        {"cause_swap": "external_as_supplier"},
        {"waiver": "double"},
        {"params_season": "2024"},
        {"fixed_season_days": 0},
    ],
)
def test_unknown_switch_values_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        Policy(**kwargs)


def test_daily_fee_rounded_first() -> None:
    # legal: 2500/121 x 10 = 206.6115... -> 206.61; rounded first: 20.66 x 10 = 206.60
    assert amount(FACILITY_10_DAYS, "refund.facility_outage") == -fen(D * 10) == Decimal("-206.61")
    rounded = amount(
        FACILITY_10_DAYS, "refund.facility_outage", Policy(daily_fee_rounded_first=True)
    )
    assert rounded == -fen(fen(D) * 10) == Decimal("-206.60")


def test_divisor_fixed_120_changes_the_daily_fee_not_the_tariff() -> None:
    p = Policy(divisor="fixed_120")
    b = bill(FACILITY_2_DAYS, policy=p)
    assert b.amount("refund.facility_outage") == -fen(Fraction(2500, FIXED_SEASON_DAYS) * 2)
    assert b.amount("refund.facility_outage") == Decimal("-41.67")  # legal: -41.32
    assert b.amount("tariff.area") == Decimal("2500.00")
    assert b.lines_of("refund.facility_outage")[0].basis["divisor_N"] == 120


def test_divisor_supplied_days() -> None:
    # connected 2025-01-15: supplied season 15 Jan .. 15 Mar = 17 + 28 + 15 = 60 days
    case = make_case(
        account={"connected_on": "2025-01-15"},
        no_heat=[outage("2025-02-01T00:00", "2025-02-03T00:00", "facility")],
    )
    legal = bill(case)
    alt = bill(case, policy=Policy(divisor="supplied_days"))
    assert legal.amount("refund.facility_outage") == -fen(D * 2)
    assert alt.amount("refund.facility_outage") == -fen(Fraction(2500, 60) * 2) == Decimal("-83.33")
    assert alt.amount("tariff.area") == legal.amount("tariff.area") == fen(Fraction(2500 * 60, 121))
    # a whole-season account has N supplied days: the reading changes nothing
    assert (
        bill(FACILITY_2_DAYS, policy=Policy(divisor="supplied_days")).to_dict()
        == bill(FACILITY_2_DAYS).to_dict()
    )


@pytest.mark.parametrize(
    ("cause", "code", "legal_days", "flipped_days", "multiplier"),
    [
        ("facility", "refund.facility_outage", 1, 2, 1),  # 30 h: floor 1 -> ceil 2
        ("external", "refund.facility_outage", 1, 2, 1),
        ("supplier", "refund.supplier_outage", 2, 1, 2),  # 30 h: ceil 2 -> floor 1
    ],
)
def test_part_day_flipped_for_outages(
    cause: str, code: str, legal_days: int, flipped_days: int, multiplier: int
) -> None:
    case = make_case(no_heat=[outage("2024-12-01T00:00", "2024-12-02T06:00", cause)])
    assert amount(case, code) == -fen(multiplier * D * legal_days)
    assert amount(case, code, Policy(part_day_flipped=True)) == -fen(multiplier * D * flipped_days)


def test_part_day_flipped_for_temperature_records() -> None:
    case = temperature("16.0", hours=30)  # 10 % band, 30 h: floor 1 day -> ceil 2 days
    assert amount(case, "refund.temperature") == -fen(D * Fraction(1, 10))
    assert amount(case, "refund.temperature", Policy(part_day_flipped=True)) == -fen(
        D * Fraction(1, 10) * 2
    )


@pytest.mark.parametrize(
    ("celsius", "legal", "higher", "lower"),
    [
        ("16.0", "0.10", "0.50", "0"),  # 10 % -> 50 %; one lower is nothing
        ("12.0", "0.50", "1.00", "0.10"),
        ("11.9", "1.00", "1.00", "0.50"),  # the top band is clamped
        ("18.0", "0", "0", "0"),  # a complying room is not shifted into a band
    ],
)
def test_band_shift(celsius: str, legal: str, higher: str, lower: str) -> None:
    case = temperature(celsius)  # 72 h -> 3 days

    def expect(rate: str) -> Decimal:
        return -fen(D * Fraction(rate) * 3)

    assert amount(case, "refund.temperature") == expect(legal)
    assert amount(case, "refund.temperature", Policy(band_shift=1)) == expect(higher)
    assert amount(case, "refund.temperature", Policy(band_shift=-1)) == expect(lower)


def test_band_shift_leaves_a_deemed_failure_at_its_rate() -> None:
    case = temperature("16.0")
    case["temperature"][0].update({"celsius": None, "deemed_failure": True})
    assert amount(case, "refund.temperature", Policy(band_shift=-1)) == -fen(D * 3)


def test_overlap_double_counted_sums_each_row() -> None:
    case = make_case(
        no_heat=[
            outage("2024-12-01T00:00", "2024-12-03T00:00", "facility"),
            outage("2024-12-02T00:00", "2024-12-04T00:00", "facility"),
        ]
    )
    assert amount(case, "refund.facility_outage") == -fen(D * 3)  # united: 72 h
    alt = bill(case, policy=Policy(overlap_double_counted=True))
    assert alt.amount("refund.facility_outage") == -(fen(D * 2) * 2)  # 48 h + 48 h, a line each
    assert len(alt.lines_of("refund.facility_outage")) == 2


def test_overlap_double_counted_keeps_each_rows_cause() -> None:
    case = make_case(
        no_heat=[
            outage("2024-12-01T00:00", "2024-12-02T06:00", "supplier"),
            outage("2024-12-01T10:00", "2024-12-04T10:00", "facility"),
        ]
    )
    alt = bill(case, policy=Policy(overlap_double_counted=True))
    assert alt.amount("refund.supplier_outage") == -fen(2 * D * 2)  # 30 h ceil
    assert alt.amount("refund.facility_outage") == -fen(D * 3)  # 72 h, overlap not removed


def test_cause_swap() -> None:
    supplier = make_case(no_heat=[outage("2024-12-01T00:00", "2024-12-03T00:00", "supplier")])
    assert amount(supplier, "refund.supplier_outage") == -fen(2 * D * 2)
    alt = bill(supplier, policy=Policy(cause_swap="supplier_as_facility"))
    assert alt.amount("refund.supplier_outage") == Decimal("0.00")
    assert alt.amount("refund.facility_outage") == -fen(D * 2)

    alt = bill(FACILITY_2_DAYS, policy=Policy(cause_swap="facility_as_supplier"))
    assert alt.amount("refund.supplier_outage") == -fen(2 * D * 2)
    assert alt.amount("refund.facility_outage") == Decimal("0.00")

    external = make_case(no_heat=[outage("2024-12-01T00:00", "2024-12-03T00:00", "external")])
    swapped = bill(external, policy=Policy(cause_swap="facility_as_supplier"))
    assert swapped.to_dict() == bill(external).to_dict()


def test_cause_swap_reads_a_late_start_as_a_facility_outage() -> None:
    case = make_case(supply={"started_at": "2024-11-16T12:00"})  # 36 h late
    assert amount(case, "refund.supplier_outage") == -fen(2 * D * 2)
    alt = bill(case, policy=Policy(cause_swap="supplier_as_facility"))
    assert alt.amount("refund.facility_outage") == -fen(D * 1)


def test_params_season_uses_another_seasons_values_on_this_seasons_calendar() -> None:
    case = make_case(
        season="2023-2024",  # 122 days
        waiver={"kind": "cadre_widow", "has_children": True},
        no_heat=[outage("2023-12-01T00:00", "2023-12-03T00:00", "facility")],
    )
    legal = bill(case)
    old = bill(case, policy=Policy(params_season=Season(2007)))
    assert legal.amount("tariff.area") == Decimal("2500.00")
    assert old.amount("tariff.area") == Decimal("2000.00")  # 20.00 yuan/m2 before 2008-2009
    assert old.amount("waiver.cadre_widow") == Decimal("-420.00")  # WID-05
    assert old.amount("refund.facility_outage") == -fen(Fraction(2000, 122) * 2)  # N stays 122
    assert old.season == "2023-2024"


def test_params_season_without_a_rule_in_force_is_an_error() -> None:
    case = make_case(waiver={"kind": "cadre_widow", "has_children": True})
    with pytest.raises(CaseError):
        bill(case, policy=Policy(params_season="2003-2004"))  # no widow waiver before 2005


def test_season_parameters_view_keeps_the_calendar() -> None:
    from heatrules.params import Parameters

    view = SeasonParameters(Parameters.default(), Season(2007))
    assert view.period(Season(2023)).days == 122
    assert view.value("tariff.area.price.residential", Season(2024)) == Decimal("20.00")


def test_waiver_missing_leaves_it_out_and_the_late_fee_follows() -> None:
    case = make_case(waiver={"kind": "cadre_widow", "has_children": True}, as_of="2025-01-31")
    legal = bill(case)
    alt = bill(case, policy=Policy(waiver="missing"))
    assert legal.amount("waiver.cadre_widow") == Decimal("-520.00")
    assert alt.amount("waiver.cadre_widow") == Decimal("0.00")
    assert not alt.lines_of("waiver.cadre_widow")
    # owed at the due date 2500 instead of 1980, 31 days at 2 per mille
    assert alt.amount("fee.late_payment") == fen(Fraction(2500 * 31 * 2, 1000))
    assert legal.amount("fee.late_payment") == fen(Fraction(1980 * 31 * 2, 1000))


def test_waiver_extra_with_children() -> None:
    plain = make_case()
    alt = bill(plain, policy=Policy(waiver="extra_with_children"))
    assert alt.amount("waiver.cadre_widow") == Decimal("-520.00")
    # an account that has its own waiver keeps it
    widow = make_case(waiver={"kind": "cadre_widow", "has_children": False})
    assert (
        bill(widow, policy=Policy(waiver="extra_with_children")).to_dict() == bill(widow).to_dict()
    )
    # the waiver is residential only: a non-residential account gets none
    shop = make_case(account={"category": "non_residential"})
    assert bill(shop, policy=Policy(waiver="extra_with_children")).amount(
        "waiver.cadre_widow"
    ) == Decimal("0.00")
