"""An alert's link to its log lines: Grafana Explore on the stream of a log source the spec ships.

The stream selector is the LogSource's own (the labels the shippers put on every line), so a
link cannot point at a stream nobody ships; the guide's "View Logs" button opens it.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from generator.logql import stream_selector
from generator.model.logs import Logs

DEFAULT_LOKI_DATASOURCE = "Loki"
EXPLORE_RANGE = {"from": "now-1h", "to": "now"}


def explore_url(grafana_url: str, datasource: str, expr: str) -> str:
    """Grafana's Explore URL (`left` state, which Grafana 10-12 still read and migrate to `panes`)."""
    state = {"datasource": datasource, "queries": [{"refId": "A", "expr": expr}], "range": EXPLORE_RANGE}
    text = json.dumps(state, separators=(",", ":"), sort_keys=True)
    return f"{grafana_url.rstrip('/')}/explore?orgId=1&left={quote(text, safe='')}"


def logs_url(defaults: dict[str, Any], logs: Logs | None, spec: dict[str, Any]) -> str | None:
    """The logs_url of an alert whose spec (or the defaults) names a log source; None without Grafana."""
    key = spec.get("logs") or defaults.get("logs")
    base = defaults.get("grafana_url")
    if not key or not base or logs is None:
        return None
    source = next(s for s in logs.sources if s.key == key)
    return explore_url(
        str(base), str(defaults.get("loki_datasource", DEFAULT_LOKI_DATASOURCE)), stream_selector(source)
    )
