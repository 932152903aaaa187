"""The tutorial notebook (docs/audit-tutorial.ipynb) runs from top to bottom.

Its code cells are executed in order in one namespace, as a kernel would (without Jupyter: the
project does not depend on it); the value of each cell's last expression is rendered the way
Jupyter would show it (``_repr_html_`` when there is one), so a broken display fails too.
"""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path
from typing import Any

import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "docs" / "audit-tutorial.ipynb"


def run_cell(source: str, namespace: dict[str, Any]) -> Any:
    tree = ast.parse(source)
    last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    if last is not None:
        tree.body.pop()
    exec(compile(tree, "<cell>", "exec"), namespace)
    if last is None:
        return None
    return eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)


def test_the_tutorial_notebook_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert nb["nbformat"] == 4
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    shown: list[str] = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        assert not cell["outputs"], "commit the notebook without outputs"
        value = run_cell("".join(cell["source"]), namespace)
        if value is not None:
            html = getattr(value, "_repr_html_", None)
            shown.append(html() if callable(html) else repr(value))
    result = namespace["result"]
    assert result.by_class()["unexplained"] == 1
    assert any("<svg" in s for s in shown)  # the charts cell displayed the report
    assert os.path.exists(tmp_path / "audit-demo" / "out" / "report.html")
