"""Application checks: every item 1.1-6.2 accepted and refused, agent rules, bad input."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heatrules.errors import CaseError
from heatrules.params import PACKAGED as PARAMS_DIR
from heatrules.params import Parameters
from heatrules.season import Season
from heatrules.services import (
    DOCUMENTS,
    Catalogue,
    check_application,
    parse_applications,
)

CAT = Catalogue.default()
SEASON = "2025-2026"
MEASUREMENT = {
    "room": "bedroom",
    "room_area_m2": "14.00",
    "measured_at": "2025-12-03T10:00",
    "celsius": "15.5",
}

ACCEPTED: dict[str, dict[str, Any]] = {
    "1.1": {"documents": ["ownership_proof", "supply_contract"], "facts": {"in_network": True}},
    "1.2": {"documents": ["payment_card"], "facts": {"in_network": True}},
    "2.1": {
        "season": SEASON,
        "applied_on": "2025-09-18",
        "documents": ["ownership_proof", "id_card", "suspension_form", "suspension_agreement"],
        "facts": {"in_warranty": False},
    },
    "2.2": {
        "season": SEASON,
        "applied_on": "2025-09-30",
        "documents": ["ownership_proof", "id_card", "suspension_form", "suspension_agreement"],
        "facts": {"in_warranty": False},
    },
    "3.1": {
        "category": "non_residential",
        "season": SEASON,
        "applied_on": "2025-08-01",
        "documents": [
            "ownership_proof",
            "legal_rep_id",
            "unit_suspension_request",
            "suspension_agreement",
        ],
        "facts": {"in_warranty": False},
    },
    "4.1": {
        "season": SEASON,
        "applied_on": "2025-09-01",
        "documents": ["ownership_proof", "legal_rep_id", "restoration_request"],
        "facts": {"arrears": "0.00"},
    },
    "4.2": {
        "season": SEASON,
        "applied_on": "2025-09-01",
        "documents": ["ownership_proof", "id_card", "restoration_request"],
        "facts": {"arrears": "0"},
    },
    "5.1": {
        "category": "residential",
        "documents": ["ownership_proof", "transferor_id_card", "transferee_id_card"],
        "facts": {"arrears": "0.00"},
    },
    "6.1": {
        "category": "residential",
        "documents": [
            "household_register",
            "retirement_certificate",
            "supply_contract",
            "heating_office_certificate",
        ],
        "facts": {"city_office_approved": True},
    },
    "6.2": {
        "season": SEASON,
        "applied_on": "2025-12-05",
        "documents": ["measurement_record", "supply_contract", "ownership_proof", "id_card"],
        "facts": {"measurement": MEASUREMENT},
    },
}


def app(item: str, **changes: Any) -> dict[str, Any]:
    """The accepted application of ``item`` with ``changes`` (``facts`` merges; None deletes)."""
    data = copy.deepcopy(ACCEPTED[item])
    data["item"] = item
    for key, value in changes.items():
        if key == "facts":
            for fact, v in value.items():
                if v is None:
                    data["facts"].pop(fact, None)
                else:
                    data["facts"][fact] = v
        elif value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def failed(decision: Any) -> list[str]:
    return [f.check for f in decision.failed_checks]


APPLICATION_ITEMS = [i.id for i in CAT if i.is_application]


def test_every_application_item_has_an_accepted_example() -> None:
    assert sorted(ACCEPTED) == sorted(APPLICATION_ITEMS)


@pytest.mark.parametrize("item", APPLICATION_ITEMS)
def test_accepted(item: str) -> None:
    d = check_application(app(item))
    assert d.accepted, d.to_dict()
    assert d.to_dict() == {
        "item": item,
        "accepted": True,
        "missing_documents": [],
        "failed_checks": [],
    }


REFUSED: list[tuple[str, dict[str, Any], list[str], list[str]]] = [
    ("1.1", {"facts": {"in_network": False}}, ["in_network"], []),
    ("1.1", {"facts": {"in_network": None}}, ["in_network"], []),
    ("1.2", {"documents": []}, ["documents_complete"], ["payment_card"]),
    ("1.2", {"facts": {"in_network": False}}, ["in_network"], []),
    ("2.1", {"applied_on": "2025-10-01"}, ["applied_by_deadline"], []),
    ("2.1", {"facts": {"in_warranty": True}}, ["not_in_warranty"], []),
    ("2.2", {"facts": {"in_warranty": None}}, ["not_in_warranty"], []),
    (
        "2.2",
        {"documents": ["ownership_proof", "id_card"]},
        ["documents_complete"],
        ["suspension_form", "suspension_agreement"],
    ),
    ("3.1", {"applied_on": "2026-09-30"}, ["applied_by_deadline"], []),
    (
        "3.1",
        {"facts": {"in_warranty": True}, "documents": ["ownership_proof"]},
        ["documents_complete", "not_in_warranty"],
        ["legal_rep_id", "unit_suspension_request", "suspension_agreement"],
    ),
    ("4.1", {"facts": {"arrears": "0.01"}}, ["arrears_cleared"], []),
    ("4.1", {"applied_on": "2025-11-20"}, ["applied_by_deadline"], []),
    ("4.2", {"facts": {"arrears": None}}, ["arrears_cleared"], []),
    (
        "4.2",
        {"facts": {"arrears": "312.50"}, "applied_on": "2025-10-08"},
        ["applied_by_deadline", "arrears_cleared"],
        [],
    ),
    ("5.1", {"facts": {"arrears": "88.88"}}, ["arrears_cleared"], []),
    ("5.1", {"category": "non_residential"}, ["documents_complete"], ["unit_change_request"]),
    (
        "5.1",
        {"documents": ["ownership_proof", "transferor_id_card"]},
        ["documents_complete"],
        ["transferee_id_card"],
    ),
    ("6.1", {"category": "non_residential"}, ["residential_account"], []),
    ("6.1", {"facts": {"city_office_approved": False}}, ["city_office_approved"], []),
    ("6.1", {"facts": {"city_office_approved": None}}, ["city_office_approved"], []),
    ("6.2", {"facts": {"measurement": {**MEASUREMENT, "celsius": "18.0"}}}, ["below_standard"], []),
    (
        "6.2",
        {"facts": {"measurement": None}},
        ["measurement_in_season", "measurement_time_of_day", "below_standard", "no_user_fault"],
        [],
    ),
    ("6.2", {"season": "2024-2025"}, ["measurement_in_season"], []),
    (
        "6.2",
        {"facts": {"measurement": {**MEASUREMENT, "measured_at": "2025-12-03T21:01"}}},
        ["measurement_time_of_day"],
        [],
    ),
    (
        "6.2",
        {"facts": {"measurement": {**MEASUREMENT, "user_fault": "covered_radiator"}}},
        ["no_user_fault"],
        [],
    ),
]


@pytest.mark.parametrize(("item", "changes", "checks", "missing"), REFUSED)
def test_refused(item: str, changes: dict[str, Any], checks: list[str], missing: list[str]) -> None:
    d = check_application(app(item, **changes))
    assert not d.accepted
    assert failed(d) == checks
    assert list(d.missing_documents) == missing
    for f in d.failed_checks:
        assert f.citation.document and f.citation.article and f.citation.text
        assert f.message_zh and f.message_en


def test_every_application_item_has_a_refused_example() -> None:
    assert {r[0] for r in REFUSED} == set(APPLICATION_ITEMS)


def test_every_check_is_exercised_by_a_refusal() -> None:
    assert {c for r in REFUSED for c in r[2]} == set(CAT.checks)


# ---------------------------------------------------------------------- citations and messages
def test_deadline_failure_cites_sus_art_3_from_the_parameters() -> None:
    d = check_application(app("2.1", applied_on="2025-10-01"))
    (f,) = d.failed_checks
    assert f.citation == Parameters.default().citation("suspension.apply_by", Season.parse(SEASON))
    assert f.citation.document == "SUS" and f.citation.article == "第三条"
    assert "2025-09-30" in f.message_en and "2025-10-01" in f.message_zh


def test_warranty_failure_names_the_warranty_from_the_parameters() -> None:
    (f,) = check_application(app("2.1", facts={"in_warranty": True})).failed_checks
    seasons = Parameters.default().value("suspension.warranty_seasons", Season.parse(SEASON))
    assert f"{seasons} heating seasons" in f.message_en
    assert f.citation.document == "WAR"


def test_arrears_failure_cites_sus_art_6_and_reg_art_18() -> None:
    (f,) = check_application(app("5.1", facts={"arrears": "10.00"})).failed_checks
    assert f.citation.document == "SUS; REG"
    assert f.citation.article == "第六条; 第十八条"
    assert "10.00" in f.message_zh


def test_not_established_says_so() -> None:
    (f,) = check_application(app("2.1", facts={"in_warranty": None})).failed_checks
    assert "not established" in f.message_en and "facts.in_warranty" in f.message_en


def test_documents_failure_cites_the_items_required_documents() -> None:
    d = check_application(app("1.2", documents=[]))
    assert d.failed_checks[0].citation.document == "DUTY"
    assert d.failed_checks[0].citation.article == "1.2 运行要件"
    assert d.failed_checks[0].citation.text == "缴费信息卡"


def test_the_deadline_comes_from_the_parameter_data(tmp_path: Path) -> None:
    """Move the deadline to 15 September in a copy of the parameters: 18 September is late."""
    folder = tmp_path / "params"
    shutil.copytree(PARAMS_DIR, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = folder / "suspension.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('value: "09-30"', 'value: "09-15"'), encoding="utf-8")
    params = Parameters.load(folder)
    assert check_application(app("2.1")).accepted
    d = check_application(app("2.1"), params=params)
    assert failed(d) == ["applied_by_deadline"]
    assert "2025-09-15" in d.failed_checks[0].message_en


# ---------------------------------------------------------------------- boundaries
@pytest.mark.parametrize(
    ("applied_on", "ok"),
    [("2025-09-29", True), ("2025-09-30", True), ("2025-10-01", False), ("2024-12-01", True)],
)
def test_deadline_boundary_is_inclusive(applied_on: str, ok: bool) -> None:
    assert check_application(app("2.1", applied_on=applied_on)).accepted is ok


@pytest.mark.parametrize(
    ("measured_at", "ok"),
    [
        ("2025-12-03T08:00", True),
        ("2025-12-03T07:59", False),
        ("2025-12-03T21:00", True),
        ("2025-12-03T21:00:01", False),
        ("2025-11-15T08:00", True),
        ("2025-11-14T10:00", False),
        ("2026-03-15T20:00", True),
        ("2026-03-16T10:00", False),
        ("2025-12-03T02:00:00Z", True),  # 10:00 in Asia/Shanghai
    ],
)
def test_measurement_time_boundaries(measured_at: str, ok: bool) -> None:
    measurement = {**MEASUREMENT, "measured_at": measured_at}
    assert check_application(app("6.2", facts={"measurement": measurement})).accepted is ok


def test_restored_at_is_a_measurement_too() -> None:
    measurement = {**MEASUREMENT, "restored_at": "2025-12-08T22:00"}
    d = check_application(app("6.2", facts={"measurement": measurement}))
    assert failed(d) == ["measurement_time_of_day"]
    assert "restored_at" in d.failed_checks[0].message_en


@pytest.mark.parametrize(
    ("celsius", "standard", "ok"),
    [
        ("17.9", None, True),
        ("18.0", None, False),
        ("18", None, False),
        ("25", None, False),
        ("15.9", "16.0", True),
        ("16.0", "16.0", False),
        ("17.0", "16.0", False),
    ],
)
def test_below_standard(celsius: str, standard: str | None, ok: bool) -> None:
    measurement = {**MEASUREMENT, "celsius": celsius}
    if standard is not None:
        measurement["standard_celsius"] = standard
    assert check_application(app("6.2", facts={"measurement": measurement})).accepted is ok


def test_deemed_failure_needs_no_reading() -> None:
    measurement = {k: v for k, v in MEASUREMENT.items() if k != "celsius"}
    measurement["deemed_failure"] = True
    assert check_application(app("6.2", facts={"measurement": measurement})).accepted


# ---------------------------------------------------------------------- agents
AGENT_DOCS = {"power_of_attorney", "agent_id_card"}


@pytest.mark.parametrize("item", APPLICATION_ITEMS)
def test_an_agent_needs_a_power_of_attorney_and_an_id(item: str) -> None:
    d = check_application(app(item, applicant="agent"))
    assert failed(d) == ["documents_complete"]
    assert AGENT_DOCS <= set(d.missing_documents)
    agent = CAT.item(item).documents.agent
    assert agent is not None
    docs = [x for x in ACCEPTED[item]["documents"] if x not in agent.replaces] + list(agent.adds)
    assert check_application(app(item, applicant="agent", documents=docs)).accepted


@pytest.mark.parametrize("item", ["2.1", "2.2", "4.2"])
def test_an_agents_documents_replace_the_id_card(item: str) -> None:
    docs = [d for d in ACCEPTED[item]["documents"] if d != "id_card"]
    docs += ["power_of_attorney", "owner_id_copy", "agent_id_card"]
    assert check_application(app(item, applicant="agent", documents=docs)).accepted
    # without the copy of the owner's ID the agent is refused
    d = check_application(
        app(item, applicant="agent", documents=[x for x in docs if x != "owner_id_copy"])
    )
    assert d.missing_documents == ("owner_id_copy",)


@pytest.mark.parametrize("item", ["3.1", "4.1"])
def test_an_agent_for_a_unit_still_needs_the_legal_representatives_id(item: str) -> None:
    docs = [d for d in ACCEPTED[item]["documents"] if d != "legal_rep_id"] + sorted(AGENT_DOCS)
    d = check_application(app(item, applicant="agent", documents=docs))
    assert d.missing_documents == ("legal_rep_id",)


def test_a_transfer_by_an_agent_keeps_both_parties_ids() -> None:
    docs = ["ownership_proof", "power_of_attorney", "owner_id_copy", "agent_id_card"]
    d = check_application(app("5.1", applicant="agent", documents=docs))
    assert d.missing_documents == ("transferor_id_card", "transferee_id_card")


def test_agent_decision_items_cite_the_decision() -> None:
    d = check_application(app("1.1", applicant="agent"))
    assert "HR" in d.failed_checks[0].citation.document


def test_extra_and_repeated_documents_are_fine() -> None:
    docs = [*ACCEPTED["1.2"]["documents"], "id_card", "payment_card", "household_register"]
    assert check_application(app("1.2", documents=docs)).accepted


@settings(max_examples=150, deadline=None)
@given(
    item=st.sampled_from(APPLICATION_ITEMS),
    docs=st.lists(st.sampled_from(sorted(DOCUMENTS)), max_size=12),
    applicant=st.sampled_from(["owner", "agent"]),
)
def test_missing_documents_are_exactly_the_required_not_presented(
    item: str, docs: list[str], applicant: str
) -> None:
    data = app(item, documents=docs, applicant=applicant)
    d = check_application(data)
    required = CAT.item(item).documents.for_applicant(applicant, data.get("category"))  # type: ignore[arg-type]
    assert d.missing_documents == tuple(r for r in required if r not in docs)
    assert ("documents_complete" in failed(d)) == bool(d.missing_documents)
    assert d.accepted == (not d.failed_checks)
    # presenting every document never leaves one missing
    full = check_application(app(item, documents=sorted(DOCUMENTS), applicant=applicant))
    assert full.missing_documents == ()


# ---------------------------------------------------------------------- bad input
def _error(data: Any) -> str:
    with pytest.raises(CaseError) as info:
        parse_applications(data, "apps.yaml")
    return str(info.value)


def test_unknown_document_code_names_the_field() -> None:
    apps = [app("1.2"), app("1.2"), app("2.1", documents=["ownership_proof", "id_crad"])]
    assert _error(apps) == (
        "apps.yaml: applications[2].documents[1]: unknown document code 'id_crad' "
        "(did you mean 'id_card'?)"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"item": "2.3"}, "applications[0].item: unknown item '2.3'"),
        (
            {"item": "7.1"},
            "applications[0].item: 7.1 (客户热线服务-报修不热) is a hotline work order",
        ),
        ({"item": 2.1}, "applications[0].item: must be text"),
        (
            {**app("1.2"), "facts": {"in_netwrok": True}},
            "applications[0].facts.in_netwrok: unknown fact",
        ),
        (
            {**app("1.2"), "applicant": "friend"},
            "applications[0].applicant: Input should be 'owner' or 'agent'",
        ),
        ({**app("1.2"), "categroy": "residential"}, "applications[0].categroy: unknown key"),
        (
            app("2.1", applied_on="2025-9-18"),
            "applications[0].applied_on: '2025-9-18' is not an ISO",
        ),
        (
            app("2.1", applied_on="2025-09-31"),
            "applications[0].applied_on: '2025-09-31' is not a valid date",
        ),
        (app("2.1", applied_on="2025-09-18T10:00"), "applications[0].applied_on"),
        (app("2.1", season="2025-2027"), "applications[0].season"),
        (app("2.1", season=None), "applications[0].season: required for item 2.1"),
        (app("2.1", applied_on=None), "applications[0].applied_on: required for item 2.1"),
        (app("5.1", category=None), "applications[0].category: required for item 5.1"),
        (app("6.1", category=None), "applications[0].category: required for item 6.1"),
        (app("6.2", season=None), "applications[0].season: required for item 6.2"),
        (
            app("4.2", facts={"arrears": "-1.00"}),
            "applications[0].facts.arrears: -1.00 must not be negative",
        ),
        (
            app("4.2", facts={"arrears": "1.005"}),
            "applications[0].facts.arrears: 1.005 has more than 2 decimals",
        ),
        (app("4.2", facts={"arrears": True}), "applications[0].facts.arrears: a boolean"),
        (app("4.2", facts={"arrears": "1,000.00"}), "applications[0].facts.arrears"),
        (
            app("2.1", facts={"in_warranty": "no"}),
            "applications[0].facts.in_warranty: expected true or false",
        ),
        (
            app("6.2", facts={"measurement": {**MEASUREMENT, "measured_at": "2025-12-03"}}),
            "applications[0].facts.measurement.measured_at: '2025-12-03' is not an ISO 8601 timestamp",
        ),
        (
            app("6.2", facts={"measurement": {**MEASUREMENT, "colour": "red"}}),
            "applications[0].facts.measurement.colour: unknown key",
        ),
        (app("1.2", documents=[True]), "applications[0].documents[0]: a document code is text"),
        ("1.2", "expected an application, a list of them or {applications: [...]}"),
        ([], "no applications in the file"),
        (
            {"applications": [app("1.2")], "extra": 1},
            "unknown top-level keys beside 'applications'",
        ),
        (["1.2"], "applications[0]: an application must be a mapping, got str"),
    ],
)
def test_bad_input_names_the_field(data: Any, message: str) -> None:
    assert message in _error(data)


def test_every_bad_application_is_reported_at_once() -> None:
    message = _error([{"item": "9.9"}, app("1.2"), app("1.2", documents=["cards"])])
    assert "applications[0].item" in message and "applications[2].documents[0]" in message


def _problems(data: Any) -> list[tuple[str, str]]:
    with pytest.raises(CaseError) as info:
        parse_applications(data, "apps.yaml")
    return info.value.problems


def test_a_bad_document_code_does_not_hide_a_missing_required_field() -> None:
    # user trial: the missing season appeared only once the document code was fixed
    bad = app("2.1", season=None, documents=["ownership_proof", "id_crad"])
    assert [p for p, _ in _problems([bad])] == [
        "apps.yaml: applications[0].documents[1]",
        "apps.yaml: applications[0].season",
    ]


def test_a_malformed_field_does_not_hide_the_item_or_the_other_fields() -> None:
    problems = _problems(
        [
            {"item": "7.1", "documents": ["bogus"]},
            {"item": "9.9", "applicant": "friend"},
            app("4.2", season=None, applied_on=None, facts={"arrears": "1.234"}),
        ]
    )
    where = [p.removeprefix("apps.yaml: ") for p, _ in problems]
    assert where == [
        "applications[0].item",  # a work order, reported first
        "applications[0].documents[0]",
        "applications[1].item",  # unknown item
        "applications[1].applicant",
        "applications[2].facts.arrears",
        "applications[2].season",
        "applications[2].applied_on",
    ]
    assert "is a hotline work order" in problems[0][1]
    assert "unknown item '9.9'" in problems[2][1]


def test_a_malformed_required_field_is_reported_once() -> None:
    problems = _problems([app("2.1", applied_on="2025-9-18")])
    assert [p for p, _ in problems] == ["apps.yaml: applications[0].applied_on"]
    assert "not an ISO" in problems[0][1]


def test_check_application_reports_every_problem_too() -> None:
    with pytest.raises(CaseError) as info:
        check_application(app("6.2", season=None, documents=["measurement_recrod"]))
    assert [p for p, _ in info.value.problems] == ["documents[0]", "season"]


def test_file_forms() -> None:
    one = parse_applications(app("1.2"))
    many = parse_applications({"applications": [app("1.2"), app("2.1")]})
    assert [a.item for a in one] == ["1.2"]
    assert [a.item for a in many] == ["1.2", "2.1"]
