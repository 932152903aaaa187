"""The batch benchmark runs end to end on a small city and ends with its summary line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_batch_benchmark_prints_its_summary_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "batch.py"),
            *("--accounts", "3000", "--sample", "50", "--repeat", "2", "--keep", str(tmp_path)),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    last = proc.stdout.strip().splitlines()[-1]
    assert re.fullmatch(
        r"batch 3000 accounts: kernel [\d,]+ acc/s, end-to-end [\d,]+ acc/s, "
        r"scalar [\d,]+ acc/s, peak [\d,]+ MB",
        last,
    ), last
    assert "median of 2 runs" in proc.stdout
    assert (tmp_path / "out" / "bills.parquet").is_file()
