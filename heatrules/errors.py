"""The library's exceptions: every message names the offending field by its path."""

from __future__ import annotations


class HeatrulesError(Exception):
    """Base class of every error heatrules raises on purpose."""


class CaseError(HeatrulesError, ValueError):
    """A case (or other input) is invalid; ``problems`` holds ``(path, message)`` pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p}: {m}" if p else m for p, m in problems))

    @classmethod
    def single(cls, path: str, message: str) -> CaseError:
        """An error with one problem at ``path``."""
        return cls([(path, message)])


class NoRuleInForce(CaseError):
    """No parameter value is in force for the requested season."""


class ParameterError(HeatrulesError):
    """The packaged (or supplied) parameter data is malformed."""


class InputFileError(HeatrulesError):
    """A file cannot be read or parsed (exit code 2 on the command line)."""
