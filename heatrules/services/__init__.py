"""The duty catalogue as an interface: the 20 items, application checks and hotline work orders.

- :class:`Catalogue` — the heating group's 20 duty items (1.1 … 7.10) as validated data.
- :func:`check_application` — may a business office accept an application (1.1 … 6.2)?
- :class:`WorkOrder` / :func:`replay` — a hotline work order (7.1 … 7.10) as a state machine.

The interface (document codes, file formats, events and flows) is described in
``docs/services/``.
"""

from __future__ import annotations

from .applications import (
    FACTS,
    Application,
    Decision,
    Facts,
    FailedCheck,
    check_application,
    check_applications,
    parse_application,
    parse_applications,
    read_applications,
)
from .catalogue import CHECK_IDS, Catalogue, ServiceItem
from .documents import DOCUMENTS, DocumentKind
from .workorders import (
    EVENTS,
    FLOWS,
    Event,
    Flow,
    HistoryEntry,
    InvalidEvent,
    Replay,
    WorkOrder,
    read_workorder,
    replay,
)

__all__ = [
    "CHECK_IDS",
    "DOCUMENTS",
    "EVENTS",
    "FACTS",
    "FLOWS",
    "Application",
    "Catalogue",
    "Decision",
    "DocumentKind",
    "Event",
    "Facts",
    "FailedCheck",
    "Flow",
    "HistoryEntry",
    "InvalidEvent",
    "Replay",
    "ServiceItem",
    "WorkOrder",
    "check_application",
    "check_applications",
    "parse_application",
    "parse_applications",
    "read_applications",
    "read_workorder",
    "replay",
]
