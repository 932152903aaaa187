"""Reading application and work-order files (JSON, JSON-lines, YAML) with clear errors.

The same text-preserving readers as case files (cases.md): YAML scalars stay text, JSON
numbers stay exact, duplicate keys are errors. A file that cannot be read or parsed raises
:class:`~heatrules.errors.InputFileError` naming the file (exit code 2 on the command line).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..caseio import read_text
from ..errors import InputFileError
from ..textyaml import load_json_text, load_yaml_text

SUFFIXES = (".json", ".jsonl", ".yaml", ".yml")


def read_data(path: str | Path) -> Any:
    """Parse one file (or ``-``, standard input); a ``.jsonl`` file gives the list of its
    non-blank lines' objects."""
    text, source, suffix = read_text(path)
    if suffix == ".jsonl":
        return [
            load_json_text(line, f"{source}: line {n}")
            for n, line in enumerate(text.splitlines(), start=1)
            if line.strip()
        ]
    if suffix == ".json":
        data = load_json_text(text, source)
    elif suffix in (".yaml", ".yml"):
        data = load_yaml_text(text, source)
    else:
        raise InputFileError(
            f"{source}: unknown file type {suffix or '(none)'!r}; use {', '.join(SUFFIXES)}"
        )
    if data is None:
        raise InputFileError(f"{source}: the file is empty")
    return data


__all__ = ["SUFFIXES", "read_data"]
