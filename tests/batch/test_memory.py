"""The kernel's output memory is faulted in ahead of the pass without changing its contents."""

from __future__ import annotations

import numpy as np

from heatrules.batch.kernel.memory import _populate, prefault


def test_prefault_keeps_what_is_written_while_it_runs() -> None:
    a = np.arange(3 * 1_000_003, dtype=np.int64).reshape(3, -1)
    thread = prefault(a)
    a[1, ::7] = -5  # written while the pages are being faulted in
    thread.join()
    expected = np.arange(3 * 1_000_003, dtype=np.int64).reshape(3, -1)
    expected[1, ::7] = -5
    assert np.array_equal(a, expected)


def test_populate_of_less_than_a_page_or_an_unaligned_range_is_harmless() -> None:
    a = np.ones(1000, dtype=np.int64)
    _populate(a.ctypes.data + 3, 100)
    _populate(a.ctypes.data, 0)
    assert int(a.sum()) == 1000
