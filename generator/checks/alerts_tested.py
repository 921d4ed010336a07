"""alerts/untested: a free-form alert carries the synthetic series that prove it.

monspec derives tests for indicator alerts itself; a free-form expression can mean anything, so
its `test` block says which series make it fire (`firing`) and which keep it quiet (`silent`).
Series must be valid selectors and values valid promtool expanding notation.

Pass::

    PossibleDataBreach:
      expr: increase(pii_detected_total[1m]) > 0 and pii_redacted_total == 0
      severity: critical
      test:
        firing: {'pii_detected_total{job="f"}': '0+1x20', 'pii_redacted_total{job="f"}': '0x20'}
        silent: {'pii_detected_total{job="f"}': '0+1x20', 'pii_redacted_total{job="f"}': '0+1x20'}
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import promql_parser as pp

from generator.checks import _spec
from generator.diagnostics import Diagnostic, error, warning
from generator.load import Document
from generator.model.durations import parse_duration

NAME = "alerts/untested"
_NUM = r"(?:[-+]?(?:[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|Inf|NaN)|_|stale)"
_TERM = rf"{_NUM}(?:[-+][0-9.eE+-]+)?(?:x[0-9]+)?"
VALUES = re.compile(rf"^\s*{_TERM}(?:\s+{_TERM})*\s*$")


def _is_zero(value: object) -> bool:
    try:
        return isinstance(value, str) and parse_duration(value) == 0
    except ValueError:
        return False


def check(doc: Document) -> Iterator[Diagnostic]:
    for key, spec, path in _spec.alerts(doc):
        test = spec.get("test")
        if not isinstance(test, dict):
            yield warning(
                NAME,
                f"alert '{key}' has no `test`; no promtool test proves it fires",
                doc.key_span(path),
                "add test: {firing: {...}, silent: {...}} with synthetic series",
            )
            continue
        for field in ("interval", "at"):
            if _is_zero(test.get(field)):
                yield error(
                    "alerts/test-values",
                    f"test.{field} must be longer than 0",
                    doc.span((*path, "test", field)),
                    "e.g. 15s for the interval, 10m for the time of the check",
                )
        if "silent" not in test:
            yield warning(
                NAME,
                f"alert '{key}' has no `test.silent` series; only its firing case is tested",
                doc.key_span((*path, "test")),
                "add series that keep the alert quiet",
            )
        for case in ("firing", "silent"):
            series = test.get(case)
            if not isinstance(series, dict):
                continue
            for sel, values in series.items():
                try:
                    node = pp.parse(sel)
                    ok = isinstance(node, pp.VectorSelector)
                except ValueError:
                    ok = False
                if not ok:
                    yield error(
                        "alerts/test-series",
                        f"'{sel}' is not a series selector",
                        doc.key_span((*path, "test", case, sel)),
                        "write a metric name with labels, e.g. 'x_total{job=\"api\"}'",
                    )
                if not isinstance(values, str) or not VALUES.match(values):
                    yield error(
                        "alerts/test-values",
                        f"'{values}' is not promtool's expanding notation",
                        doc.span((*path, "test", case, sel)),
                        "e.g. '0+5x30' (start+step x count) or '1 2 3 _ stale'",
                    )
