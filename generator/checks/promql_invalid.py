"""promql/invalid: every raw expression parses as PromQL and yields an instant vector.

The error is placed where Prometheus places it, at the token, in the spec's own line and column
(generator/promql_locate.py finds it; Document.inner_span maps it through quotes, escapes and block
scalars), and worded as Prometheus words it, so `promtool check rules` on the generated rules names
the same place.

A raw expression that reads a metric the spec does not declare is an error too
(promql/undeclared-metric), underlining the name: it is usually a typo. An expression that reads
another exporter's series says so with `external_metrics` (`true`, or the names).

Pass::

    alerts:
      PossibleDataBreach: {expr: 'increase(pii_detected_total[1m]) > 0', severity: critical}

Fail (unclosed bracket)::

    alerts:
      PossibleDataBreach: {expr: 'increase(pii_detected_total[1m) > 0', severity: critical}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.checks import _spec
from generator.diagnostics import Diagnostic, error
from generator.load import Document, PathKey
from generator.promql_check import parse
from generator.promql_functions import FUNCTIONS
from generator.promql_lex import metric_names, tokens
from generator.promql_locate import locate
from generator.schema import did_you_mean

NAME = "promql/invalid"
BUILTIN_SERIES = {
    "up",
    "ALERTS",
    "ALERTS_FOR_STATE",
    "scrape_duration_seconds",
    "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling",
    "scrape_series_added",
    "scrape_timeout_seconds",
    "scrape_sample_limit",
    "scrape_body_size_bytes",
}
# What to do about a Prometheus error message, by the words it contains (first match wins).
HINTS = (
    ('in grouping opts, expected "("', "grouping labels go in parentheses, e.g. `by (instance)`"),
    ('in grouping opts, expected "," or ")"', "separate grouping labels with commas, e.g. `by (job, instance)`"),
    ("in label matching", 'a selector\'s filter is `{label="value", ...}` with quoted values'),
    ("unclosed left parenthesis", "add the missing `)`"),
    ("unexpected right parenthesis", "remove the extra `)`, or add the `(` it closes"),
    ('in subquery or range, expected ":" or "]"', "close the range with `]`, e.g. `[5m]`"),
    ("expected type range vector in call to function", "give the function a range, e.g. `rate(x[5m])`"),
    ("missing unit character in duration", "durations need a unit, e.g. `5m`"),
    ("unterminated quoted string", "close the string with the quote it opened with"),
    ("in offset, expected duration", "an offset needs a duration, e.g. `offset 5m`"),
    ("unexpected end of input", "the expression stops too soon: complete it after its last operator or comma"),
)


def derived_series(names: set[str]) -> set[str]:
    """Counters and histograms expose derived series too."""
    return names | {f"{n}{suffix}" for n in names for suffix in ("_bucket", "_sum", "_count", "_created")}


def _records(doc: Document) -> set[str]:
    """Names of recording rules the spec produces (explicit or by convention, approximated by `record`)."""
    return {str(spec["record"]) for _, spec, _ in _spec.indicators(doc) if spec.get("record")}


def _token_end(expr: str, pos: int) -> int:
    """The end of the token starting at pos (one character when none starts there)."""
    for token in tokens(expr)[0]:
        if token.pos == pos and token.text:
            return pos + len(token.text)
    return pos + 1


def _hint(message: str) -> str:
    if message.startswith("unknown function with name"):
        name = message.split('"')[1] if '"' in message else ""
        return did_you_mean(name, sorted(FUNCTIONS)) or "see the PromQL function list in Prometheus' documentation"
    for words, hint in HINTS:
        if words in message:
            return hint
    return "`promtool check rules` reports the same error at this place"


def _invalid(doc: Document, expr: str, path: PathKey, what: str, exc: BaseException) -> Diagnostic:
    found = locate(expr) if isinstance(exc, ValueError) else None
    if found and found.message.startswith("unknown function") and not str(exc).startswith("unknown function"):
        found = None  # the two grammars disagree about a function: place nothing rather than the wrong thing
    if found is None:  # not placed: promql-parser's words, the whole expression
        return error(
            NAME,
            f"{what} is not valid PromQL: {exc}",
            doc.span(path),
            "`promtool check rules` on the generated rules shows where the error is",
        )
    return error(
        NAME,
        f"{what} is not valid PromQL: {found.message}",
        doc.inner_span(path, found.pos, _token_end(expr, found.pos)),
        _hint(found.message),
    )


def _allowed(spec: dict[str, Any]) -> set[str] | None:
    """The undeclared metrics the expression may read; None: any (`external_metrics: true`)."""
    external = spec.get("external_metrics")
    if external is True:
        return None
    return set(external) if isinstance(external, list) else set()


def _check_expr(doc: Document, spec: dict[str, Any], path: PathKey, known: set[str], what: str) -> Iterator[Diagnostic]:
    expr = spec["expr"]
    try:
        parsed = parse(expr)
    except BaseException as exc:  # the parser is native code; never let it take the CLI down
        yield _invalid(doc, expr, path, what, exc)
        return
    if parsed.result_type != "vector":
        yield error(
            "promql/not-a-vector",
            f"{what} returns a {parsed.result_type}, not an instant vector",
            doc.span(path),
            "alerts and recording rules need series with labels; e.g. wrap a scalar with vector()",
        )
    allowed = _allowed(spec)
    if allowed is None:
        return
    written: dict[str, tuple[int, int]] | None = None
    for name in parsed.metric_names:
        if name in known or ":" in name or name in allowed:
            continue
        written = metric_names(expr) if written is None else written  # lexed only for a name to underline
        where = written.get(name)
        yield error(
            "promql/undeclared-metric",
            f"{what} reads '{name}', which is not declared under `metrics`",
            doc.inner_span(path, *where) if where else doc.span(path),
            did_you_mean(name, sorted(known))
            or "declare it under `metrics` (`name:` for another exporter's), or list it in `external_metrics`",
        )


def check(doc: Document) -> Iterator[Diagnostic]:
    known = derived_series(_spec.full_metric_names(doc) | BUILTIN_SERIES | _records(doc))
    for key, spec, path in _spec.indicators(doc):
        if isinstance(spec.get("expr"), str):
            yield from _check_expr(doc, spec, (*path, "expr"), known, f"indicator '{key}' expr")
    for key, spec, path in _spec.alerts(doc):
        if isinstance(spec.get("expr"), str):
            yield from _check_expr(doc, spec, (*path, "expr"), known, f"alert '{key}' expr")
