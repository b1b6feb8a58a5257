"""Problems found in records, and the few exceptions stss raises.

A `Problem` is a value: loading and checking never raise for a user's
mistake, they return problems, and the CLI turns them into output and an exit
code in one place. Exceptions are kept for things that stop a command
(`StssError` and its kinds), each carrying a message written for people.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

#: A path into a parsed YAML document: mapping keys and sequence indexes.
Loc = tuple[str | int, ...]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """Something wrong in the records, located in a file.

    `loc` is where the problem sits inside the document; `line` and `column`
    (1-based) are filled in later by the store, which alone reads files, so
    checks can stay pure and name the offending value by its key path.
    """

    path: str
    line: int = 0
    column: int = 0
    severity: Severity = field(default=Severity.ERROR, compare=False)
    message: str = field(default="", compare=True)
    hint: str | None = field(default=None, compare=False)
    loc: Loc = field(default=(), compare=False)

    def order(self) -> tuple[str, int, int, str]:
        """The key problems sort by, as their comparison orders them (`sorted(key=...)`
        compares tuples in C: 20,000 warnings compared field by field took a tenth of a second)."""
        return self.path, self.line, self.column, self.message

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def located(self, line: int, column: int) -> Problem:
        # By its fields, not `dataclasses.replace` (which inspects them all, each time): a
        # warm validate locates 20,000 warnings.
        return Problem(path=self.path, line=line, column=column, severity=self.severity, message=self.message,
                       hint=self.hint, loc=self.loc)

    def text(self) -> str:
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{self.path}:{self.line}:{self.column}: {self.severity.value}: {self.message}{hint}"

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity.value,
            "message": self.message + (f" (hint: {self.hint})" if self.hint else ""),
        }


def error(path: str, loc: Loc, message: str, hint: str | None = None) -> Problem:
    return Problem(path=path, loc=loc, message=message, hint=hint, severity=Severity.ERROR)


def warning(path: str, loc: Loc, message: str, hint: str | None = None) -> Problem:
    return Problem(path=path, loc=loc, message=message, hint=hint, severity=Severity.WARNING)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A "did you mean" hint naming the closest known spelling, if any is close."""
    close = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def unknown_id_hint(word: str, choices: Iterable[str]) -> str:
    """A hint for an id that names nothing: the closest one, or where ids come from."""
    known = sorted(set(choices))
    close = did_you_mean(word, known)
    if close:
        return close
    if not known:
        return "none are defined yet"
    shown = ", ".join(known[:6]) + (", ..." if len(known) > 6 else "")
    return f"known: {shown}"


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.is_error for p in problems)


class StssError(Exception):
    """A failure that ends a command, with a message for people."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(StssError):
    """The command line asks for something that cannot be done as asked."""

    exit_code = 2


class StoreError(StssError):
    """The records root cannot be found, read or written."""


class RecordsInvalid(StssError):
    """A change was refused because the records would not validate."""

    def __init__(self, problems: list[Problem], message: str = "refused: the records would not validate",
                 root: Path | None = None) -> None:
        super().__init__(message)
        self.problems = problems
        self.root = root  # to show paths as the user typed them


class TemplateError(StssError):
    """A report template is missing, broken, or tried something unsafe."""


def require_known(kind: str, ident: str | None, known: Iterable[str]) -> None:
    """Refuse (a usage error) an id given on the command line that names no record of `kind`
    (None: the option was not given)."""
    known = list(known)
    if ident is not None and ident not in known:
        raise UsageError(f"unknown {kind} '{ident}'", unknown_id_hint(ident, known))


class GitError(StssError):
    """git is missing, failed, or the records are not in a repository."""
