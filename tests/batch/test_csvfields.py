"""The compiled field count splits records exactly as Python's csv.reader does."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from heatrules.batch.csvfields import field_counts

CSV_TEXT = st.lists(st.sampled_from(["a", "7", ",", '"', "\n", "\r", "\r\n", "é", "号", " "])).map(
    "".join
)


def _reference(text: str) -> list[int]:
    return [len(r) for r in csv.reader(io.StringIO(text, newline=""))]


@settings(max_examples=2000, deadline=None)
@given(CSV_TEXT)
def test_same_records_and_fields_as_csv_reader(text: str) -> None:
    assert field_counts(text.encode("utf-8")).tolist() == _reference(text)


def test_examples() -> None:
    for text in [
        "",
        "a,b\n1,2,3\n\n4\n",
        'a,"b\nc",d\r\ne,f\rg',
        'x,"unterminated\n1,2',
        'a,"q""uote",c,\n',
        '"a"b,c\n',
        "a,b\r\n\r\n1,2",
    ]:
        assert field_counts(text.encode("utf-8")).tolist() == _reference(text), text
