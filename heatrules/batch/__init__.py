"""heatrules.batch — the columnar batch engine: millions of accounts per run, exact to the fen.

Tables (``../shared/spec/batch-tables.md``) are read as text cells, validated column-wise
(:mod:`~heatrules.batch.validate`), and billed by a vectorised polars kernel
(:mod:`~heatrules.batch.kernel`) in exact integer arithmetic. Per account, the lines and totals
equal the scalar engine's (:func:`heatrules.bill`), which the batch engine never calls.
"""

from __future__ import annotations

from .api import BatchResult, bill_frame, read_inputs
from .readers import BatchInputError

__all__ = ["BatchInputError", "BatchResult", "bill_frame", "read_inputs"]
