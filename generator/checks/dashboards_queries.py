"""dashboards/invalid-query: every PromQL query of a dashboard parses and reads only known series.

A panel may read the metrics declared under `metrics` (and their _bucket/_sum/_count series),
recording rules the spec names with `record:`, and Prometheus' own series (`up`, `ALERTS`...).
Anything else is an error (`dashboards/undeclared-metric`): a panel reading a series nobody
produces stays empty forever. To show an indicator, reference it with `indicator:`, which reads its
recording rule whatever its conventional name is. Grafana variables ($job, $instance,
$__rate_interval...) are replaced by sample values before parsing.

Pass::

    panels: [{title: Denials, query: 'sum(rate(clawdbot_rbac_denied_total{job="$job"}[5m]))'}]

Fail (unclosed bracket)::

    panels: [{title: Denials, query: 'sum(rate(clawdbot_rbac_denied_total[5m))'}]
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from generator.checks import _spec
from generator.checks.dashboards_refs import panels
from generator.checks.promql_invalid import BUILTIN_SERIES, derived_series
from generator.diagnostics import Diagnostic, error
from generator.load import Document, PathKey
from generator.promql_check import parse
from generator.schema import did_you_mean

NAME = "dashboards/invalid-query"
_DURATION_VARS = {"__rate_interval", "__interval", "__range", "__auto"}
_VAR = re.compile(r"\$(?:\{(\w+)(?::\w+)?\}|(\w+))|\[\[(\w+)\]\]")


def sample(expr: str) -> str:
    """The query as Grafana sends it, with a plausible value for each variable."""

    def value(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(2) or m.group(3)
        return "5m" if name in _DURATION_VARS else "x"

    return _VAR.sub(value, expr)


def queries(doc: Document) -> Iterator[tuple[str, PathKey]]:
    for panel, path in panels(doc):
        if isinstance(panel.get("query"), str):
            yield panel["query"], (*path, "query")
        for i, q in enumerate(panel.get("queries") or ()):
            if isinstance(q, dict) and isinstance(q.get("expr"), str):
                yield q["expr"], (*path, "queries", i, "expr")


def check(doc: Document) -> Iterator[Diagnostic]:
    records = {str(s["record"]) for _, s, _ in _spec.indicators(doc) if s.get("record")}
    known = derived_series(_spec.full_metric_names(doc)) | BUILTIN_SERIES | records
    for expr, path in queries(doc):
        try:
            parsed = parse(sample(expr))
        except ValueError as exc:
            yield error(NAME, f"dashboard query is not valid PromQL: {exc}", doc.span(path), None)
            continue
        except BaseException as exc:  # native parser: never let it take the CLI down
            yield error(NAME, f"dashboard query could not be parsed: {exc}", doc.span(path), None)
            continue
        for name in parsed.metric_names:
            if name not in known:
                hint = (
                    "a recording rule is read by name only when an indicator sets it with `record:`;"
                    " or show the indicator with `indicator:` (or colour a query with `thresholds:`)"
                    if ":" in name
                    else did_you_mean(name, sorted(known)) or "declare the metric under `metrics`"
                )
                yield error(
                    "dashboards/undeclared-metric",
                    f"dashboard query reads '{name}', which neither `metrics` nor a `record:` produces",
                    doc.span(path),
                    hint,
                )
