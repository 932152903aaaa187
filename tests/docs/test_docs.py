"""The documentation cannot rot: the site builds in strict mode, every ```python block in the
docs and the README runs, and the bundled examples check and bill cleanly.

Python blocks of one file run in order in one namespace, from the repository root, so a later
block may use what an earlier one defined. Write output or non-runnable snippets as ```text,
```console, ```sh or ```yaml blocks.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from heatrules import Parameters
from heatrules.cli import main

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*)$")
_PYTHON = {"python", "py", "python3"}


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # 1-based line of the first code line
    lang: str
    code: str


def fenced_blocks(path: Path) -> list[Block]:
    """Every fenced code block of a Markdown file (also inside lists and admonitions)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence = m.group("indent"), m.group("fence")
        info = m.group("info").strip()
        lang = info.split()[0].lstrip("{.").rstrip("}").lower() if info else ""
        body: list[str] = []
        j = i + 1
        while j < len(lines):
            close = lines[j].strip()
            if close.startswith(fence) and set(close) == {fence[0]}:
                break
            text = lines[j]
            body.append(text[len(indent) :] if text.startswith(indent) else text.lstrip())
            j += 1
        blocks.append(Block(path, i + 2, lang, "\n".join(body) + "\n"))
        i = j + 1
    return blocks


def doc_files() -> list[Path]:
    files = sorted(DOCS.rglob("*.md")) if DOCS.is_dir() else []
    readme = ROOT / "README.md"
    return ([readme] if readme.is_file() else []) + files


def python_files() -> list[Path]:
    return [p for p in doc_files() if any(b.lang in _PYTHON for b in fenced_blocks(p))]


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --------------------------------------------------------------------------- the parser itself
def test_fenced_blocks_parser(tmp_path: Path) -> None:
    md = tmp_path / "x.md"
    md.write_text(
        "text\n```python\na = 1\n```\n\n!!! note\n    ```python\n    b = a + 1\n    ```\n"
        "````text\n```python\nnot code\n```\n````\n~~~py\nc = 3\n~~~\n",
        encoding="utf-8",
    )
    blocks = fenced_blocks(md)
    assert [(b.lang, b.code, b.line) for b in blocks] == [
        ("python", "a = 1\n", 3),
        ("python", "b = a + 1\n", 8),
        ("text", "```python\nnot code\n```\n", 11),
        ("py", "c = 3\n", 16),
    ]


# --------------------------------------------------------------------------- (b) python blocks
@pytest.mark.parametrize("path", python_files(), ids=_id)
def test_python_examples_run(
    path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": f"docs:{_id(path)}"}
    for block in fenced_blocks(path):
        if block.lang not in _PYTHON:
            continue
        # pad so that a traceback names the Markdown file and its real line number
        source = "\n" * (block.line - 1) + block.code
        exec(compile(source, str(path), "exec"), namespace)
    capsys.readouterr()


def test_every_rule_page_has_running_worked_numbers() -> None:
    pages = sorted((DOCS / "rules").rglob("*.md"))
    assert pages, "docs/rules/ has no pages"
    without = [
        _id(p)
        for p in pages
        if not any(b.lang in _PYTHON and "assert" in b.code for b in fenced_blocks(p))
    ]
    assert without == [], "rule pages without an executed, asserting Python example"


# --------------------------------------------------------------------------- (a) strict build
def test_mkdocs_build_strict(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    pytest.importorskip("material")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--quiet",
            "--config-file",
            str(ROOT / "mkdocs.yml"),
            "--site-dir",
            str(tmp_path / "site"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "site" / "index.html").is_file()


def test_nav_pages_exist() -> None:
    """Every page named in mkdocs.yml's nav exists (strict mode would fail on a missing one)."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = text[text.index("\nnav:") :]
    pages = re.findall(r":\s*([\w./-]+\.md)\s*$", nav, flags=re.MULTILINE)
    assert pages
    missing = [p for p in pages if not (DOCS / p).is_file()]
    assert missing == []


# --------------------------------------------------------------------------- decisions table
def test_every_decision_parameter_is_in_the_decisions_table() -> None:
    """A parameter value marked ``decision: true`` is listed on docs/decisions.md."""
    decisions = (DOCS / "decisions.md").read_text(encoding="utf-8")
    params = Parameters.default()
    marked = sorted(name for name, p in params.params.items() if any(v.decision for v in p.values))
    assert marked
    missing = [name for name in marked if f"`{name}`" not in decisions]
    assert missing == []


# --------------------------------------------------------------------------- (c) examples
def test_examples_check_all_pass(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(EXAMPLES)])
    out = capsys.readouterr().out
    summary = out.strip().splitlines()[-1]
    m = re.match(r"(\d+) passed, (\d+) failed", summary)
    assert m, out
    assert code == 0, out
    assert m.group(2) == "0", out
    assert int(m.group(1)) >= 30


def _bill_json(paths: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, list]:
    code = main(["bill", *paths, "--format", "json"])
    captured = capsys.readouterr()
    bills = [json.loads(line) for line in captured.out.splitlines() if line.strip()]
    return code, captured.err, bills


def test_examples_bill_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    """The real-season case files (examples/*.yaml) bill without a rejected case."""
    files = [str(p) for p in sorted(EXAMPLES.glob("*.yaml"))]
    assert len(files) >= 3
    code, err, bills = _bill_json(files, capsys)
    assert code == 0, err
    assert bills
    for b in bills:
        assert "error" not in b, b
        assert set(b) >= {"name", "account_id", "season", "rules_version", "lines", "totals"}
        assert set(b["totals"]) == {
            "charges",
            "refunds",
            "waivers",
            "late_fees",
            "payments",
            "balance",
        }
    seasons = {b["season"] for b in bills}
    assert {"2023-2024", "2024-2025", "2025-2026"} <= seasons


def test_readme_bill_command_on_the_examples_folder(capsys: pytest.CaptureFixture[str]) -> None:
    """The README's first command bills the whole examples/ folder: it must exit 0.

    Every file under examples/ (sub-folders included) is read as a case file by
    ``heatrules bill``; a file in another format there (an application, a work order) is a
    rejected case and makes the command exit 2.
    """
    code, err, bills = _bill_json([str(EXAMPLES)], capsys)
    rejected = [b for b in bills if "error" in b]
    assert code == 0 and not rejected, (
        "`heatrules bill examples/` rejects cases (files under examples/ that are not bill "
        "cases must move out of examples/ or the bill command must skip them):\n" + err
    )


def test_examples_cover_every_line_code() -> None:
    """Between them the top-level examples produce every line code of the bill."""
    import heatrules
    from heatrules.case import LINE_CODES

    codes: set[str] = set()
    for path in sorted(EXAMPLES.glob("*.yaml")):
        for case in heatrules.load_cases(path):
            codes |= {ln.code for ln in heatrules.bill(case).lines}
    assert set(LINE_CODES) - codes == set()


def test_examples_have_hand_worked_comments() -> None:
    """Every top-level example case is preceded by a comment showing its arithmetic."""
    for path in sorted(EXAMPLES.glob("*.yaml")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for n, line in enumerate(lines):
            if line.startswith("- name:"):
                above = lines[n - 1] if n else ""
                assert above.startswith("#"), f"{path.name}:{n + 1}: no worked comment above"
