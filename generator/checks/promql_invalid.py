"""promql/invalid: every raw expression parses as PromQL and yields an instant vector.

Raw expressions may read metrics the spec does not declare (other exporters, `up`), but that is
usually a typo, so it is reported as a warning (promql/undeclared-metric).

Pass::

    alerts:
      PossibleDataBreach: {expr: 'increase(pii_detected_total[1m]) > 0', severity: critical}

Fail (unclosed bracket)::

    alerts:
      PossibleDataBreach: {expr: 'increase(pii_detected_total[1m) > 0', severity: critical}
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks import _spec
from generator.diagnostics import Diagnostic, error, warning
from generator.load import Document, PathKey
from generator.promql_check import parse
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
}


def derived_series(names: set[str]) -> set[str]:
    """Counters and histograms expose derived series too."""
    return names | {f"{n}{suffix}" for n in names for suffix in ("_bucket", "_sum", "_count", "_created")}


def _records(doc: Document) -> set[str]:
    """Names of recording rules the spec produces (explicit or by convention, approximated by `record`)."""
    return {str(spec["record"]) for _, spec, _ in _spec.indicators(doc) if spec.get("record")}


def _check_expr(doc: Document, expr: str, path: PathKey, known: set[str], what: str) -> Iterator[Diagnostic]:
    try:
        parsed = parse(expr)
    except ValueError as exc:
        yield error(
            NAME,
            f"{what} is not valid PromQL: {exc}",
            doc.span(path),
            "check brackets, quotes and function arguments; `promtool check rules` shows the same error",
        )
        return
    except BaseException as exc:  # the parser is native code; never let it take the CLI down
        yield error(NAME, f"{what} could not be parsed: {exc}", doc.span(path), None)
        return
    if parsed.result_type != "vector":
        yield error(
            "promql/not-a-vector",
            f"{what} returns a {parsed.result_type}, not an instant vector",
            doc.span(path),
            "alerts and recording rules need series with labels; e.g. wrap a scalar with vector()",
        )
    for name in parsed.metric_names:
        if name not in known and ":" not in name:
            yield warning(
                "promql/undeclared-metric",
                f"{what} reads '{name}', which is not declared under `metrics`",
                doc.span(path),
                did_you_mean(name, sorted(known)) or "declare it (use `name:` for another exporter's metric)",
            )


def check(doc: Document) -> Iterator[Diagnostic]:
    known = derived_series(_spec.full_metric_names(doc) | BUILTIN_SERIES | _records(doc))
    for key, spec, path in _spec.indicators(doc):
        if isinstance(spec.get("expr"), str):
            yield from _check_expr(doc, spec["expr"], (*path, "expr"), known, f"indicator '{key}' expr")
    for key, spec, path in _spec.alerts(doc):
        if isinstance(spec.get("expr"), str):
            yield from _check_expr(doc, spec["expr"], (*path, "expr"), known, f"alert '{key}' expr")
