"""The packages of the ``batch`` extra, checked without importing them.

``batch`` and ``audit`` need them; every other command starts without loading them (polars,
pyarrow and the compiled kernel take a noticeable part of a second to import).
"""

from __future__ import annotations

from importlib.util import find_spec

BATCH_EXTRA = ("polars", "pyarrow", "numpy", "numba")


def require_batch_extra() -> None:
    """Raise ModuleNotFoundError naming the first package of the batch extra that is missing."""
    for name in BATCH_EXTRA:
        if find_spec(name) is None:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
