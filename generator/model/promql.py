"""PromQL text for the structured indicator kinds, built from the model so it is valid by construction."""

from __future__ import annotations

import re

from generator.model.durations import format_duration
from generator.model.indicators import GaugeQuery, QuantileQuery, Query, RateQuery, RatioQuery, RawQuery
from generator.model.metrics import Matcher, Selector

TERM_LABEL = "monspec_term"


_NEEDS_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f]')


def quote(value: str) -> str:
    """A PromQL double-quoted string literal (Go escaping), safe for any label value."""
    if not _NEEDS_ESCAPE.search(value):
        return f'"{value}"'  # nearly every label value: no per-character walk (310,000 calls at N=10,000)
    out = ['"']
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def selector(sel: Selector, job: str, suffix: str = "", extra: tuple[Matcher, ...] = ()) -> str:
    matchers = (Matcher("job", "=", job), *sel.matchers, *extra)
    inner = ", ".join(f"{m.label}{m.op}{quote(m.value)}" for m in matchers)
    return f"{sel.metric.name}{suffix}{{{inner}}}"


def by_clause(labels: tuple[str, ...]) -> str:
    return f"by ({', '.join(labels)})"


def sum_of(function: str, sels: tuple[Selector, ...], job: str, window: str, keep: tuple[str, ...]) -> str:
    """`sum by (keep) (function(sel[window]))` over one or several counters added together."""
    if len(sels) == 1:
        return f"sum {by_clause(keep)} ({function}({selector(sels[0], job)}[{window}]))"
    # `a + b` is empty while either counter has no series yet (a labelled counter appears
    # only after its first increment): failures / (failures + logins) would stay silent
    # through a brute-force attack with no successful login. `or` keeps whichever terms
    # exist; a per-term label keeps series of different metrics apart until the sum.
    terms = " or ".join(
        f'label_replace({function}({selector(s, job)}[{window}]), "{TERM_LABEL}", "{i}", "", "")'
        for i, s in enumerate(sels)
    )
    return f"sum {by_clause(keep)} ({terms})"


def render(query: Query, job: str, by: tuple[str, ...]) -> str:
    keep = ("job", *by)
    if isinstance(query, RawQuery):
        return query.expr.strip()
    if isinstance(query, RateQuery):
        w = format_duration(query.window_ms)
        return f"sum {by_clause(keep)} ({query.function}({selector(query.selector, job)}[{w}]))"
    if isinstance(query, RatioQuery):
        w = format_duration(query.window_ms)
        num = sum_of(query.function, query.numerators, job, w, keep)
        return f"{num} / {sum_of(query.function, query.denominators, job, w, keep)}"
    if isinstance(query, QuantileQuery):
        w = format_duration(query.window_ms)
        inner = f"sum {by_clause((*keep, 'le'))} (rate({selector(query.selector, job, '_bucket')}[{w}]))"
        return f"histogram_quantile({query.q!r}, {inner})"
    if isinstance(query, GaugeQuery):
        return f"{query.aggregate} {by_clause(keep)} ({selector(query.selector, job)})"
    raise TypeError(query)


def number(value: float) -> str:
    """A threshold as PromQL prints it: integers without a trailing .0."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)
