"""heatrules — Tianjin district-heating fee, refund and waiver rules as code.

>>> import heatrules
>>> b = heatrules.bill({"season": "2024-2025",
...     "account": {"id": "0010023", "category": "residential", "billing_area_m2": "100.00"},
...     "no_heat": [{"start": "2024-12-01T08:00", "end": "2024-12-03T10:00", "cause": "facility"}]})
>>> b.totals.charges, b.totals.refunds, b.totals.balance
(Decimal('2500.00'), Decimal('41.32'), Decimal('2458.68'))
"""

from __future__ import annotations

__version__ = "0.1.0"

from .case import Case
from .caseio import load_cases, parse_case
from .checking import check_paths as check
from .citations import Citation
from .engine import bill
from .errors import CaseError, HeatrulesError, InputFileError, NoRuleInForce, ParameterError
from .lines import Bill, Line, Totals
from .params import Parameters
from .policy import Policy
from .season import Season
from .waivers.subsidy import SubsidyStatement, subsidy

__all__ = [
    "Bill",
    "Case",
    "CaseError",
    "Citation",
    "HeatrulesError",
    "InputFileError",
    "Line",
    "NoRuleInForce",
    "ParameterError",
    "Parameters",
    "Policy",
    "Season",
    "SubsidyStatement",
    "Totals",
    "__version__",
    "bill",
    "check",
    "load_cases",
    "parse_case",
    "subsidy",
]
