"""A real Prometheus and Alertmanager on 127.0.0.1, fed by a synthetic exporter, reporting to a local webhook.

Used by the end-to-end test and the detection-latency benchmark. Every server listens on a free
port on 127.0.0.1, and `Stack.close()` stops every process and thread it started, whatever failed.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from generator.model.promql import quote


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Notification:
    receiver_path: str  # the webhook path: /<receiver name>
    payload: dict[str, Any]
    received: float  # time.monotonic()


@dataclass
class Exporter:
    """Serves the current values of gauges in the Prometheus text format."""

    values: dict[tuple[str, tuple[tuple[str, str], ...]], float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def set(self, name: str, labels: dict[str, str], value: float) -> None:
        with self.lock:
            self.values[(name, tuple(sorted(labels.items())))] = value

    def text(self) -> str:
        with self.lock:
            lines = []
            for (name, labels), value in sorted(self.values.items()):
                inner = ",".join(f"{k}={quote(v)}" for k, v in labels)
                lines.append(f"{name}{{{inner}}} {value!r}")
        return "\n".join(lines) + "\n"


@dataclass
class Sink:
    """Collects webhook notifications."""

    notifications: list[Notification] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, path: str, payload: dict[str, Any]) -> None:
        with self.lock:
            self.notifications.append(Notification(path, payload, time.monotonic()))

    def snapshot(self) -> list[Notification]:
        with self.lock:
            return list(self.notifications)

    def wait_for(self, predicate: Callable[[list[Notification]], bool], deadline_s: float) -> list[Notification]:
        end = time.monotonic() + deadline_s
        while True:
            found = self.snapshot()
            if predicate(found):
                return found
            if time.monotonic() > end:
                raise TimeoutError(f"condition not met within {deadline_s:.1f}s; received {describe(found)}")
            time.sleep(0.05)


def describe(notifications: list[Notification]) -> list[tuple[str, str, list[str]]]:
    return [
        (n.receiver_path, n.payload.get("status", ""), [a["labels"].get("alertname", "") for a in n.payload["alerts"]])
        for n in notifications
    ]


def _serve(handler: type[BaseHTTPRequestHandler]) -> tuple[ThreadingHTTPServer, int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, int(server.server_address[1])


class Stack:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.exporter = Exporter()
        self.sink = Sink()
        self.servers: list[ThreadingHTTPServer] = []
        self.processes: list[subprocess.Popen[bytes]] = []
        exporter, sink = self.exporter, self.sink

        class Metrics(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = exporter.text().encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        class Hook(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                sink.add(self.path, json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        server, self.exporter_port = _serve(Metrics)
        self.servers.append(server)
        server, self.webhook_port = _serve(Hook)
        self.servers.append(server)
        self.prometheus_port = free_port()
        self.alertmanager_port = free_port()

    def start(self, prometheus_yml: Path, alertmanager_yml: Path) -> None:
        am = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
        prom = shutil.which("prometheus")
        if am is None or prom is None:
            raise RuntimeError("prometheus and prometheus-alertmanager must be installed (make tools)")
        self._spawn(
            "alertmanager",
            [
                am,
                f"--config.file={alertmanager_yml}",
                f"--storage.path={self.workdir / 'am-data'}",
                f"--web.listen-address=127.0.0.1:{self.alertmanager_port}",
                "--cluster.listen-address=",
            ],
        )
        self._spawn(
            "prometheus",
            [
                prom,
                f"--config.file={prometheus_yml}",
                f"--storage.tsdb.path={self.workdir / 'prom-data'}",
                f"--web.listen-address=127.0.0.1:{self.prometheus_port}",
            ],
        )
        self._wait_ready(f"http://127.0.0.1:{self.alertmanager_port}/-/ready", "alertmanager")
        self._wait_ready(f"http://127.0.0.1:{self.prometheus_port}/-/ready", "prometheus")

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = (self.workdir / f"{name}.log").open("wb")
        self.processes.append(subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir))

    def _wait_ready(self, url: str, name: str, timeout_s: float = 30) -> None:
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            for p in self.processes:
                if p.poll() is not None:
                    raise RuntimeError(f"{name} exited: {self.logs()}")
            try:
                with urllib.request.urlopen(url, timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{name} not ready after {timeout_s}s: {self.logs()}")

    def get(self, port: int, path: str) -> Any:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
            return json.loads(r.read())

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in sorted(self.workdir.glob("*.log"))
        )

    def close(self) -> None:
        for p in self.processes:
            if p.poll() is None:
                p.terminate()
        for p in self.processes:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)
        for s in self.servers:
            s.shutdown()
            s.server_close()


def fast_spec(spec: dict[str, Any], stack: Stack, interval: str = "1s", hold: str = "2s") -> dict[str, Any]:
    """The example spec set up for a test run: everything local, every interval short.

    Receivers become webhooks to the stack's sink (path = receiver name), so which receiver was
    notified is visible; routes keep their matchers. Time-of-day intervals are dropped so the
    run does not depend on the clock; everything else routes as the example says.
    """
    spec = json.loads(json.dumps(spec))
    spec["prometheus"] = {
        "scrape_interval": interval,
        "evaluation_interval": interval,
        "alertmanagers": [f"127.0.0.1:{stack.alertmanager_port}"],
    }
    spec["service"]["scrape"] = {"targets": [f"127.0.0.1:{stack.exporter_port}"], "interval": interval}
    for group in (spec.get("groups") or {}).values():
        group["interval"] = interval
    for ind in spec.get("indicators", {}).values():
        ind["for"] = hold
        for t in ind["thresholds"].values():
            if isinstance(t, dict):
                t.pop("for", None)
    for alert in (spec.get("alerts") or {}).values():
        alert["for"] = hold
    routing = spec["routing"]
    routing["receivers"] = {
        name: {"webhook": {"url": f"http://127.0.0.1:{stack.webhook_port}/{name}"}} for name in routing["receivers"]
    }
    for key in ("email", "slack_api_url_file", "time_intervals"):
        routing.pop(key, None)
    routing.update({"group_wait": interval, "group_interval": interval, "repeat_interval": "1h"})
    routing["severities"] = {s: {"group_wait": interval, "group_interval": interval} for s in spec["severities"]}

    def strip(routes: list[dict[str, Any]]) -> None:
        for r in routes:
            for key in ("mute", "active", "group_wait", "group_interval"):
                r.pop(key, None)
            strip(r.get("routes") or [])

    strip(routing.get("routes") or [])
    return spec
