"""Running a computation over every case of the files given, the way bill and subsidy do.

A rejected case is reported on stderr (and, in JSON mode, as ``{"name", "error"}`` on stdout)
and the other cases still run; an unreadable file is reported and the other files still run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from ..case import Case
from ..caseio import RawCase, parse_raw, read_folder_cases
from ..errors import CaseError
from .common import print_json_line, skipped_note, warn

T = TypeVar("T")


@dataclass
class CaseRun:
    """The tally of one run: rejected cases, skipped files, unreadable files."""

    json_errors: bool
    rejected: int = 0
    skipped_files: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def each(
        self,
        paths: Sequence[str],
        compute: Callable[[Case], T],
        wanted: Callable[[RawCase], bool] | None = None,
    ) -> Iterator[T]:
        """``compute`` for every (wanted) case, skipping and reporting the rejected ones."""
        for raw in read_folder_cases(paths, self.skipped_files, self.errors):
            if wanted is not None and not wanted(raw):
                continue
            try:
                yield compute(parse_raw(raw))
            except CaseError as exc:
                self.rejected += 1
                warn(f"{raw.source}: {raw.name}: {exc}")
                if self.json_errors:
                    print_json_line({"name": raw.given_name, "error": str(exc)})

    def finish(self) -> int:
        """Report skipped and unreadable files; exit 2 if anything was rejected or unreadable."""
        if self.skipped_files:
            warn(skipped_note(self.skipped_files))
        for message in self.errors:
            warn(f"error: {message}")
        return 2 if self.rejected or self.errors else 0
