"""User-facing problems: fatal input errors and recoverable warnings, each naming file and line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class InputError(Exception):
    """Unusable input: the CLI prints it and exits 2, writing nothing."""

    def __init__(self, file: str | Path, line: int, message: str) -> None:
        self.problem = Problem(str(file), line, message)
        super().__init__(str(self.problem))

    @classmethod
    def of(cls, problem: Problem) -> InputError:
        """The error saying `problem` as it is (e.g. a PDF's, named by page: `ingest`)."""
        err = cls(problem.file, problem.line, problem.message)
        err.problem = problem
        err.args = (str(problem),)
        return err


@dataclass
class Diagnostics:
    """Warnings collected while converting one report (recoverable problems)."""

    file: str
    warnings: list[Problem] = field(default_factory=list)

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(Problem(self.file, line, message))


def parse_error_line(err: BaseException) -> int:
    """The line a parser's error names (rdflib's `lines`, pyoxigraph's and Python's `lineno`), else 1."""
    for attribute in ("lineno", "lines", "line"):
        line = getattr(err, attribute, None)
        if isinstance(line, int) and line > 0:
            return line
    return 1


class UsageError(Exception):
    """Bad command-line input (a flag's value, a query's parameter): the CLI prints it and exits 2."""
