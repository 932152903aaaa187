"""Shared fixtures: a mixed export (one seeded account per class + clean accounts) on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from heatrules.audit.demo import Seeded, random_cases, seeded_cases, write_export


def table_args(paths: dict[str, Path]) -> list[str]:
    """The CLI options of the four batch tables."""
    return [
        "--accounts",
        str(paths["accounts"]),
        "--no-heat",
        str(paths["no_heat"]),
        "--temperature",
        str(paths["temperature"]),
        "--payments",
        str(paths["payments"]),
    ]


@pytest.fixture(scope="session")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Path], list[Seeded]]:
    """13 seeded accounts (every class) and 60 clean ones, as CSV files."""
    accounts = seeded_cases() + random_cases(60, seed=11, mistake_rate=0.0)
    paths = write_export(tmp_path_factory.mktemp("mixed"), accounts)
    return paths, accounts
