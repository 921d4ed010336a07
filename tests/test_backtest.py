"""`monspec backtest` against a real Prometheus, judged by promtool on the very same series.

Eight hours of exporter-shaped history (integer counters with bursts, a reset and a series born
mid-way; a gauge with a long and a short excursion; histogram buckets at declared boundaries; `up`
with an outage and a scrape gap) are written as OpenMetrics, turned into TSDB blocks by
`promtool tsdb create-blocks-from openmetrics` and served by a Prometheus on 127.0.0.1. The
backtest reports every firing of every alert. promtool then runs the generated rules over the same
samples as unit-test input and checks `ALERTS{alertstate="firing"}` at every firing's first and last
evaluation, the evaluation before and after each, and every tenth evaluation besides: promtool's
answer must be exactly the backtest's. One alert of every indicator kind, an objective's burn-rate
alerts, an absent-data alert and a free-form alert are covered, and each must fire at least once.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.backtest.api import Prometheus as Api
from tests.conftest import run_monspec
from tests.test_objectives_prometheus import Prometheus

SPEC = """version: 1
service: {name: shop, job: shop}
prometheus: {evaluation_interval: 30s, scrape_interval: 15s}
severities: {critical: {priority: P1}, warning: {priority: P2}}
metrics:
  requests_total: {type: counter, name: requests_total, labels: [code]}
  queue_depth: {type: gauge, name: queue_depth}
  request_duration_seconds: {type: histogram, name: request_duration_seconds}
  up: {type: gauge, name: up}
indicators:
  error_rate:
    rate: {metric: {metric: requests_total, filter: {code: "500"}}, window: 5m}
    thresholds: {warning: 0.5, critical: 2}
    for: 2m
  errors_new:
    increase: {metric: {metric: requests_total, filter: {code: "503"}}, window: 10m}
    thresholds: {warning: 0}
    for: 0s
  error_ratio:
    ratio:
      numerator: {metric: requests_total, filter: {code: "500"}}
      denominator: requests_total
      window: 5m
    thresholds: {warning: 0.05, critical: 0.2}
    for: 1m
  queue:
    gauge: {metric: queue_depth}
    thresholds: {warning: 100}
    for: 5m
  latency_p95:
    quantile: {metric: request_duration_seconds, q: 0.95, window: 5m}
    thresholds: {warning: 0.4}
    for: 3m
  reachable:
    expr: up{job="shop"}
    direction: below
    thresholds: {critical: 1}
    for: 1m
    absent: {for: 2m}
alerts:
  QueueAndErrors:
    expr: >-
      max by (job) (queue_depth{job="shop"}) > 50
      and on (job) sum by (job) (rate(requests_total{job="shop", code="500"}[5m])) > 0.2
    severity: warning
    for: 1m
    summary: Queue backs up while requests fail
objectives:
  slos:
    availability:
      ratio:
        bad: {metric: requests_total, filter: {code: "500"}}
        total: requests_total
      target: 0.99
      window: 30d
"""
STEP = 15  # seconds between samples
HOURS = 8
EVAL = 30
WARM = 3600  # seconds of history before the backtest's start
BUCKETS = (0.1, 0.25, 0.5, 1.0)


def history(seed: int = 7) -> dict[tuple[str, tuple[tuple[str, str], ...]], list[float | None]]:
    """Per series, a sample (or None: not scraped) every STEP seconds for HOURS hours."""
    rnd = random.Random(seed)
    n = HOURS * 3600 // STEP + 1
    ok = err = new = 0
    depth = 10.0
    buckets = [0] * (len(BUCKETS) + 1)
    out: dict[tuple[str, tuple[tuple[str, str], ...]], list[float | None]] = {}

    def put(name: str, labels: dict[str, str], i: int, value: float | None) -> None:
        key = (name, tuple(sorted({"job": "shop", **labels}.items())))
        out.setdefault(key, [None] * n)[i] = value

    for i in range(n):
        minute = i * STEP // 60
        burst = 120 <= minute < 150 or 300 <= minute < 304  # a long and a short failure burst
        ok += rnd.randint(130, 170)
        err += rnd.randint(80, 100) if burst else (1 if rnd.random() < 0.05 else 0)
        if minute == 240 and i * STEP % 60 == 0:
            ok, err = rnd.randint(0, 5), 0  # the process restarts: its counters start again
        put("requests_total", {"code": "200"}, i, ok)
        put("requests_total", {"code": "500"}, i, err)
        if minute >= 360:  # a new series, born at its first event
            new += 1 if minute in (360, 361, 420) and i * STEP % 60 == 0 else 0
            put("requests_total", {"code": "503"}, i, new)
        depth = 150.0 if 60 <= minute < 75 else 130.0 if 200 <= minute < 203 else 60.0 if burst else 10.0
        put("queue_depth", {}, i, depth + rnd.randint(0, 3))
        slow = 180 <= minute < 195
        for _ in range(rnd.randint(20, 30)):
            v = rnd.uniform(0.3, 0.9) if slow else rnd.uniform(0.01, 0.2)
            buckets[next((b for b, le in enumerate(BUCKETS) if v <= le), len(BUCKETS))] += 1
        cumulative = 0
        for b, le in enumerate((*BUCKETS, float("inf"))):
            cumulative += buckets[b]
            put("request_duration_seconds_bucket", {"le": "+Inf" if le == float("inf") else str(le)}, i, cumulative)
        put("request_duration_seconds_count", {}, i, cumulative)
        gap = 430 <= minute < 440  # the target is not scraped at all: no `up` either
        put("up", {}, i, None if gap else 0 if 150 <= minute < 155 else 1)
    return out


def openmetrics(series: dict[tuple[str, tuple[tuple[str, str], ...]], list[float | None]], t0: int) -> str:
    lines: list[str] = []
    families: dict[str, list[str]] = {}
    for (name, labels), values in series.items():
        family = name.removesuffix("_bucket").removesuffix("_count")
        inner = ",".join(f'{k}="{v}"' for k, v in labels)
        for i, v in enumerate(values):
            if v is not None:
                families.setdefault(family, []).append(f"{name}{{{inner}}} {v:g} {t0 + i * STEP}")
    for family, rows in families.items():
        kind = (
            "histogram"
            if family == "request_duration_seconds"
            else "gauge"
            if family in ("queue_depth", "up")
            else "unknown"
        )
        lines.append(f"# TYPE {family} {kind}")
        lines.extend(rows)
    return "\n".join(lines) + "\n# EOF\n"


def promtool_values(values: list[float | None]) -> str:
    return " ".join("_" if v is None else f"{v:g}" for v in values)


@pytest.fixture
def prometheus_binary() -> str:
    path = shutil.which("prometheus")
    if path is None:
        pytest.fail("prometheus is not installed: `make test` installs it (apt-get install prometheus)")
    return path


@pytest.fixture
def started() -> Iterator[list[Prometheus]]:
    servers: list[Prometheus] = []
    try:
        yield servers
    finally:
        for s in servers:
            s.stop()


def alerts_at(report: dict[str, Any], t: int) -> list[dict[str, str]]:
    found = []
    for alert in report["head"]["alerts"]:
        for f in alert["intervals"]:
            start, end = f["t_start"], f["t_end"]
            if start <= t and (end is None or t < end):
                found.append({"alertname": alert["alert"], **f["labels"]})
    return found


def test_backtest_firings_equal_promtool_on_the_same_series(
    tmp_path: Path, promtool: str, prometheus_binary: str, started: list[Prometheus]
) -> None:
    spec = tmp_path / "shop.yml"
    spec.write_text(SPEC)
    out = tmp_path / "out"
    proc = run_monspec("generate", str(spec), "--out", str(out))
    assert proc.returncode == 0, proc.stderr

    series = history()
    t0 = (int(time.time()) - (HOURS + 1) * 3600) // 3600 * 3600
    (tmp_path / "history.om").write_text(openmetrics(series, t0))
    data = tmp_path / "data"
    made = subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", "--quiet", str(tmp_path / "history.om"), str(data)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    config = tmp_path / "prometheus.yml"
    config.write_text(yaml.safe_dump({"global": {"evaluation_interval": "30s"}}))
    server = Prometheus(prometheus_binary, config, data, tmp_path / "prometheus.log")
    started.append(server)

    # The backtest starts an hour into the history, so that the state at its start (an alert pending or
    # firing since before it) is built from data, as it would be on a real server's history.
    begin, end = t0 + WARM, t0 + HOURS * 3600
    proc = run_monspec(
        "backtest",
        str(spec),
        "--prometheus",
        f"http://127.0.0.1:{server.port}",
        "--from",
        str(begin),
        "--to",
        str(end),
        "--format",
        "json",
        "--quiet",
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    alerts = report["head"]["alerts"]
    assert all(a["error"] is None for a in alerts), [a for a in alerts if a["error"]]
    for a in alerts:
        for f in a["intervals"]:
            f["t_start"] = _unix(f["start"]) - t0
            f["t_end"] = None if f["end"] is None else _unix(f["end"]) - t0
    fired = {a["alert"] for a in alerts if a["firings"]}
    must = {
        "ErrorRateWarning",
        "ErrorRateCritical",
        "ErrorsNewWarning",
        "ErrorRatioWarning",
        "ErrorRatioCritical",
        "QueueWarning",
        "LatencyP95Warning",
        "ReachableCritical",
        "ReachableAbsent",
        "QueueAndErrors",
        "AvailabilityBudgetBurnPage",
    }
    assert must <= fired, (must - fired, sorted((a["alert"], a["firings"]) for a in alerts))

    checks: set[int] = set(range(WARM, HOURS * 3600 + 1, 10 * EVAL))
    for a in alerts:
        for f in a["intervals"]:
            checks.update({f["t_start"] - EVAL, f["t_start"]})
            if f["t_end"] is not None:
                checks.update({f["t_end"] - EVAL, f["t_end"]})
    checks = {t for t in checks if WARM <= t <= HOURS * 3600}
    tests = [
        {
            "expr": 'ALERTS{alertstate="firing"}',
            "eval_time": f"{t}s",
            "exp_samples": [
                {"labels": "ALERTS" + _selector({**labels, "alertstate": "firing"}), "value": 1}
                for labels in sorted(alerts_at(report, t), key=lambda d: sorted(d.items()))
            ],
        }
        for t in sorted(checks)
    ]
    unit = {
        "rule_files": [str(out / "shop" / "prometheus" / "rules.yml")],
        "evaluation_interval": f"{EVAL}s",
        "tests": [
            {
                "interval": f"{STEP}s",
                "input_series": [
                    {"series": name + _selector(dict(labels)), "values": promtool_values(values)}
                    for (name, labels), values in series.items()
                ],
                "promql_expr_test": tests,
            }
        ],
    }
    test_file = tmp_path / "oracle.test.yml"
    test_file.write_text(yaml.safe_dump(unit, sort_keys=False))
    checked = subprocess.run([promtool, "test", "rules", str(test_file)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, (checked.stdout + checked.stderr)[-6000:]
    assert len(tests) > 100

    # --base: the same history judged by a spec whose queue warning sits higher fires less often.
    older = tmp_path / "shop-base.yml"
    older.write_text(SPEC.replace("thresholds: {warning: 100}", "thresholds: {warning: 155}"))
    both = run_monspec(
        "backtest", str(spec), "--base", str(older), "--prometheus", f"http://127.0.0.1:{server.port}",
        "--from", str(begin), "--to", str(end), "--format", "json", "--quiet",
    )  # fmt: skip
    assert both.returncode == 0, both.stderr
    sides = json.loads(both.stdout)
    queue = {side: next(a for a in sides[side]["alerts"] if a["alert"] == "QueueWarning") for side in ("base", "head")}
    assert queue["head"]["firings"] == 1 and queue["base"]["firings"] == 0, queue
    text = run_monspec(
        "backtest", str(spec), "--base", str(older), "--prometheus", f"http://127.0.0.1:{server.port}",
        "--from", str(begin), "--to", str(end), "--quiet",
    )  # fmt: skip
    assert "| QueueWarning | warning | 0 (0s), 0 sent | 1 (10m), 1 sent |" in text.stdout, text.stdout

    # A long range in pieces (here of 7 points) gives the very steps one query gives.
    api = Api(f"http://127.0.0.1:{server.port}")
    expr = 'sum by (code) (rate(requests_total{job="shop"}[5m])) > 0.3'
    whole = {s.labels: s.steps for s in api.query_range(expr, begin, end, EVAL)}
    api.max_points = 7
    pieces = {s.labels: s.steps for s in api.query_range(expr, begin, end, EVAL)}
    assert whole == pieces and whole


def _selector(labels: dict[str, str]) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def _unix(stamp: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())
