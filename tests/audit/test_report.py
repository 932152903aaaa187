"""report.html is self-contained: charts inline, no reference to anything on a network."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from heatrules.audit import audit, write_all
from heatrules.audit.demo import Seeded

EXTERNAL = re.compile(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.IGNORECASE)


@pytest.fixture(scope="module")
def report(
    mixed: tuple[dict[str, Path], list[Seeded]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    paths, _ = mixed
    result = audit(
        paths["accounts"],
        paths["claimed"],
        no_heat=paths["no_heat"],
        temperature=paths["temperature"],
        payments=paths["payments"],
    )
    out = tmp_path_factory.mktemp("report")
    return write_all(result, out, "csv")["report"]


def test_the_report_references_nothing_external(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html
    assert not EXTERNAL.search(html)
    for needle in ("<script", "<link", "<img", "<iframe", "@import", "url(", "src="):
        assert needle not in html.lower()
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_the_report_has_the_four_charts(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert html.count("<svg") == 4
    for title in ("by class", "stations", "difference claimed − expected", "largest differences"):
        assert title in html
    assert "daily_fee_rounded_first" in html and "unexplained" in html
    assert "ST-9" in html  # the station of the overlap account
    assert "S10" in html  # the other-season account is among the top accounts


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.mark.skipif(_chromium() is None, reason="no chromium installed (apt-get install chromium)")
def test_the_report_renders_offline_in_headless_chromium(report: Path, tmp_path: Path) -> None:
    chromium = _chromium()
    assert chromium is not None
    common = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--user-data-dir=" + str(tmp_path / "profile"),
        # any request to a host fails: the page must not need one
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=127.0.0.1:9",
    ]
    dom = subprocess.run(
        [*common, "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=120
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count("<svg") == 4
    assert "<rect" in dom.stdout
    shot = tmp_path / "report.png"
    png = subprocess.run(
        [*common, f"--screenshot={shot}", "--window-size=1280,2400", report.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert png.returncode == 0, png.stderr[-2000:]
    assert shot.stat().st_size > 10_000  # a page with charts, not a blank one
