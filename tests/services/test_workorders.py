"""Hotline work orders: every flow's happy path and invalid transitions, history, 7.4 -> 6.2."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heatrules import bill
from heatrules.case import Case, TemperatureRecord
from heatrules.errors import CaseError
from heatrules.services import (
    EVENTS,
    FLOWS,
    InvalidEvent,
    WorkOrder,
    check_application,
    replay,
)
from heatrules.services.workorders import FINAL, INITIAL, parse_workorder

T0 = datetime(2025, 12, 3, 8, 0)
MEASURE = {"room": "bedroom", "room_area_m2": "14.00", "celsius": "15.5"}


def events(*names: str | tuple[str, dict[str, Any]], start: datetime = T0) -> list[dict[str, Any]]:
    """Events 10 minutes apart; a name may carry its fields as ``(name, {fields})``."""
    out = []
    for n, spec in enumerate(names):
        name, fields = (spec, {}) if isinstance(spec, str) else spec
        at = start + timedelta(minutes=10 * n)
        out.append({"at": at.isoformat(timespec="minutes"), "event": name, **fields})
    return out


SATISFIED = ("revisit", {"satisfied": True})
UNSATISFIED = ("revisit", {"satisfied": False})
TO_STATION = ("dispatch", {"to": "station-7"})

HAPPY: dict[str, list[tuple[str | tuple[str, dict[str, Any]], ...]]] = {
    "7.1": [
        (
            "receive",
            TO_STATION,
            "handle",
            UNSATISFIED,
            TO_STATION,
            "handle",
            SATISFIED,
            "report",
            "spot_check",
            "close",
        ),
        ("receive", "dispatch", "handle", SATISFIED, "report", "close"),
    ],
    "7.2": [("receive", TO_STATION, "handle", SATISFIED, "report", "spot_check", "close")],
    "7.3": [("receive", ("dispatch", {"to": "company-centre"}), "handle", "report", "close")],
    "7.4": [("receive", TO_STATION, ("measure", MEASURE), "report", "close")],
    "7.5": [("receive", "dispatch", "handle", "report", "close")],
    "7.6": [("receive", "dispatch", "handle", "report", "close")],
    "7.7": [
        ("receive", "answer", "close"),
        ("receive", ("forward", {"to": "company-centre"}), "handle", "report", "close"),
    ],
    "7.8": [
        ("receive", "dispatch", "handle", "report", "spot_check", "close"),
        ("receive", "dispatch", "handle", "report", "close"),
    ],
    "7.9": [
        (
            "receive",
            TO_STATION,
            "handle",
            UNSATISFIED,
            "dispatch",
            "handle",
            UNSATISFIED,
            "dispatch",
            "handle",
            SATISFIED,
            "report",
            "close",
        )
    ],
    "7.10": [
        ("receive", "answer", "close"),
        ("receive", "forward", "handle", "close"),
    ],
}

# (events before the invalid one, the invalid event, the events allowed there)
INVALID: dict[str, tuple[tuple[str | tuple[str, dict[str, Any]], ...], str, list[str]]] = {
    "7.1": (("receive", "dispatch", "handle"), "report", ["revisit"]),
    "7.2": (("receive", "dispatch", "handle", UNSATISFIED), "handle", ["dispatch"]),
    "7.3": (("receive", "dispatch", "handle"), "revisit", ["report"]),
    "7.4": (("receive", "dispatch"), "handle", ["measure"]),
    "7.5": (("receive",), "answer", ["dispatch"]),
    "7.6": (("receive", "dispatch", "handle", "report"), "spot_check", ["close"]),
    "7.7": (("receive", "answer"), "report", ["close"]),
    "7.8": (("receive", "dispatch", "handle"), "close", ["report"]),
    "7.9": (("receive", "dispatch", "handle", SATISFIED), "close", ["report"]),
    "7.10": (("receive", "forward", "handle"), "report", ["close"]),
}


def test_every_hotline_item_has_tests() -> None:
    assert set(HAPPY) == set(INVALID) == set(FLOWS)


@pytest.mark.parametrize(
    ("item", "path"), [(item, path) for item, paths in HAPPY.items() for path in paths]
)
def test_happy_path(item: str, path: tuple[Any, ...]) -> None:
    evs = events(*path)
    result = replay(item, "WO-1", evs)
    assert result.valid, result.to_dict()
    order = result.order
    assert order.state == FINAL and order.closed
    assert len(order.history) == len(evs)
    assert [h.event for h in order.history] == [e["event"] for e in evs]
    assert order.history[0].source == INITIAL
    for before, after in zip(order.history, order.history[1:], strict=False):
        assert after.source == before.target
    data = result.to_dict()
    assert data["state"] == "closed"
    assert [h["index"] for h in data["history"]] == list(range(len(evs)))
    assert data["history"][0] == {
        "index": 0,
        "at": "2025-12-03T08:00",
        "event": "receive",
        "from": "new",
        "to": "received",
    }
    assert ("measurement" in data) == (item == "7.4")


@pytest.mark.parametrize("item", list(INVALID))
def test_invalid_transition_names_the_allowed_events(item: str) -> None:
    before, bad, allowed = INVALID[item]
    evs = [*events(*before), *events(bad, start=T0 + timedelta(days=1))]
    result = replay(item, "WO-2", evs)
    assert not result.valid
    err = result.error
    assert err is not None
    assert (err.index, err.event, list(err.allowed)) == (len(before), bad, allowed)
    assert err.state == result.order.state
    assert len(result.order.history) == len(before)
    assert result.to_dict() == {
        "item": item,
        "order_id": "WO-2",
        "error": {
            "index": len(before),
            "event": bad,
            "state": err.state,
            "allowed": allowed,
            "message": str(err),
        },
    }
    assert f"allowed: {', '.join(allowed)}" in str(err)


def test_the_order_is_unchanged_by_a_rejected_event() -> None:
    order = WorkOrder("7.5", "WO-3")
    order.apply(events("receive")[0])
    with pytest.raises(InvalidEvent):
        order.apply({"at": "2025-12-03T09:00", "event": "close"})
    assert order.state == "received" and len(order.history) == 1
    entry = order.apply({"at": "2025-12-03T09:00", "event": "dispatch"})
    assert entry.index == 2 and order.state == "dispatched"


@pytest.mark.parametrize(
    ("evs", "index", "reason"),
    [
        (events("receive", "dispatch", "handle", "revisit"), 3, "needs satisfied"),
        (events("receive", "sing"), 1, "is not an event"),
        (
            events("receive", "dispatch", "handle", SATISFIED, "report", "close", "close"),
            6,
            "follows close",
        ),
        (
            [
                {"at": "2025-12-03T10:00", "event": "receive"},
                {"at": "2025-12-03T09:59", "event": "dispatch"},
            ],
            1,
            "is earlier than the previous",
        ),
        (events("dispatch"), 0, "is not allowed in state 'new'; allowed: receive"),
    ],
)
def test_invalid_events(evs: list[dict[str, Any]], index: int, reason: str) -> None:
    result = replay("7.1", "WO-4", evs)
    assert result.error is not None
    assert result.error.index == index
    assert reason in str(result.error)


@pytest.mark.parametrize(
    ("evs", "reason_zh"),
    [
        (events("receive", "dispatch", "handle", "revisit"), "须注明 satisfied: true 或 false"),
        (events("receive", "sing"), "不是工单事件"),
        (
            events("receive", "dispatch", "handle", SATISFIED, "report", "close", "close"),
            "已关闭的工单不再接受事件",
        ),
        (
            [
                {"at": "2025-12-03T10:00", "event": "receive"},
                {"at": "2025-12-03T09:59", "event": "dispatch"},
            ],
            "的时间 2025-12-03T09:59 早于上一事件（2025-12-03T10:00）",
        ),
        (events("dispatch"), "事件 0 'dispatch' 在状态 'new' 下不允许；允许：receive"),
    ],
)
def test_invalid_events_have_a_chinese_reason(evs: list[dict[str, Any]], reason_zh: str) -> None:
    error = replay("7.1", "WO-4", evs).error
    assert error is not None
    assert reason_zh in error.message("zh")
    assert error.message("en") == str(error)  # English unchanged
    assert not any(word in error.message("zh") for word in ("allowed", "state", "event "))


def test_equal_timestamps_are_allowed() -> None:
    evs = [{"at": "2025-12-03T10:00", "event": e} for e in ("receive", "answer", "close")]
    assert replay("7.10", "WO-5", evs).valid


def test_offsets_are_converted_to_local_time() -> None:
    evs = [
        {"at": "2025-12-03T02:00:00Z", "event": "receive"},  # 10:00 local
        {"at": "2025-12-03T10:00+08:00", "event": "answer"},
    ]
    result = replay("7.10", "WO-6", evs)
    assert result.valid
    assert result.to_dict()["history"][0]["at"] == "2025-12-03T10:00"


def test_an_event_after_close_is_invalid_with_nothing_allowed() -> None:
    result = replay("7.10", "WO-7", events("receive", "answer", "close", "receive"))
    assert result.error is not None and result.error.allowed == ()
    assert result.error.state == "closed"


# ---------------------------------------------------------------------- bad input (exit 2)
@pytest.mark.parametrize(
    ("evs", "message"),
    [
        (
            [{"at": "2025-12-03", "event": "receive"}],
            "events[0].at: '2025-12-03' is not an ISO 8601",
        ),
        ([{"event": "receive"}], "events[0].at: required field is missing"),
        (
            [{"at": "2025-12-03T08:00", "event": "receive", "to": "x"}],
            "events[0].to: not a field of a 'receive' event",
        ),
        (
            [{"at": "2025-12-03T08:00", "event": "dispatch", "satisfied": True}],
            "events[0].satisfied: not a field of a 'dispatch' event",
        ),
        (
            [{"at": "2025-12-03T08:00", "event": "measure", "room": "bedroom", "celsius": "15"}],
            "events[0].room_area_m2: required on a 'measure' event",
        ),
        (
            [{"at": "2025-12-03T08:00", "event": "measure", **MEASURE, "room_area_m2": "0"}],
            "events[0].room_area_m2: 0 must be greater than 0",
        ),
        (
            [{"at": "2025-12-03T08:00", "event": "measure", **MEASURE, "celsius": "15,5"}],
            "events[0].celsius",
        ),
        (
            [{"at": "2025-12-03T08:00", "event": "revisit", "satisfied": "yes"}],
            "events[0].satisfied: expected true or false",
        ),
        (
            [{"at": "2025-12-03T08:00", "event": "receive", "note": "hi"}],
            "events[0].note: unknown key",
        ),
        (["receive"], "events[0]: an event must be a mapping"),
    ],
)
def test_malformed_events_are_bad_input(evs: list[Any], message: str) -> None:
    with pytest.raises(CaseError) as info:
        replay("7.4", "WO-8", evs)
    assert message in str(info.value)


def test_a_malformed_event_anywhere_is_bad_input_even_after_an_invalid_one() -> None:
    evs = [*events("receive", "close"), {"at": "nope", "event": "close"}]
    with pytest.raises(CaseError, match=r"events\[2\]\.at"):
        replay("7.1", "WO-9", evs)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"item": "2.1", "order_id": "x", "events": events("receive")},
            "f.yaml: item: 2.1 (居民停热申请-报停业务) is an application",
        ),
        ({"item": "7.11", "order_id": "x", "events": events("receive")}, "unknown item '7.11'"),
        (
            {"item": "7.1", "events": events("receive")},
            "f.yaml: order_id: required field is missing",
        ),
        ({"item": "7.1", "order_id": "x", "events": []}, "f.yaml: events: no events"),
        (
            {"item": "7.1", "order_id": "x", "events": events("receive"), "extra": 1},
            "f.yaml: extra: unknown key (not in the work-order format",
        ),
        ({"item": "7.1", "order_id": 12, "events": events("receive")}, "order_id: must be text"),
        ([1, 2], "f.yaml: expected a work order"),
    ],
)
def test_malformed_orders_are_bad_input(data: Any, message: str) -> None:
    with pytest.raises(CaseError) as info:
        parse_workorder(data, "f.yaml")
    assert message in str(info.value)


def test_an_application_item_is_reported_before_its_events() -> None:
    # user trial: item 2.1 with `events: []` said "no events", not that 2.1 is an application
    with pytest.raises(CaseError) as info:
        parse_workorder({"item": "2.1", "order_id": "x", "events": []}, "f.yaml")
    problems = info.value.problems
    assert problems[0][0] == "f.yaml: item"
    assert "is an application, not a hotline work order" in problems[0][1]
    assert problems[1] == ("f.yaml: events", "no events (an order starts with receive)")


def test_every_problem_of_an_order_file_is_reported_at_once() -> None:
    data = {
        "item": "2.1",
        "events": [
            {"at": "2025-12-03", "event": "receive"},
            {"at": "2025-12-03T08:00", "event": "dispatch", "satisfied": True},
        ],
        "extra": 1,
    }
    with pytest.raises(CaseError) as info:
        parse_workorder(data, "f.yaml")
    assert [p.removeprefix("f.yaml: ") for p, _ in info.value.problems] == [
        "item",
        "order_id",
        "extra",
        "events[0].at",
        "events[1].satisfied",
    ]


def test_replay_reports_the_item_and_the_malformed_events_together() -> None:
    with pytest.raises(CaseError) as info:
        replay("4.2", "WO-11", [{"at": "nope", "event": "receive"}])
    assert [p for p, _ in info.value.problems] == ["item", "events[0].at"]


# ---------------------------------------------------------------------- 7.4 -> 6.2 and bills
def _measured_order(**fields: str) -> WorkOrder:
    measure = ("measure", {**MEASURE, **fields})
    result = replay("7.4", "WO-10", events("receive", "dispatch", measure, "report", "close"))
    assert result.valid
    return result.order


def test_measurement_is_the_temperature_record_format() -> None:
    order = _measured_order()
    assert order.measurement == {
        "room": "bedroom",
        "room_area_m2": "14.00",
        "measured_at": "2025-12-03T08:20",
        "celsius": "15.5",
    }
    record = TemperatureRecord.model_validate(order.measurement)
    assert record == order.temperature_record()
    assert record.measured_at == datetime(2025, 12, 3, 8, 20)


def test_measurement_carries_a_given_standard() -> None:
    order = _measured_order(standard_celsius="16.0")
    assert order.measurement is not None
    assert order.measurement["standard_celsius"] == "16.0"


def test_no_measurement_before_measure() -> None:
    result = replay("7.4", "WO-11", events("receive", "dispatch"))
    assert result.order.measurement is None and result.order.temperature_record() is None
    assert "measurement" not in result.to_dict()


def test_a_measurement_feeds_a_temperature_refund_application_unchanged() -> None:
    order = _measured_order()
    application = {
        "item": "6.2",
        "season": "2025-2026",
        "applied_on": "2025-12-05",
        "documents": ["measurement_record", "supply_contract", "ownership_proof", "id_card"],
        "facts": {"measurement": order.measurement},
    }
    assert check_application(application).accepted
    too_warm = _measured_order(celsius="18.5")
    application["facts"] = {"measurement": too_warm.measurement}
    d = check_application(application)
    assert [f.check for f in d.failed_checks] == ["below_standard"]


def test_a_measurement_feeds_a_bills_temperature_list_unchanged() -> None:
    order = _measured_order()
    case = Case.model_validate(
        {
            "season": "2025-2026",
            "account": {"id": "A1", "category": "residential", "billing_area_m2": "100.00"},
            "temperature": [order.measurement],
        }
    )
    assert case.temperature[0] == order.temperature_record()
    result = bill(case)
    codes = [line.code for line in result.lines]
    assert "refund.temperature" in codes


# ---------------------------------------------------------------------- the flows themselves
@pytest.mark.parametrize("item", list(FLOWS))
def test_flow_is_well_formed(item: str) -> None:
    """Deterministic; every state reachable from new; closed reachable from every state."""
    flow = FLOWS[item]
    keys = [(t.source, t.event, t.satisfied) for t in flow.transitions]
    assert len(keys) == len(set(keys))
    assert flow.allowed(INITIAL) == ("receive",)
    assert flow.allowed(FINAL) == ()
    assert {t.event for t in flow.transitions} <= set(EVENTS)
    reach = {INITIAL}
    while True:
        more = {t.target for t in flow.transitions if t.source in reach} - reach
        if not more:
            break
        reach |= more
    assert reach == set(flow.states)
    for state in flow.states:
        seen, frontier = {state}, {state}
        while frontier:
            frontier = {t.target for t in flow.transitions if t.source in frontier} - seen
            seen |= frontier
        assert FINAL in seen, state
    revisits = [t for t in flow.transitions if t.event == "revisit"]
    assert all(t.satisfied is not None for t in revisits)
    assert (len(revisits) == 2) == (item in {"7.1", "7.2", "7.9"})


EVENT = st.fixed_dictionaries(
    {"event": st.sampled_from([*EVENTS, "sing"]), "minutes": st.integers(-30, 120)},
    optional={"satisfied": st.booleans()},
)


@settings(max_examples=300, deadline=None)
@given(item=st.sampled_from(sorted(FLOWS)), steps=st.lists(EVENT, max_size=25))
def test_random_event_sequences_never_reach_an_undefined_state(
    item: str, steps: list[dict[str, Any]]
) -> None:
    order = WorkOrder(item, "WO-H")
    accepted = 0
    at = T0
    for step in steps:
        at = at + timedelta(minutes=step["minutes"])
        ev: dict[str, Any] = {"at": at.isoformat(), "event": step["event"]}
        if step["event"] == "revisit" and "satisfied" in step:
            ev["satisfied"] = step["satisfied"]
        if step["event"] == "measure":
            ev.update(MEASURE)
        state, allowed = order.state, order.allowed()
        last = order.history[-1].at if order.history else None
        try:
            entry = order.apply(ev)
        except InvalidEvent as exc:
            assert order.state == state
            assert exc.allowed == allowed
            assert (
                step["event"] not in allowed
                or (step["event"] == "revisit" and "satisfied" not in step)
                or (last is not None and at < last)
            )
        else:
            accepted += 1
            assert step["event"] in allowed
            assert entry.source == state and entry.target == order.state
        assert order.state in order.flow.states
        assert len(order.history) == accepted
    assert order.offered == len(steps)
    ats = [h.at for h in order.history]
    assert ats == sorted(ats)
