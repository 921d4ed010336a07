"""Facts of the spec language that several stages need, stated once."""

from __future__ import annotations

from typing import Any

# How an indicator is computed: exactly one of these keys (the schema's indicator oneOf).
INDICATOR_KINDS = ("expr", "rate", "increase", "ratio", "quantile", "gauge")


def full_metric_name(prefix: str, key: str, spec: dict[str, Any]) -> str:
    """A metric's exposed name: its own `name`, else the service prefix plus its key."""
    return str(spec.get("name") or f"{prefix}{key}")
