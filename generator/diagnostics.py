"""Diagnostics are values, not exceptions: every stage collects them so a user sees all problems at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum


class Severity(IntEnum):
    """Ordered so that the highest severity found decides the exit code."""

    INFO = 0
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Span:
    """A 1-based source range; columns count characters, as editors do."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    span: Span | None
    hint: str | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        if self.span is None:
            return ("", 0, 0, self.code, self.message)
        return (self.span.file, self.span.line, self.span.col, self.code, self.message)


def printable(text: str, limit: int = 80) -> str:
    """A value as a message may show it: one line (control characters escaped) and never a whole page.

    Diagnostics are one line each (`file:line:col: ...`); a hostile value with a newline, or 20,000
    characters of it, must not break that or flood a CI log.
    """
    flat = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    if len(flat) > limit:
        return f"{flat[:limit]}... ({len(text):,} characters)"
    return flat


def error(code: str, message: str, span: Span | None, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, span, hint)


def warning(code: str, message: str, span: Span | None, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, Severity.WARNING, message, span, hint)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


class CompileError(Exception):
    """Raised once, after collection, to stop the pipeline before anything is rendered or written."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"{len(diagnostics)} problem(s)")
        self.diagnostics = diagnostics
