"""New memory for the kernel's outputs, faulted in by the operating system ahead of the pass.

The output columns of five million accounts are 680 MB of memory the process has never
touched; faulting it in page by page costs as much as the pass itself on a virtual machine.
Linux (5.14 and later) fills a range in one call, ``madvise(MADV_POPULATE_WRITE)``, without
changing what is written there — so a second thread can run it while the pass is already
writing the first accounts (the pass faults in whatever it reaches first). Elsewhere the pass
faults the pages in itself, as any program does.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import mmap
import sys
import threading

import numpy as np

MADV_POPULATE_WRITE = 23
"""The ``madvise`` advice (linux/mman.h) that faults in a range for writing."""
PIECE = 4 << 20
"""Bytes faulted in per call."""

_madvise = None
if sys.platform.startswith("linux"):
    try:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        _madvise = _libc.madvise
        _madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
        _madvise.restype = ctypes.c_int
    except (OSError, AttributeError):  # pragma: no cover - a libc without madvise
        _madvise = None


def _populate(address: int, length: int) -> None:
    """Fault in the whole pages of ``[address, address + length)`` (errors ignored: the
    pages are then faulted in on first touch, as usual). ctypes releases the GIL."""
    if _madvise is None:
        return
    page = mmap.PAGESIZE
    start = -(-address // page) * page
    end = (address + length) // page * page
    # in pieces: the call holds the address space's lock, which another thread's allocations
    # wait for
    for at in range(start, end, PIECE):
        _madvise(at, min(PIECE, end - at), MADV_POPULATE_WRITE)


def prefault(array: np.ndarray) -> threading.Thread:
    """Start faulting in ``array``'s memory on a second thread; join it when done with it.

    Safe to run while other threads write the array: the contents are never changed.
    """
    thread = threading.Thread(target=_populate, args=(array.ctypes.data, array.nbytes), daemon=True)
    thread.start()
    return thread
