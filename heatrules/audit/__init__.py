"""``heatrules audit``: verify another billing system's figures and explain each difference.

A regulator or an auditor has a heating company's facts (the batch tables) and the figures
its billing system produced (``claimed``). :func:`audit` recomputes every claimed account with
the batch engine, compares every figure to the fen and names each difference by the first
alternative reading of the rules that reproduces it (``../shared/spec/audit.md``; the readings
are :class:`~heatrules.policy.Policy` switches, which the scalar and the batch engine both
compute).

>>> from heatrules.audit import CLASSES
>>> CLASSES[0], CLASSES[-1]
('daily_fee_rounded_first', 'unexplained')
"""

from __future__ import annotations

from .claimed import FIGURES, read_claimed, read_mapping
from .outputs import write_all
from .readings import CLASSES, Reading, readings
from .run import AuditResult, Difference, audit

__all__ = [
    "CLASSES",
    "FIGURES",
    "AuditResult",
    "Difference",
    "Reading",
    "audit",
    "read_claimed",
    "read_mapping",
    "readings",
    "write_all",
]
