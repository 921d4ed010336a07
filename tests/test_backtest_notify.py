"""The backtest's notification replay against a real Alertmanager fed the same firings in real time.

A routing spec with two severities (fast pages, slower chat), by-severity inhibition and grouping is
compiled; a schedule of firings (a critical alert that inhibits its warning sibling, a warning that
joins a notified group, an alert that resolves and fires again, a repeat) is replayed by the backtest
and, second by second, posted to an Alertmanager on 127.0.0.1 the way Prometheus sends alerts. The
webhook notifications that carry firing alerts must be the ones the backtest predicts: same
receivers, same alerts, at the same moments within a second. The schedule keeps every alert event
at least a second away from every group flush, so the comparison does not depend on scheduling luck.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from generator import conventions as conv
from generator.backtest.notify import AlertFiring, labelled, notifications
from generator.backtest.states import Firing
from generator.compile import compile_specs
from tests.stack import free_port

SPEC = """version: 1
service: {name: shop, job: shop}
severities: {critical: {priority: P1}, warning: {priority: P2}}
metrics: {depth: {type: gauge}, errors: {type: gauge}}
indicators:
  depth: {gauge: {metric: depth}, thresholds: {warning: 10, critical: 20}}
  errors: {gauge: {metric: errors}, thresholds: {warning: 1}}
routing:
  receivers:
    pager: {webhook: {url: "http://127.0.0.1:{port}/pager"}}
    chat: {webhook: {url: "http://127.0.0.1:{port}/chat"}}
  receiver: chat
  group_by: [service, severity]
  routes:
    - {match: {severity: critical}, receiver: pager}
    - {match: {severity: warning}, receiver: chat}
  severities:
    critical: {group_wait: 2s, group_interval: 6s, repeat_interval: 20s}
    warning: {group_wait: 3s, group_interval: 8s, repeat_interval: 1h}
"""
# (alert, severity, indicator, start s, end s or None): relative to the start of the run
SCHEDULE = (
    ("DepthWarning", "warning", "depth", 0.5, 30.5),  # inhibited while DepthCritical fires
    ("DepthCritical", "critical", "depth", 4.5, 16.5),
    ("ErrorsWarning", "warning", "errors", 13.5, 24.5),  # joins the warning group that has flushed
    ("DepthCritical", "critical", "depth", 34.5, None),  # fires again: a new group, then a repeat
)
HORIZON = 62.0
MARGIN = 1.0  # seconds between any alert event and any flush


@pytest.fixture
def sink() -> Iterator[tuple[int, list[tuple[float, str, dict[str, Any]]]]]:
    got: list[tuple[float, str, dict[str, Any]]] = []
    lock = threading.Lock()

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            with lock:
                got.append((time.time(), self.path.strip("/"), body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield int(server.server_address[1]), got
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def alertmanager(tmp_path: Path) -> Iterator[tuple[Path, list[subprocess.Popen[bytes]]]]:
    procs: list[subprocess.Popen[bytes]] = []
    try:
        yield tmp_path, procs
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def _stamp(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat().replace("+00:00", "Z")


def _post(port: int, alerts: list[dict[str, Any]]) -> None:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v2/alerts", data=json.dumps(alerts).encode(), method="POST"
    )
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=5):
        pass


def _labels(rules: dict[tuple[str, str], dict[str, str]], name: str, severity: str) -> dict[str, str]:
    return {**rules[(name, severity)], "alertname": name}


def test_notifications_equal_a_real_alertmanager(
    sink: tuple[int, list[tuple[float, str, dict[str, Any]]]],
    alertmanager: tuple[Path, list[subprocess.Popen[bytes]]],
) -> None:
    port, got = sink
    tmp, procs = alertmanager
    spec = tmp / "shop.yml"
    spec.write_text(SPEC.replace("{port}", str(port)))
    result = compile_specs([spec])
    assert result.ok, result.diagnostics
    model = result.models[0]
    assert model.routing is not None
    rules = {(r.name, r.severity.name): dict(r.labels) for r in model.alert_rules()}

    # The backtest's prediction, on a clock where the run starts at 0 (whole seconds: events sit at .5).
    firings: list[AlertFiring] = []
    for name, severity, _, start, end in SCHEDULE:
        labels = tuple(sorted(_labels(rules, name, severity).items()))
        firing = Firing(labels, int(start * 2), None if end is None else int(end * 2))
        firings.append(labelled(name, severity, firing))
    # Half-second units: scale the routing clock too, by replaying it on doubled times.
    expected = notifications(_doubled(model.routing), firings, int(HORIZON * 2))
    assert len(expected) >= 5, expected
    events = [2 * t for _, _, _, s, e in SCHEDULE for t in (s, e) if t is not None]
    flushes = [n.at for n in expected]
    assert all(abs(e - f) >= 2 * MARGIN for e in events for f in flushes), (events, flushes)

    config = tmp / "alertmanager.yml"
    config.write_bytes(result.files[conv.alertmanager_config_path("shop")])
    binary = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    assert binary is not None, "make test installs prometheus-alertmanager"
    am_port = free_port()
    log = (tmp / "am.log").open("wb")
    procs.append(
        subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.path={tmp / 'am'}",
                f"--web.listen-address=127.0.0.1:{am_port}",
                "--cluster.listen-address=",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    )
    _ready(am_port)

    t0 = time.time()
    resolved: set[int] = set()
    while (now := time.time() - t0) < HORIZON:
        batch = []
        for i, (name, severity, _, start, end) in enumerate(SCHEDULE):
            if now < start:
                continue
            alert = {"labels": _labels(rules, name, severity), "startsAt": _stamp(t0 + start)}
            if end is not None and now >= end:
                if i in resolved:
                    continue
                resolved.add(i)
                alert["endsAt"] = _stamp(t0 + end)
            else:
                alert["endsAt"] = _stamp(time.time() + 4)
            batch.append(alert)
        if batch:
            _post(am_port, batch)
        time.sleep(0.1)

    observed = [
        (at - t0, receiver, tuple(sorted(a["labels"]["alertname"] for a in body["alerts"] if a["status"] == "firing")))
        for at, receiver, body in got
        if any(a["status"] == "firing" for a in body["alerts"])
    ]
    predicted = [(n.at / 2, n.receiver, tuple(sorted(name for name, _ in n.alerts))) for n in expected]
    assert [(r, a) for _, r, a in observed] == [(r, a) for _, r, a in predicted], (observed, predicted)
    for (seen, _, _), (want, _, _) in zip(observed, predicted, strict=True):
        assert abs(seen - want) < MARGIN, (observed, predicted)


def _ready(port: int) -> None:
    end = time.monotonic() + 30
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("alertmanager did not become ready")


def _doubled(routing: Any) -> Any:
    """ROUTING with every interval doubled, for a replay in half-second units."""
    from dataclasses import replace

    def route(r: Any) -> Any:
        t = r.timing
        timing = replace(
            t,
            group_wait_ms=None if t.group_wait_ms is None else t.group_wait_ms * 2,
            group_interval_ms=None if t.group_interval_ms is None else t.group_interval_ms * 2,
            repeat_interval_ms=None if t.repeat_interval_ms is None else t.repeat_interval_ms * 2,
        )
        return replace(r, timing=timing, routes=tuple(route(c) for c in r.routes))

    return replace(routing, root=route(routing.root))
