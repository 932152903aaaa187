"""The number of fields of every record of a CSV file, as Python's ``csv.reader`` splits it.

Used only when a file has a row with more fields than its header (polars refuses the file;
the row is rejected on its own, :func:`heatrules.batch.readers.read_csv`). ``csv.reader`` takes
about a second per million rows; this compiled pass over the bytes follows its state machine
(``Modules/_csv.c``: the default dialect — ``,`` between fields, ``"`` around them and ``""``
inside, lines ending in ``\\n``, ``\\r`` or ``\\r\\n`` as ``io.StringIO(newline="")`` splits
them, a blank line a record of no field, a quoted field left open at the end of the file
closed there) and gives the same counts (``tests/batch/test_csvfields.py`` compares them).
The bytes are UTF-8 (checked before): a byte of a multi-byte character is never one of the
ASCII bytes that matter, so counting bytes is counting characters.
"""

from __future__ import annotations

import numpy as np
from numba import njit

START_RECORD, START_FIELD, IN_FIELD, IN_QUOTED, QUOTE_IN_QUOTED, EAT_CRNL = range(6)
_COMMA, _QUOTE, _LF, _CR = 44, 34, 10, 13


@njit(cache=True, nogil=True)
def _count(data, out):  # type: ignore[no-untyped-def]
    """Fields of each record into ``out``; returns the number of records."""
    state = START_RECORD
    fields = 0
    records = 0
    n = len(data)
    i = 0
    while i < n:
        c = data[i]
        newline = c == _LF or c == _CR
        if state == START_RECORD:
            if newline:
                state = EAT_CRNL
            else:
                state = START_FIELD
        if state == START_FIELD:
            if newline:
                fields += 1
                state = EAT_CRNL
            elif c == _QUOTE:
                state = IN_QUOTED
            elif c == _COMMA:
                fields += 1
            else:
                state = IN_FIELD
        elif state == IN_FIELD:
            if newline:
                fields += 1
                state = EAT_CRNL
            elif c == _COMMA:
                fields += 1
                state = START_FIELD
        elif state == IN_QUOTED:
            if c == _QUOTE:
                state = QUOTE_IN_QUOTED
        elif state == QUOTE_IN_QUOTED:
            if c == _QUOTE:
                state = IN_QUOTED
            elif c == _COMMA:
                fields += 1
                state = START_FIELD
            elif newline:
                fields += 1
                state = EAT_CRNL
            else:
                state = IN_FIELD
        # (EAT_CRNL: only line-ending bytes come before the end of the line)
        i += 1
        end_of_line = c == _LF or (c == _CR and (i == n or data[i] != _LF)) or i == n
        if end_of_line:  # the end of a line, as csv.reader sees it
            if state == START_FIELD or state == IN_FIELD or state == QUOTE_IN_QUOTED:
                fields += 1
                state = START_RECORD
            elif state == EAT_CRNL:
                state = START_RECORD
            if state == START_RECORD:
                out[records] = fields
                records += 1
                fields = 0
    if state == IN_QUOTED:  # a quoted field open at the end of the file
        out[records] = fields + 1
        records += 1
    return records


def field_counts(data: bytes) -> np.ndarray:
    """The number of fields of each record of ``data`` (UTF-8 CSV text), header included."""
    buf = np.frombuffer(data, dtype=np.uint8)
    out = np.empty(data.count(b"\n") + data.count(b"\r") + 2, dtype=np.int64)
    return out[: _count(buf, out)]
