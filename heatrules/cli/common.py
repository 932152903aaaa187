"""Shared console helpers for the command line."""

from __future__ import annotations

import json
import sys
from functools import cache
from typing import Any

from rich.console import Console


class _Console(Console):
    """A rich console that lets a closed pipe end the command quietly with exit 0
    (rich's default exits 1), like other Unix tools under `| head`."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError


@cache
def err_console() -> Console:
    return _Console(stderr=True, soft_wrap=True)


def out_console() -> Console:
    return _Console(soft_wrap=True)


def print_json_line(obj: Any) -> None:
    """One JSON object per line on stdout (UTF-8, Chinese kept readable)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def warn(message: str) -> None:
    err_console().print(message, highlight=False, markup=False)


def skipped_note(paths: list[str]) -> str:
    """One line saying which files in the folders given were not billing cases."""
    return (
        f"note: skipped {len(paths)} duty-catalogue file(s) (applications or work orders; use "
        f"`heatrules apply` / `heatrules workorder`): {', '.join(paths)}"
    )
