"""Hotline work orders (items 7.1 … 7.10) as explicit state machines, replayed from events.

Each item's flow is read from its process steps in the duty catalogue (DUTY 7.x 运行流程;
services.md "The flows"): the group dispatch centre receives the call, dispatches or forwards
it (or answers it directly), the station or company customer centre handles it (7.4: measures
the temperature), the customer is called back where the seed says so (not satisfied: dispatched
again), the result is reported to the group centre, spot-checked where the seed says so (a
sample check that may be skipped) and the order is closed. An event the flow does not allow in
the current state is rejected with the events allowed there; the order keeps the full history
of accepted events with their timestamps. A 7.4 order's ``measure`` event yields the
measurement record a 6.2 application and a bill's ``temperature`` list take unchanged.

>>> order = WorkOrder("7.10", "WO-1")
>>> order.apply({"at": "2025-12-03T08:00", "event": "receive"}).target
'received'
>>> order.allowed()
('answer', 'forward')
>>> try:
...     order.apply({"at": "2025-12-03T08:05", "event": "close"})
... except InvalidEvent as exc:
...     print(exc)
event 1 'close' is not allowed in state 'received'; allowed: answer, forward
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError, model_validator

from ..case import Strict, TemperatureRecord
from ..caseio import errors_from_validation
from ..errors import CaseError, HeatrulesError
from ..fields import Area, DecimalValue, Flag, Text, Timestamp
from .catalogue import Catalogue
from .files import read_data

EVENTS = (
    "receive",
    "answer",
    "forward",
    "dispatch",
    "handle",
    "measure",
    "revisit",
    "report",
    "spot_check",
    "close",
)
"""Every event name a work order knows (services.md); the flows decide which are allowed when."""

INITIAL = "new"
"""The state of an order before its first event."""
FINAL = "closed"
"""The state after ``close``: no event may follow."""

_EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "dispatch": ("to",),
    "forward": ("to",),
    "revisit": ("satisfied",),
    "measure": ("room", "room_area_m2", "celsius", "standard_celsius"),
}
_MEASUREMENT_REQUIRED = ("room", "room_area_m2", "celsius")
_OPTIONAL_FIELDS = ("to", "satisfied", "room", "room_area_m2", "celsius", "standard_celsius")


# ---------------------------------------------------------------------- flows
@dataclass(frozen=True)
class Transition:
    """``source --event--> target``; a ``revisit`` transition also names its ``satisfied``."""

    source: str
    event: str
    target: str
    satisfied: bool | None = None


@dataclass(frozen=True)
class Flow:
    """A work-order state machine: its transitions from ``new`` to ``closed``."""

    name: str
    summary: str
    transitions: tuple[Transition, ...]

    @property
    def states(self) -> tuple[str, ...]:
        """Every state of the flow, in order of first appearance (``new`` first)."""
        seen = [INITIAL]
        for t in self.transitions:
            for s in (t.source, t.target):
                if s not in seen:
                    seen.append(s)
        return tuple(seen)

    def allowed(self, state: str) -> tuple[str, ...]:
        """The event names allowed in ``state`` (none after ``close``)."""
        return tuple(dict.fromkeys(t.event for t in self.transitions if t.source == state))

    def step(self, state: str, event: str, satisfied: bool | None = None) -> str | None:
        """The state ``event`` leads to from ``state``, or None when the flow does not allow it."""
        for t in self.transitions:
            if t.source == state and t.event == event and t.satisfied == satisfied:
                return t.target
        return None

    def mermaid(self) -> str:
        """The flow as a Mermaid state diagram (the docs show exactly this text)."""
        lines = ["stateDiagram-v2"]
        for t in self.transitions:
            source = "[*]" if t.source == INITIAL else t.source
            label = t.event
            if t.satisfied is not None:
                label += f" satisfied={str(t.satisfied).lower()}"
            lines.append(f"    {source} --> {t.target}: {label}")
        lines.append(f"    {FINAL} --> [*]")
        return "\n".join(lines)


def _flow(
    name: str, summary: str, *rows: tuple[str, str, str] | tuple[str, str, str, bool]
) -> Flow:
    return Flow(name, summary, tuple(Transition(*row) for row in rows))


_RECEIVE = (INITIAL, "receive", "received")

REPAIR_WITH_REVISIT = _flow(
    "repair_with_revisit",  # 7.1 不热, 7.2 漏水, 7.9 维修: DUTY 7.x steps 1-6
    "receive → dispatch → handle → revisit (not satisfied: dispatch again) → report "
    "→ [spot_check] → close",
    _RECEIVE,
    ("received", "dispatch", "dispatched"),
    ("dispatched", "handle", "handled"),
    ("handled", "revisit", "not_satisfied", False),
    ("not_satisfied", "dispatch", "dispatched"),
    ("handled", "revisit", "satisfied", True),
    ("satisfied", "report", "reported"),
    ("reported", "spot_check", "spot_checked"),
    ("reported", "close", FINAL),
    ("spot_checked", "close", FINAL),
)
DISPATCH_AND_REPORT = _flow(
    "dispatch_and_report",  # 7.3 表扬, 7.5 建议, 7.6 抢修: dispatched to a company centre
    "receive → dispatch → handle → report → close",
    _RECEIVE,
    ("received", "dispatch", "dispatched"),
    ("dispatched", "handle", "handled"),
    ("handled", "report", "reported"),
    ("reported", "close", FINAL),
)
MEASUREMENT = _flow(
    "measurement",  # 7.4 测温: the station measures and the result is reported
    "receive → dispatch → measure → report → close",
    _RECEIVE,
    ("received", "dispatch", "dispatched"),
    ("dispatched", "measure", "measured"),
    ("measured", "report", "reported"),
    ("reported", "close", FINAL),
)
COMPLAINT = _flow(
    "complaint",  # 7.8 投诉: reported, then spot-checked with the user (may be skipped)
    "receive → dispatch → handle → report → [spot_check] → close",
    _RECEIVE,
    ("received", "dispatch", "dispatched"),
    ("dispatched", "handle", "handled"),
    ("handled", "report", "reported"),
    ("reported", "spot_check", "spot_checked"),
    ("reported", "close", FINAL),
    ("spot_checked", "close", FINAL),
)
SITUATION = _flow(
    "answer_or_forward_and_report",  # 7.7 情况反映: answered directly, or forwarded and reported
    "receive → answer → close | receive → forward → handle → report → close",
    _RECEIVE,
    ("received", "answer", "answered"),
    ("answered", "close", FINAL),
    ("received", "forward", "forwarded"),
    ("forwarded", "handle", "handled"),
    ("handled", "report", "reported"),
    ("reported", "close", FINAL),
)
CONSULTATION = _flow(
    "answer_or_forward",  # 7.10 咨询: answered directly, or a special question forwarded
    "receive → answer → close | receive → forward → handle → close",
    _RECEIVE,
    ("received", "answer", "answered"),
    ("answered", "close", FINAL),
    ("received", "forward", "forwarded"),
    ("forwarded", "handle", "handled"),
    ("handled", "close", FINAL),
)

FLOWS: dict[str, Flow] = {
    "7.1": REPAIR_WITH_REVISIT,
    "7.2": REPAIR_WITH_REVISIT,
    "7.3": DISPATCH_AND_REPORT,
    "7.4": MEASUREMENT,
    "7.5": DISPATCH_AND_REPORT,
    "7.6": DISPATCH_AND_REPORT,
    "7.7": SITUATION,
    "7.8": COMPLAINT,
    "7.9": REPAIR_WITH_REVISIT,
    "7.10": CONSULTATION,
}
"""The flow of every hotline item."""


# ---------------------------------------------------------------------- events
class Event(Strict):
    """One work-order event: when, what, and the fields that event carries.

    ``to`` (dispatch, forward: the station or centre), ``satisfied`` (revisit), and the
    measurement ``room``, ``room_area_m2``, ``celsius``, ``standard_celsius`` (measure, whose
    ``at`` is the measurement time). A field on an event that does not carry it is an error;
    the event name itself is checked when the order is replayed (an unknown name is an invalid
    event, not bad input).
    """

    at: Timestamp
    event: Text
    to: Text | None = None
    satisfied: Flag | None = None
    room: Text | None = None
    room_area_m2: Area | None = None
    celsius: DecimalValue | None = None
    standard_celsius: DecimalValue | None = None

    @model_validator(mode="after")
    def _fields_of_event(self) -> Event:
        if self.event not in EVENTS:
            return self
        carried = _EVENT_FIELDS.get(self.event, ())
        for name in _OPTIONAL_FIELDS:
            if getattr(self, name) is not None and name not in carried:
                raise ValueError(f"@{name}: not a field of a {self.event!r} event")
        if self.event == "measure":
            for name in _MEASUREMENT_REQUIRED:
                if getattr(self, name) is None:
                    raise ValueError(f"@{name}: required on a 'measure' event")
        return self

    def data(self) -> dict[str, Any]:
        """The event's own fields (beyond ``at`` and ``event``), as JSON-ready text."""
        out: dict[str, Any] = {}
        for name in _EVENT_FIELDS.get(self.event, ()):
            value = getattr(self, name)
            if value is not None:
                out[name] = value if isinstance(value, bool) else str(value)
        return out


def format_timestamp(t: datetime) -> str:
    """``2025-12-03T10:00`` (seconds only when there are any): local time, as inputs are written."""
    if t.second or t.microsecond:
        return t.isoformat()
    return t.isoformat(timespec="minutes")


@dataclass(frozen=True)
class HistoryEntry:
    """An accepted event: its index among the events offered, time, name and the states."""

    index: int
    at: datetime
    event: str
    source: str
    target: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "index": self.index,
            "at": format_timestamp(self.at),
            "event": self.event,
            "from": self.source,
            "to": self.target,
        }
        if self.data:
            out["data"] = dict(self.data)
        return out


class InvalidEvent(HeatrulesError):
    """An event the order cannot accept: its index, name, the state met and the events allowed."""

    def __init__(
        self,
        index: int,
        event: str,
        state: str,
        allowed: tuple[str, ...],
        reason: str,
        reason_zh: str | None = None,
    ) -> None:
        self.index = index
        self.event = event
        self.state = state
        self.allowed = allowed
        self.reason = reason
        self.reason_zh = reason_zh if reason_zh is not None else reason
        super().__init__(f"event {index} {event!r} {reason}")

    def message(self, lang: str = "en") -> str:
        """The reason in English (``en``, as ``str(exc)``) or in Chinese (``zh``)."""
        if lang == "zh":
            return f"事件 {self.index} {self.event!r} {self.reason_zh}"
        return str(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "event": self.event,
            "state": self.state,
            "allowed": list(self.allowed),
            "message": str(self),
        }


def parse_event(data: Any, path: str = "") -> Event:
    """Validate one event mapping; bad input is a CaseError naming the field under ``path``."""
    if isinstance(data, Event):
        return data
    if not isinstance(data, Mapping):
        raise CaseError.single(path, f"an event must be a mapping, got {type(data).__name__}")
    try:
        return Event.model_validate(dict(data))
    except ValidationError as exc:
        raise errors_from_validation(exc, (path,) if path else ()) from None


# ---------------------------------------------------------------------- the order
class WorkOrder:
    """A hotline work order of item 7.1 … 7.10, driven event by event along its item's flow."""

    def __init__(self, item: str, order_id: str, catalogue: Catalogue | None = None) -> None:
        catalogue = catalogue or Catalogue.default()
        found = catalogue.item(item)
        if found.id not in FLOWS:
            raise CaseError.single(
                "item",
                f"{found.id} ({found.name.zh}) is an application, not a hotline work order; "
                "check it with `heatrules apply`",
            )
        self.item = found.id
        self.name = found.name
        self.order_id = order_id
        self.flow = FLOWS[found.id]
        self.state = INITIAL
        self.history: list[HistoryEntry] = []
        self.offered = 0
        self.measurement_event: Event | None = None

    def allowed(self) -> tuple[str, ...]:
        """The events allowed in the current state."""
        return self.flow.allowed(self.state)

    def apply(self, event: Event | Mapping[str, Any]) -> HistoryEntry:
        """Accept ``event`` and move on, or raise :class:`InvalidEvent` leaving the order as it was.

        Invalid: an event after ``close``, an unknown event name, an event the flow does not
        allow in the current state, a ``revisit`` without ``satisfied``, a time earlier than
        the previous event's (equal is allowed).
        """
        index = self.offered
        ev = parse_event(event, f"events[{index}]")  # malformed: CaseError, nothing offered
        self.offered += 1
        allowed = self.allowed()

        def invalid(reason: str, reason_zh: str) -> InvalidEvent:
            return InvalidEvent(index, ev.event, self.state, allowed, reason, reason_zh)

        state = self.state
        if state == FINAL:
            raise invalid(
                "follows close: a closed order takes no more events",
                "在关闭（close）之后：已关闭的工单不再接受事件",
            )
        if ev.event not in EVENTS:
            raise invalid(
                f"is not an event (events: {', '.join(EVENTS)}); "
                f"allowed in state {state!r}: {', '.join(allowed)}",
                f"不是工单事件（事件有：{', '.join(EVENTS)}）；"
                f"状态 {state!r} 下允许：{', '.join(allowed)}",
            )
        if ev.event not in allowed:
            raise invalid(
                f"is not allowed in state {state!r}; allowed: {', '.join(allowed)}",
                f"在状态 {state!r} 下不允许；允许：{', '.join(allowed)}",
            )
        if ev.event == "revisit" and ev.satisfied is None:
            raise invalid(
                "needs satisfied: true or false (was the customer satisfied?)",
                "须注明 satisfied: true 或 false（用户是否满意？）",
            )
        target = self.flow.step(state, ev.event, ev.satisfied)
        if target is None:  # pragma: no cover - every allowed event has a transition
            raise invalid(
                f"has no transition from state {state!r}", f"在状态 {state!r} 下没有对应的转移"
            )
        if self.history and ev.at < self.history[-1].at:
            at, previous = format_timestamp(ev.at), format_timestamp(self.history[-1].at)
            raise invalid(
                f"at {at} is earlier than the previous event ({previous})",
                f"的时间 {at} 早于上一事件（{previous}）",
            )
        entry = HistoryEntry(index, ev.at, ev.event, self.state, target, ev.data())
        self.history.append(entry)
        self.state = target
        if ev.event == "measure":
            self.measurement_event = ev
        return entry

    @property
    def closed(self) -> bool:
        return self.state == FINAL

    @property
    def measurement(self) -> dict[str, str] | None:
        """A 7.4 order's measurement record, once measured: ``{room, room_area_m2, measured_at,
        celsius, standard_celsius?}`` — what a 6.2 application's ``facts.measurement`` and a
        bill's ``temperature`` list take unchanged."""
        ev = self.measurement_event
        if ev is None:
            return None
        out = {
            "room": str(ev.room),
            "room_area_m2": str(ev.room_area_m2),
            "measured_at": format_timestamp(ev.at),
            "celsius": str(ev.celsius),
        }
        if ev.standard_celsius is not None:
            out["standard_celsius"] = str(ev.standard_celsius)
        return out

    def temperature_record(self) -> TemperatureRecord | None:
        """The measurement as the bill's :class:`~heatrules.case.TemperatureRecord`."""
        data = self.measurement
        return None if data is None else TemperatureRecord.model_validate(data)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``heatrules workorder --format json`` for an order replayed in full."""
        out: dict[str, Any] = {
            "item": self.item,
            "order_id": self.order_id,
            "state": self.state,
            "history": [h.to_dict() for h in self.history],
        }
        if self.measurement is not None:
            out["measurement"] = self.measurement
        return out


@dataclass
class Replay:
    """A replayed order and, if an event was invalid, the first invalid event (replay stops)."""

    order: WorkOrder
    error: InvalidEvent | None = None

    @property
    def valid(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        if self.error is None:
            return self.order.to_dict()
        return {
            "item": self.order.item,
            "order_id": self.order.order_id,
            "error": self.error.to_dict(),
        }


def replay(
    item: str,
    order_id: str,
    events: Iterable[Event | Mapping[str, Any]],
    catalogue: Catalogue | None = None,
) -> Replay:
    """Replay ``events`` in order, stopping at the first invalid one.

    The item and every event are validated first, so a malformed event anywhere is bad input
    (:class:`~heatrules.errors.CaseError` naming ``events[i].field``), whatever the flow.
    """
    problems = _item_problems(item, catalogue)
    parsed, event_problems = _parse_events(events)
    problems += event_problems
    if problems:
        raise CaseError(problems)
    order = WorkOrder(item, order_id, catalogue)
    for ev in parsed:
        try:
            order.apply(ev)
        except InvalidEvent as exc:
            return Replay(order, exc)
    return Replay(order)


def _item_problems(item: str, catalogue: Catalogue | None) -> list[tuple[str, str]]:
    """The problems of ``item`` as a work order's item: unknown, or an application item."""
    try:
        WorkOrder(item, "", catalogue)
    except CaseError as exc:
        return list(exc.problems)
    return []


def _parse_events(
    events: Iterable[Event | Mapping[str, Any]],
) -> tuple[list[Event], list[tuple[str, str]]]:
    """Every event validated: the parsed events and the problems of the malformed ones."""
    parsed: list[Event] = []
    problems: list[tuple[str, str]] = []
    for i, raw in enumerate(events):
        try:
            parsed.append(parse_event(raw, f"events[{i}]"))
        except CaseError as exc:
            problems += exc.problems
    return parsed, problems


class _OrderFile(Strict):
    item: Text
    order_id: Text
    events: list[Any]


def parse_workorder(data: Any, source: str = "", catalogue: Catalogue | None = None) -> Replay:
    """Validate a work-order file's content ``{item, order_id, events}`` and replay it."""
    where = f"{source}: " if source else ""
    if not isinstance(data, Mapping):
        raise CaseError.single(
            source, "expected a work order: a mapping with item, order_id and events"
        )
    if "account" in data or "cases" in data:
        raise CaseError.single(
            source, "this is a billing case file, not a work order: use `heatrules bill`"
        )
    if "item" in data and "events" not in data and "order_id" not in data:
        raise CaseError.single(
            source, "this is a duty-catalogue application, not a work order: use `heatrules apply`"
        )
    # Every problem of the file at once: the item's first (an application item is not a work
    # order, whatever its events), then the file's structure, then every malformed event.
    problems: list[tuple[str, str]] = []
    model: _OrderFile | None = None
    try:
        model = _OrderFile.model_validate(dict(data))
    except ValidationError as exc:
        problems = errors_from_validation(exc).problems
    bad = {p for p, _ in problems}
    if "item" not in bad:
        problems = _item_problems(data["item"], catalogue) + problems
    events = data.get("events")
    if "events" not in bad and isinstance(events, list):
        if not events:
            problems.append(("events", "no events (an order starts with receive)"))
        problems += _parse_events(events)[1]
    if problems:
        raise CaseError(
            [
                (f"{where}{p}", m.replace("the case format", "the work-order format"))
                for p, m in problems
            ]
        )
    assert model is not None
    return replay(model.item, model.order_id, model.events, catalogue)


def read_workorder(path: str | Path, catalogue: Catalogue | None = None) -> Replay:
    """Read a work-order file (JSON or YAML) and replay it."""
    return parse_workorder(read_data(path), str(path), catalogue)


__all__ = [
    "EVENTS",
    "FINAL",
    "FLOWS",
    "INITIAL",
    "Event",
    "Flow",
    "HistoryEntry",
    "InvalidEvent",
    "Replay",
    "Transition",
    "WorkOrder",
    "format_timestamp",
    "parse_event",
    "parse_workorder",
    "read_workorder",
    "replay",
]
