"""Reading application and work-order files (JSON, JSON-lines, YAML) with clear errors.

The same text-preserving readers as case files (cases.md): YAML scalars stay text, JSON
numbers stay exact, duplicate keys are errors. A file that cannot be read or parsed raises
:class:`~heatrules.errors.InputFileError` naming the file (exit code 2 on the command line).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ..errors import InputFileError
from ..textyaml import load_json_text, load_yaml_text

SUFFIXES = (".json", ".jsonl", ".yaml", ".yml")


def read_data(path: str | Path) -> Any:
    """Parse one file; a ``.jsonl`` file gives the list of its non-blank lines' objects."""
    path = Path(path)
    source = str(path)
    if source == "-":  # standard input: JSON (an object or a list) or YAML, by its content
        text = sys.stdin.buffer.read().decode("utf-8-sig", errors="strict")
        body = text.lstrip()
        if body.startswith(("{", "[")):
            return load_json_text(text, "<stdin>")
        data = load_yaml_text(text, "<stdin>")
        if data is None:
            raise InputFileError("<stdin>: empty input")
        return data
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{source}: cannot be read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputFileError(f"{source}: line {line}: not valid UTF-8") from None
    suffix = path.suffix.lower()
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
