"""Range queries against Prometheus's HTTP API (`/api/v1/query_range`), in pieces it accepts.

Prometheus refuses a range query of more than 11,000 points per series, and a long query may hit its
own or the network's time-outs; the range is cut into pieces of at most MAX_POINTS steps, each piece
is retried on a transient failure (a refused connection, 503, a time-out), and the pieces' samples
are joined per series. Plain HTTP from the standard library: the API is four form fields and JSON.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_POINTS = 10_000  # below Prometheus's limit of 11,000 points per series
RETRIES = 3
Labels = tuple[tuple[str, str], ...]


class PrometheusError(RuntimeError):
    """Prometheus refused a query (FATAL False: that query is at fault) or could not be reached (FATAL True)."""

    def __init__(self, message: str, fatal: bool = False) -> None:
        super().__init__(message)
        self.fatal = fatal


@dataclass
class Series:
    labels: Labels
    steps: set[int] = field(default_factory=set)  # the step timestamps (s) where the expression had a value


def _labels(metric: dict[str, str]) -> Labels:
    return tuple(sorted((k, v) for k, v in metric.items() if k != "__name__"))


@dataclass
class Prometheus:
    url: str
    timeout_s: float = 60.0
    max_points: int = MAX_POINTS
    progress: Callable[[str], None] | None = None
    sleep: Callable[[float], None] = time.sleep

    def _post(self, path: str, form: dict[str, str]) -> dict[str, object]:
        data = urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(self.url.rstrip("/") + path, data=data, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        last = ""
        for attempt in range(RETRIES):
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_s) as resp:
                    body: dict[str, object] = json.loads(resp.read())
                    return body
            except urllib.error.HTTPError as exc:
                detail = _error_text(exc)
                if exc.code not in (429, 502, 503, 504):
                    raise PrometheusError(f"{self.url} answered {exc.code}: {detail}") from None
                last = f"{exc.code}: {detail}"
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                last = str(getattr(exc, "reason", exc))
            self.sleep(0.5 * 2**attempt)
        raise PrometheusError(f"{self.url} could not be queried after {RETRIES} tries: {last}", fatal=True)

    def query_range(self, expr: str, start: int, end: int, step: int) -> list[Series]:
        """The series EXPR yields at every STEP seconds from START to END (both on the step grid)."""
        found: dict[Labels, Series] = {}
        pieces = list(range(start, end + 1, step * self.max_points))
        for n, piece in enumerate(pieces, 1):
            stop = min(end, piece + step * (self.max_points - 1))
            if self.progress is not None and len(pieces) > 1:
                self.progress(f"piece {n}/{len(pieces)}")
            form = {"query": expr, "start": str(piece), "end": str(stop), "step": f"{step}s"}
            form["timeout"] = f"{max(1, int(self.timeout_s))}s"
            body = self._post("/api/v1/query_range", form)
            if body.get("status") != "success":
                raise PrometheusError(f"query failed: {body.get('error', body)}")
            result = body.get("data", {})
            for item in result.get("result", []) if isinstance(result, dict) else []:
                labels = _labels(item["metric"])
                series = found.setdefault(labels, Series(labels))
                series.steps.update(int(float(t)) for t, _ in item["values"])
        return list(found.values())


def _error_text(exc: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(exc.read())
        return str(body.get("error", body))
    except (ValueError, OSError):
        return exc.reason if isinstance(exc.reason, str) else str(exc.reason)
