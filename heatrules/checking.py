"""Running cases against their expected figures (``heatrules check``): exact, to the fen.

A case with ``expect.error`` must be rejected with a message containing that text
(case-insensitive); otherwise every expected total, line-code sum (a code without a line is
0.00) and subsidy must equal the computed figure exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from .case import Expect
from .caseio import (
    RawCase,
    errors_from_validation,
    expand_paths,
    is_services_document,
    parse_raw,
    read_cases,
)
from .engine import bill
from .errors import CaseError, InputFileError
from .money import fmt
from .params import Parameters
from .waivers.subsidy import subsidy


@dataclass(frozen=True)
class Mismatch:
    """One expected figure that the bill does not reproduce (``key`` is ``totals.x`` or
    ``lines.code``)."""

    key: str
    expected: str
    actual: str


@dataclass
class CaseResult:
    """The outcome of one case under ``heatrules check``."""

    name: str
    source: str
    status: Literal["passed", "failed", "skipped", "bad_input"]
    mismatches: list[Mismatch] = field(default_factory=list)
    note: str | None = None
    """For a skipped case: why it would be rejected (it has no expect to say so)."""


@dataclass
class CheckReport:
    """The outcome of ``heatrules check`` over files: per-case results and file-level errors."""

    results: list[CaseResult] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        """How many cases ended with ``status``."""
        return sum(1 for r in self.results if r.status == status)

    @property
    def bad_input(self) -> bool:
        """A file could not be read, or an ``expect`` block is not valid (exit 2)."""
        return bool(self.file_errors) or self.count("bad_input") > 0

    @property
    def ok(self) -> bool:
        """Every input usable and no case failed (exit 0)."""
        return not self.bad_input and self.count("failed") == 0

    def summary(self) -> str:
        """The one-line count: ``N passed, M failed`` (and skipped or invalid ones)."""
        text = f"{self.count('passed')} passed, {self.count('failed')} failed"
        if self.count("skipped"):
            text += f", {self.count('skipped')} skipped"
        if self.count("bad_input"):
            text += f", {self.count('bad_input')} with an invalid expect block"
        return text


def check_raw(raw: RawCase, params: Parameters) -> CaseResult:
    """Check one case as read from a file."""
    data = raw.data
    name, source = raw.name, raw.source
    exp_raw = data.get("expect") if isinstance(data, dict) else None
    if exp_raw is None:
        note = None
        try:
            bill(parse_raw(raw), params)
        except CaseError as exc:
            note = str(exc)
        return CaseResult(name, source, "skipped", note=note)
    try:
        expect = Expect.model_validate(exp_raw)
    except ValidationError as exc:
        err = errors_from_validation(exc, ("expect",))
        return CaseResult(name, source, "bad_input", [Mismatch("expect", "", str(err))])
    try:
        case = parse_raw(raw)
        result = bill(case, params)
        sub = subsidy(case, params) if case.subsidy is not None else None
    except CaseError as exc:
        message = str(exc)
        if expect.error is not None and expect.error.lower() in message.lower():
            return CaseResult(name, source, "passed")
        wanted = f"error containing {expect.error!r}" if expect.error else "a bill"
        return CaseResult(name, source, "failed", [Mismatch("error", wanted, f"error: {message}")])
    if expect.error is not None:
        return CaseResult(
            name,
            source,
            "failed",
            [Mismatch("error", f"error containing {expect.error!r}", "a bill (no error)")],
        )
    mismatches: list[Mismatch] = []
    totals = result.totals
    for key, value in (expect.totals or {}).items():
        actual = totals.get(key)
        if actual != value:
            mismatches.append(Mismatch(f"totals.{key}", fmt(value), fmt(actual)))
    for code, value in (expect.lines or {}).items():
        actual = result.amount(code)
        if actual != value:
            mismatches.append(Mismatch(f"lines.{code}", fmt(value), fmt(actual)))
    if expect.subsidy is not None:
        if sub is None:
            mismatches.append(
                Mismatch("subsidy", fmt(expect.subsidy), "no subsidy household in the case")
            )
        elif sub.subsidy != expect.subsidy:
            mismatches.append(Mismatch("subsidy", fmt(expect.subsidy), fmt(sub.subsidy)))
    return CaseResult(name, source, "failed" if mismatches else "passed", mismatches)


def check_paths(paths: Iterable[str | Path], params: Parameters | None = None) -> CheckReport:
    """Check every case in the files and folders given (folders recursively)."""
    params = params or Parameters.default()
    report = CheckReport()
    files: list[tuple[Path, bool]] = []
    for p in paths:
        try:
            files += list(expand_paths([p]))
        except InputFileError as exc:
            report.file_errors.append(str(exc))
    for f, explicit in files:
        try:
            raws = read_cases(f)
        except InputFileError as exc:
            report.file_errors.append(str(exc))
            continue
        if not explicit and is_services_document(raws):
            report.skipped_files.append(str(f))
            continue
        for raw in raws:
            report.results.append(check_raw(raw, params))
    return report


__all__ = ["CaseResult", "CheckReport", "Decimal", "Mismatch", "check_paths", "check_raw"]
