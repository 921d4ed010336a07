"""A 30-day objective in a real Prometheus: 30 days of synthetic counters, the generated rules, the exact ratio.

The samples are written as OpenMetrics and turned into TSDB blocks with promtool (in chunks of a
few days, run side by side: promtool 2.42 re-reads its whole input for every 2-hour block it
writes). A Prometheus loads them with the generated rules.yml: every rule must evaluate without
errors. Recording rules only have values where Prometheus evaluated them, and this one starts
after the data ends; so the 30-day ratio is the generated rule's own expression evaluated through
the query API at the end of the data, with each recorded base-window rate it adds up replaced by
the generated base rule's expression as a 5-minute subquery. It must match the ratio Python
computes from the same counters within 1%.
"""

import json
import math
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import run_monspec

SPEC = """version: 1
service: {name: shop, job: shop}
prometheus: {evaluation_interval: 5s}
severities: {critical: {priority: P1}, warning: {priority: P2}}
metrics:
  requests_total: {type: counter, name: requests_total}
  errors_total: {type: counter, name: errors_total}
objectives:
  slos:
    availability:
      ratio: {bad: errors_total, total: requests_total}
      target: 0.999
      window: 30d
"""
STEP = 300  # seconds between samples: 30 days in 8,640 samples per series
DAYS = 31  # one day more than the window, so the window is full at the end
CHUNK = 4 * 86400  # seconds of samples per promtool run; a multiple of its 2-hour blocks
RATIO_RECORD = "job:availability_errors:ratio_rate30d"
BASE_RECORDS = ("job:availability_errors:rate5m", "job:availability_events:rate5m")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def traffic(i: int) -> tuple[int, int]:
    """(requests, errors) in sample interval i: a daily traffic cycle, and errors that come in bursts
    at busy hours, so an unweighted average of ratios would differ from the true ratio."""
    hour = (i * STEP // 3600) % 24
    requests = 600 + 400 * (hour in range(8, 20)) + (i * 7) % 50
    errors = 0
    if i % 97 < 3:
        errors = requests // 10  # a 10% failure burst every ~8 hours
    elif hour in range(12, 14):
        errors = 2
    return requests, errors


def samples(end: int) -> list[tuple[int, int, int]]:
    """Per sample: (timestamp, requests counter, errors counter), DAYS days up to `end`."""
    n = DAYS * 86400 // STEP
    start = end - n * STEP
    rows = []
    req = err = 0
    for i in range(n + 1):
        if i:
            r, e = traffic(i)
            req, err = req + r, err + e
        rows.append((start + i * STEP, req, err))
    return rows


def openmetrics(rows: list[tuple[int, int, int]]) -> str:
    lines = ["# TYPE requests counter"]
    lines += [f'requests_total{{job="shop"}} {r} {t}' for t, r, _ in rows]
    lines += ["# TYPE errors counter"]
    lines += [f'errors_total{{job="shop"}} {e} {t}' for t, _, e in rows]
    return "\n".join(lines) + "\n# EOF\n"


def import_blocks(promtool: str, rows: list[tuple[int, int, int]], tmp: Path, data: Path) -> None:
    """`promtool tsdb create-blocks-from openmetrics` over chunks of CHUNK seconds, on 2-hour block bounds."""
    chunks: dict[int, list[tuple[int, int, int]]] = {}
    for row in rows:
        chunks.setdefault(row[0] // CHUNK, []).append(row)
    procs = []
    for key, chunk in sorted(chunks.items()):
        src = tmp / f"samples-{key}.om"
        src.write_text(openmetrics(chunk))
        out = tmp / f"blocks-{key}"
        cmd = [promtool, "tsdb", "create-blocks-from", "openmetrics", "--quiet", str(src), str(out)]
        procs.append((subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True), out))
    data.mkdir()
    for proc, out in procs:
        output, _ = proc.communicate(timeout=180)
        assert proc.returncode == 0, output
        for block in out.iterdir():
            shutil.move(str(block), data / block.name)


def get(port: int, path: str, **params: str) -> Any:
    url = f"http://127.0.0.1:{port}{path}" + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=10) as resp:
        return json.loads(resp.read())


class Prometheus:
    def __init__(self, binary: str, config: Path, data: Path, log: Path) -> None:
        self.port = free_port()
        self.log = log.open("w")
        self.proc = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={data}",
                "--storage.tsdb.retention.time=400d",
                f"--web.listen-address=127.0.0.1:{self.port}",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"prometheus exited: {log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("prometheus did not become ready in 30s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture
def prometheus_binary() -> str:
    path = shutil.which("prometheus")
    if path is None:
        pytest.fail("prometheus is not installed: `make test` installs it (apt-get install prometheus)")
    return path


@pytest.fixture
def started() -> Iterator[list[Prometheus]]:
    """Prometheus servers the test starts; every one is stopped whatever happens."""
    servers: list[Prometheus] = []
    try:
        yield servers
    finally:
        for s in servers:
            s.stop()


def test_thirty_day_ratio_in_real_prometheus(
    tmp_path: Path, promtool: str, prometheus_binary: str, started: list[Prometheus]
) -> None:
    spec = tmp_path / "shop.yml"
    spec.write_text(SPEC)
    out = tmp_path / "out"
    proc = run_monspec("generate", str(spec), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    rules_file = out / "shop" / "prometheus" / "rules.yml"
    rules = yaml.safe_load(rules_file.read_text())

    # 30 days of raw samples, ending a minute ago on the sample grid.
    end = (int(time.time()) - 60) // STEP * STEP
    rows = samples(end)
    data = tmp_path / "data"
    import_blocks(promtool, rows, tmp_path, data)

    config = tmp_path / "prometheus.yml"
    config.write_text(yaml.safe_dump({"global": {"evaluation_interval": "5s"}, "rule_files": [str(rules_file)]}))
    server = Prometheus(prometheus_binary, config, data, tmp_path / "prometheus.log")
    started.append(server)

    # Every generated rule evaluates without errors.
    deadline = time.monotonic() + 30
    groups: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        groups = get(server.port, "/api/v1/rules")["data"]["groups"]
        evaluated = [r for g in groups for r in g["rules"] if not r.get("lastEvaluation", "0001").startswith("0001")]
        if groups and len(evaluated) == sum(len(g["rules"]) for g in groups):
            break
        time.sleep(0.5)
    names = {r["name"] for g in groups for r in g["rules"]}
    assert RATIO_RECORD in names and "AvailabilityBudgetBurnPage" in names
    assert len(names) == sum(len(g["rules"]) for g in rules["groups"])
    unhealthy = [(r["name"], r.get("lastError")) for g in groups for r in g["rules"] if r["health"] != "ok"]
    assert unhealthy == [], unhealthy

    # The exact 30-day ratio from the counters.
    by_time = {t: (r, e) for t, r, e in rows}
    window_start = end - 30 * 86400
    exact = (by_time[end][1] - by_time[window_start][1]) / (by_time[end][0] - by_time[window_start][0])
    assert 0.001 < exact < 0.05, "the synthetic data should burn budget at a visible rate"

    # The generated 30d rule, its recorded inputs replaced by the generated base rules as subqueries.
    exprs = {r["record"]: r["expr"] for g in rules["groups"] for r in g["rules"] if "record" in r}
    expr = exprs[RATIO_RECORD]
    assert "[30d]" in expr and "rate(" not in expr, "the 30d window must add up recorded rates, not scan raw series"
    for record in BASE_RECORDS:
        assert f"{record}[30d]" in expr
        expr = expr.replace(f"{record}[30d]", f"({exprs[record]})[30d:5m]")
    result = get(server.port, "/api/v1/query", query=expr, time=str(end))["data"]["result"]
    assert len(result) == 1, result
    assert math.isclose(float(result[0]["value"][1]), exact, rel_tol=0.01), (result, exact)
    # Budget remaining is the same ratio against the budget: 1 - ratio / (1 - target).
    remaining = exprs["job:availability_error_budget:remaining30d"].replace(RATIO_RECORD, f"({expr})")
    left = get(server.port, "/api/v1/query", query=remaining, time=str(end))["data"]["result"]
    assert math.isclose(float(left[0]["value"][1]), 1 - exact / 0.001, rel_tol=0.01)
