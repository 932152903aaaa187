"""docs/services: a page per group, flows as Mermaid, every check id and [decision] explained."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from heatrules.services import CHECK_IDS, FLOWS, Catalogue

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "services"
PAGES = ("index", "fees", "suspension", "transfer", "waivers", "hotline")


def page(name: str) -> str:
    return (DOCS / f"{name}.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", PAGES)
def test_page_exists_with_a_flow_diagram(name: str) -> None:
    text = page(name)
    if name != "index":
        assert "```mermaid" in text


def test_every_group_has_its_page() -> None:
    pages = {g.page for g in Catalogue.default().groups.values()}
    assert pages <= set(PAGES)


def test_every_check_id_is_documented_with_its_items_page() -> None:
    cat = Catalogue.default()
    index = page("index")
    for check in CHECK_IDS:
        assert f"`{check}`" in index, check
        for item in cat:
            if check in item.checks:
                assert f"`{check}`" in page(cat.groups[item.group].page), (check, item.id)


def test_every_item_is_on_its_page() -> None:
    cat = Catalogue.default()
    for item in cat:
        text = page(cat.groups[item.group].page)
        assert item.id in text and item.name.zh.split("-")[-1] in text, item.id


def test_hotline_diagrams_are_the_codes_flows() -> None:
    text = page("hotline")
    for item, flow in FLOWS.items():
        assert f"```mermaid\n{flow.mermaid()}\n```" in text, item
        assert f"`{flow.summary}`" in text


def _paragraphs(text: str) -> list[str]:
    """Bullets and paragraphs (a bullet runs until the next bullet or blank line)."""
    return [p for p in re.split(r"\n(?=- )|\n\s*\n", text) if p.strip()]


@pytest.mark.parametrize("name", PAGES)
def test_every_decision_names_its_alternative(name: str) -> None:
    for para in _paragraphs(page(name)):
        if "[decision]" in para and "|" not in para:
            assert "Alternative not taken" in para, para


@pytest.mark.parametrize("name", PAGES)
def test_python_examples_run(name: str) -> None:
    blocks = re.findall(r"```python\n(.*?)```", page(name), re.S)
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        for block in blocks:
            exec(compile(block, f"docs/services/{name}.md", "exec"), {})
    finally:
        os.chdir(cwd)
