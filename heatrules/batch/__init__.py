"""heatrules.batch — the columnar batch engine: millions of accounts per run, exact to the fen.

Tables (``../shared/spec/batch-tables.md``) are read as text cells, validated column-wise
(:mod:`~heatrules.batch.validate`), and billed by a compiled kernel
(:mod:`~heatrules.batch.kernel`) in exact integer arithmetic. Per account, the lines and totals
equal the scalar engine's (:func:`heatrules.bill`), which the batch engine never calls.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import BatchResult, bill_frame, read_inputs
    from .readers import BatchInputError

__all__ = ["BatchInputError", "BatchResult", "bill_frame", "read_inputs"]

_HOME = {
    "BatchResult": ".api",
    "bill_frame": ".api",
    "read_inputs": ".api",
    "BatchInputError": ".readers",
}


def __getattr__(name: str) -> Any:
    # imported on first use, so `heatrules.batch.readers` alone does not load the kernel
    if name in _HOME:
        return getattr(import_module(_HOME[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
