"""The public reference cases (../shared/cases) and the bundled examples pass exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from heatrules.checking import check_paths
from heatrules.cli import main

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "cases"


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/cases is not present")
@pytest.mark.parametrize("part", ["core", "lifecycle"])
def test_shared_reference_cases_pass(part: str) -> None:
    report = check_paths([SHARED / part])
    failures = [(r.name, m) for r in report.results if r.status == "failed" for m in r.mismatches]
    assert report.file_errors == []
    assert failures == []
    assert report.count("passed") > 0


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/cases is not present")
def test_check_cli_exit_code_zero_on_shared_cases(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(SHARED)]) == 0
    assert "0 failed" in capsys.readouterr().out
