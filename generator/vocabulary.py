"""Facts of the spec language that several stages need, stated once."""

from __future__ import annotations

import re
from typing import Any

# An alert's name as the spec may write it (the schema's $defs/alert_name; a test keeps them equal).
# Prometheus takes any string; these characters stay readable in every output monspec writes.
ALERT_NAME = re.compile(r"^[A-Za-z_](?:[A-Za-z0-9_ ()<>%.,:+=/-]{0,198}[A-Za-z0-9_()<>%.,:+=/-])?$")

# How an indicator is computed: exactly one of these keys (the schema's indicator oneOf).
INDICATOR_KINDS = ("expr", "rate", "increase", "ratio", "quantile", "gauge")


def full_metric_name(prefix: str, key: str, spec: dict[str, Any]) -> str:
    """A metric's exposed name: its own `name`, else the service prefix plus its key."""
    return str(spec.get("name") or f"{prefix}{key}")
