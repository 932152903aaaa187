"""Read the seed duty catalogue (../shared/seed/duty-catalog.txt) independently of the library.

Each item's information table is a run of ``key<TAB>value`` lines (序号, 名称, 法定依据, …);
a value may continue on following lines. HTML paragraph tags are dropped.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT.parent / "shared" / "seed" / "duty-catalog.txt"
SPEC = ROOT.parent / "shared" / "spec" / "services.md"
KEYS = (
    "序号",
    "名称",
    "法定依据",
    "实施机构",
    "职责边界",
    "运行流程",
    "运行要件",
    "责任事项",
    "监督方式",
)


def _clean(text: str) -> str:
    return re.sub(r"</?p>", " ", text).strip()


@cache
def seed_items() -> dict[str, dict[str, str]]:
    """Item id -> {key: value} from the seed's information tables."""
    if not SEED.is_file():
        pytest.skip(f"the seed catalogue is not at {SEED}")
    items: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    key: str | None = None
    for line in SEED.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^(\S+)\t(.*)$", line)
        if m and m.group(1) in KEYS:
            key, value = m.group(1), m.group(2)
            if key == "序号":
                if not re.fullmatch(r"\d+\.\d+", value.strip()):
                    current, key = None, None  # the table of contents
                    continue
                current = {}
                items[value.strip()] = current
            if current is not None:
                current[key] = _clean(value)
        elif line.strip().endswith("信息表"):
            key = None  # the next item's title
        elif current is not None and key is not None and line.strip():
            current[key] += " " + _clean(line)
    return items


def squash(text: str) -> str:
    """Compare texts without whitespace, punctuation at the ends, or bracket-style differences."""
    text = re.sub(r"\s+", "", text)
    return text.replace("【", "[").replace("】", "]")


def spec_text() -> str:
    if not SPEC.is_file():
        pytest.skip(f"the services spec is not at {SPEC}")
    return SPEC.read_text(encoding="utf-8")
