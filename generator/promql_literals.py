"""PromQL literals as Prometheus reads them: which durations and numbers it refuses, and in what words."""

from __future__ import annotations

import ast
import math
import re

from generator import promql_lex as lex
from generator.promql_lex import go_quote

_DURATION = re.compile(r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$")


def duration_problem(text: str) -> str | None:
    """What Prometheus says about a duration token, or None when it is a valid, non-zero duration."""
    m = _DURATION.match(text)
    if m is None or text == "":
        return f"not a valid duration string: {go_quote(text)}"
    if not any(int(g) for g in m.groups() if g):
        return "duration must be greater than 0"
    return None


def number_problem(text: str) -> str | None:
    low = text.lower()
    if low in lex.NUMBER_WORDS:
        return None
    try:
        int(text, 0)
        return None
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return f"error parsing number: strconv.ParseFloat: parsing {go_quote(text)}: invalid syntax"
    if math.isinf(value):
        return f"error parsing number: strconv.ParseFloat: parsing {go_quote(text)}: value out of range"
    return None


def unquote(text: str) -> str:
    if text.startswith("`"):
        return text[1:-1]
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text[1:-1]
    return value if isinstance(value, str) else text[1:-1]


def value(text: str) -> float:
    try:
        return float(int(text, 0))
    except ValueError:
        return float(text)
