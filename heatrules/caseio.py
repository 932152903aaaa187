"""Reading case files: JSON, JSON-lines and YAML, one case or many, with clear errors.

A file holds one case (a mapping), several (a list), or a mapping with the key ``cases``.
A file that cannot be read or parsed raises :class:`~heatrules.errors.InputFileError`; a case
that does not validate raises :class:`~heatrules.errors.CaseError` naming the field by its path.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .case import Case
from .errors import CaseError, InputFileError
from .textyaml import load_json_text, load_yaml_text

CASE_SUFFIXES = (".json", ".jsonl", ".yaml", ".yml")
STDIN = "-"
"""A path of ``-`` reads the cases from standard input (JSON, JSON lines or YAML)."""


@dataclass(frozen=True)
class RawCase:
    """One case as read from a file, before validation."""

    data: Any
    source: str
    index: int
    error: str | None = None
    """Why this entry could not be read (e.g. a bad line of a JSON-lines file)."""

    @property
    def given_name(self) -> str | None:
        """The case's own ``name`` (None when it has none)."""
        if isinstance(self.data, dict) and isinstance(self.data.get("name"), str):
            return str(self.data["name"])
        return None

    @property
    def name(self) -> str:
        """The case's ``name``, or ``case N`` by its position in the file."""
        if isinstance(self.data, dict) and isinstance(self.data.get("name"), str):
            return str(self.data["name"])
        return f"case {self.index + 1}"


def format_loc(loc: Iterable[int | str]) -> str:
    """``('temperature', 0, 'measured_at')`` -> ``temperature[0].measured_at``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _message(err: Any) -> str:
    msg = str(err["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    if err["type"] == "extra_forbidden":
        msg = "unknown key (not in the case format; check the spelling)"
    elif err["type"] == "missing":
        msg = "required field is missing"
    elif err["type"] in ("literal_error", "enum"):
        msg = f"{msg}, got {err.get('input')!r}"
    elif err["type"] in ("model_type", "dict_type"):
        msg = f"expected a mapping, got {type(err.get('input')).__name__}"
    elif err["type"] == "list_type":
        msg = f"expected a list, got {type(err.get('input')).__name__}"
    return msg


def errors_from_validation(exc: ValidationError, prefix: tuple[int | str, ...] = ()) -> CaseError:
    """Turn a pydantic ValidationError into a CaseError with path-named problems."""
    problems: list[tuple[str, str]] = []
    for err in exc.errors():
        loc = list(prefix) + [p for p in err["loc"] if not str(p).startswith("function-")]
        msg = _message(err)
        if loc and loc[-1] == "[key]":  # a mapping's key is wrong (e.g. an unknown line code)
            key = loc[-2]
            loc = loc[:-2]
            msg = f"unknown key {key!r}: {msg.split(', got ')[0].replace('Input should be', 'expected')}"
        if msg.startswith("@") and ": " in msg:  # a model check naming its own field
            field, msg = msg[1:].split(": ", 1)
            loc.append(field)
        problems.append((format_loc(loc), msg))
    return CaseError(problems)


def parse_raw(raw: RawCase) -> Case:
    """Validate one case as read from a file (a read error of its own is a CaseError)."""
    if raw.error is not None:
        raise CaseError.single("", raw.error)
    return parse_case(raw.data)


def parse_case(data: Any) -> Case:
    """Validate one case mapping into a :class:`Case` (structure and types only)."""
    if isinstance(data, Case):
        return data
    if not isinstance(data, dict):
        raise CaseError.single("", f"a case must be a mapping, got {type(data).__name__}")
    if "item" in data and "account" not in data:
        hint = "heatrules workorder" if "events" in data else "heatrules apply"
        raise CaseError.single(
            "item",
            f"this is a duty-catalogue {'work order' if 'events' in data else 'application'}, "
            f"not a billing case: use `{hint}`",
        )
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        raise errors_from_validation(exc) from None
    except RecursionError:
        raise CaseError.single("", "the case is nested too deeply") from None


def read_text(path: str | Path) -> tuple[str, str, str]:
    """A file (or ``-``, standard input) as ``(text, source name, format suffix)``.

    UTF-8 with or without BOM; undecodable bytes are an error naming the line. Standard
    input's format is recognised by its content (JSON, JSON lines or YAML).
    """
    path = Path(path)
    source = str(path)
    if source == STDIN:
        source = "<stdin>"
        raw = sys.stdin.buffer.read()
    else:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise InputFileError(f"{source}: cannot be read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputFileError(f"{source}: line {line}: not valid UTF-8") from None
    suffix = _sniff(text) if source == "<stdin>" else path.suffix.lower()
    return text, source, suffix


def read_cases(path: str | Path) -> list[RawCase]:
    """Read every case in one file (not validated yet)."""
    text, source, suffix = read_text(path)
    if suffix == ".jsonl":
        raws: list[RawCase] = []
        for n, line_text in enumerate(text.splitlines(), start=1):
            if not line_text.strip():
                continue
            try:
                data = load_json_text(line_text, f"line {n}")
            except InputFileError as exc:
                message = str(exc).replace(": line 1 column ", ": column ")
                raws.append(RawCase(None, source, len(raws), message))
                continue
            raws.append(RawCase(data, source, len(raws)))
        if not raws:
            raise InputFileError(f"{source}: contains no cases")
        return raws
    if suffix == ".json":
        data = load_json_text(text, source)
    elif suffix in (".yaml", ".yml"):
        data = load_yaml_text(text, source)
    else:
        raise InputFileError(
            f"{source}: unknown file type {suffix or '(none)'!r}; use .json, .jsonl, .yaml or .yml"
        )
    return [RawCase(d, source, i) for i, d in enumerate(_case_list(data, source))]


def _sniff(text: str) -> str:
    """The format of standard input: JSON, JSON lines (one object per line) or YAML."""
    body = text.strip()
    if body.startswith(("{", "[")):
        lines = [ln for ln in body.splitlines() if ln.strip()]
        if len(lines) > 1 and all(
            ln.lstrip().startswith("{") and ln.rstrip().endswith("}") for ln in lines
        ):
            try:
                load_json_text(body)
            except InputFileError:
                return ".jsonl"
        return ".json"
    return ".yaml"


def _case_list(data: Any, source: str) -> list[Any]:
    if data is None:
        raise InputFileError(f"{source}: contains no case (the file is empty or null)")
    if isinstance(data, list):
        if not data:
            raise InputFileError(f"{source}: contains no cases (an empty list)")
        return data
    if isinstance(data, dict):
        if "cases" in data:
            extra = sorted(str(k) for k in data if k != "cases")
            if extra:
                raise InputFileError(f"{source}: unknown top-level keys beside 'cases': {extra}")
            if not isinstance(data["cases"], list) or not data["cases"]:
                raise InputFileError(
                    f"{source}: contains no cases ('cases' must be a non-empty list)"
                )
            return list(data["cases"])
        return [data]
    raise InputFileError(f"{source}: expected a case, a list of cases or {{cases: [...]}}")


def iter_case_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Expand files and folders (recursively, sorted) into case files."""
    for path, _ in expand_paths(paths):
        yield path


def expand_paths(paths: Iterable[str | Path]) -> Iterator[tuple[Path, bool]]:
    """Files and folders (recursively, sorted) as ``(file, named_explicitly)`` pairs."""
    for p in paths:
        path = Path(p)
        if str(p) == STDIN:
            yield path, True
        elif path.is_dir():
            found = sorted(
                f for f in path.rglob("*") if f.is_file() and f.suffix.lower() in CASE_SUFFIXES
            )
            if not found:
                raise InputFileError(f"{path}: no case files (.json, .jsonl, .yaml, .yml)")
            for f in found:
                yield f, False
        elif path.exists():
            yield path, True
        else:
            raise InputFileError(f"{path}: no such file or folder")


def is_services_document(raws: list[RawCase]) -> bool:
    """True when every entry is a duty-catalogue application or work order (key ``item``)."""
    return bool(raws) and all(
        isinstance(r.data, dict) and "item" in r.data and "account" not in r.data for r in raws
    )


def read_folder_cases(
    paths: Iterable[str | Path],
    skipped: list[str] | None = None,
    errors: list[str] | None = None,
) -> Iterator[RawCase]:
    """Every case in the files and folders given, file by file.

    Inside a folder, a file that is a duty-catalogue application or work order is skipped
    (its path is appended to ``skipped`` so the caller can say so); named explicitly, it is
    read as cases and rejected with a hint. A path or file that cannot be read is appended to
    ``errors`` (when given) and the other files still run; without ``errors`` it raises.
    """
    for p in paths:
        try:
            files = list(expand_paths([p]))
        except InputFileError as exc:
            if errors is None:
                raise
            errors.append(str(exc))
            continue
        for path, explicit in files:
            try:
                raws = read_cases(path)
            except InputFileError as exc:
                if errors is None:
                    raise
                errors.append(str(exc))
                continue
            if not explicit and is_services_document(raws):
                if skipped is not None:
                    skipped.append(str(path))
                continue
            yield from raws


def load_cases(*paths: str | Path) -> list[Case]:
    """Read and validate every case in the given files and folders (raises on the first error)."""
    cases: list[Case] = []
    for f in iter_case_files(paths):
        for raw in read_cases(f):
            try:
                cases.append(parse_raw(raw))
            except CaseError as exc:
                raise CaseError(
                    [(f"{raw.name}: {p}" if p else raw.name, m) for p, m in exc.problems]
                ) from None
    return cases
