"""The promtool tests monspec derives hold for any indicator shape, not only the examples'.

Hypothesis draws indicators (every kind, both directions, inclusive or not, one to three levels,
`for` values, breakdowns, units, filters); each drawn spec is compiled and its generated unit
tests must pass in promtool. A wrong crossing value, timing or annotation fails the run.
MONSPEC_PROPERTY_EXAMPLES=300 draws more than the default 12 (a few seconds each).
"""

from __future__ import annotations

import os
import subprocess

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.compile import compile_specs
from generator.write import write_tree

SEVERITIES = ["critical", "warning", "info"]
DURATIONS = ["0s", "30s", "45s", "1m", "1m30s", "2m", "5m", "10m"]
UNITS = ["short", "percentunit", "percent", "s", "ms", "bytes", "reqps"]


@st.composite
def indicator(draw: st.DrawFn) -> dict:
    kind = draw(st.sampled_from(["rate", "increase", "ratio", "quantile", "gauge", "expr"]))
    direction = draw(st.sampled_from(["above", "below"]))
    n = draw(st.integers(1, 3))
    base = draw(st.sampled_from([0.001, 0.05, 0.5, 1.0, 3.0, 42.0, 250.0, 5000.0]))
    factor = draw(st.sampled_from([1.5, 2.0, 10.0]))
    if kind == "ratio":
        base, factor = draw(st.sampled_from([0.01, 0.05, 0.1])), 2.0
    values = [base * factor**i for i in range(n)]  # least severe first
    if direction == "below":
        values = [base / factor**i for i in range(n)]
    levels = SEVERITIES[3 - n :]  # the n least severe, most severe first
    thresholds = {}
    for sev, value in zip(reversed(levels), values, strict=True):
        thresholds[sev] = {"value": float(f"{value:.6g}"), "for": draw(st.sampled_from(DURATIONS))}
    spec: dict = {"thresholds": thresholds, "direction": direction, "unit": draw(st.sampled_from(UNITS))}
    spec["inclusive"] = draw(st.booleans())
    by = draw(st.sampled_from([[], ["route"]]))
    window = draw(st.sampled_from(["1m", "5m", "1h"]))
    if kind in ("rate", "increase"):
        metric = draw(st.sampled_from(["req_total", {"metric": "req_total", "filter": {"code": {"ne": "200"}}}]))
        spec[kind] = {"metric": metric, "window": window}
    elif kind == "ratio":
        spec["ratio"] = {
            "numerator": {"metric": "req_total", "filter": {"code": "500"}},
            "denominator": draw(st.sampled_from(["req_total", ["req_total", "other_total"]])),
            "window": window,
            "function": draw(st.sampled_from(["rate", "increase"])),
        }
    elif kind == "quantile":
        spec["quantile"] = {
            "metric": "latency_seconds",
            "q": draw(st.sampled_from([0.5, 0.95, 0.99])),
            "window": window,
        }
    elif kind == "gauge":
        spec["gauge"] = {"metric": "depth", "aggregate": draw(st.sampled_from(["max", "min", "sum", "avg"]))}
    else:
        spec["expr"] = "sum by (job, route) (depth)" if by else "sum by (job) (depth)"
    if by:
        spec["by"] = by
    if draw(st.booleans()):
        spec["absent"] = draw(st.sampled_from([True, "2m"]))
    return spec


def make_spec(indicators: list[dict]) -> str:
    doc = {
        "version": 1,
        "service": {"name": "prop", "job": "prop", "labels": {"team": "t"}},
        "severities": {s: {} for s in SEVERITIES},
        "metrics": {
            "req_total": {"type": "counter", "labels": ["code", "route"]},
            "other_total": {"type": "counter", "labels": ["route"]},
            "latency_seconds": {"type": "histogram", "labels": ["route"]},
            "depth": {"type": "gauge", "labels": ["route"]},
        },
        "indicators": {f"ind_{i}": ind for i, ind in enumerate(indicators)},
    }
    return yaml.safe_dump(doc, sort_keys=False)


@settings(
    max_examples=int(os.environ.get("MONSPEC_PROPERTY_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(indicator(), min_size=1, max_size=3))
def test_generated_tests_pass_for_any_indicator(promtool: str, tmp_path_factory, indicators: list[dict]) -> None:
    tmp = tmp_path_factory.mktemp("prop")
    spec = tmp / "prop.yml"
    spec.write_text(make_spec(indicators))
    result = compile_specs([spec])
    assert result.ok, [str(d) for d in result.diagnostics]
    out = tmp / "out"
    write_tree(out, result.files)
    prom = out / "prop" / "prometheus"
    files = sorted(p.name for p in prom.glob("*.test.yml"))
    proc = subprocess.run(
        [promtool, "test", "rules", *files], cwd=prom, capture_output=True, text=True, check=False, timeout=300
    )
    assert proc.returncode == 0, spec.read_text() + (proc.stdout + proc.stderr)[-4000:]
