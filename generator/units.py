"""What an indicator's unit means for people: how a threshold is written and how $value is humanized."""

from __future__ import annotations

from generator.humanize import humanize, humanize1024, humanize_duration, humanize_percentage

# unit -> (Prometheus template for $value, Python formatter for a static number)
_TEMPLATES: dict[str, tuple[str, str]] = {
    "percentunit": ("{{ $value | humanizePercentage }}", "pct"),
    "percent": ("{{ $value | humanize }}%", "pct100"),
    "s": ("{{ $value | humanizeDuration }}", "dur"),
    "ms": ("{{ $value | humanize }}ms", "ms"),
    "bytes": ("{{ $value | humanize1024 }}B", "bytes"),
    "decbytes": ("{{ $value | humanize }}B", "decbytes"),
    "reqps": ("{{ $value | humanize }} req/s", "reqps"),
    "ops": ("{{ $value | humanize }} ops/s", "ops"),
    "d": ("{{ $value | humanize }} days", "days"),
}


def value_template(unit: str) -> str:
    return _TEMPLATES.get(unit, ("{{ $value | humanize }}", ""))[0]


def format_value(value: float, unit: str) -> str:
    kind = _TEMPLATES.get(unit, ("", ""))[1]
    if kind == "pct":
        return humanize_percentage(value)
    if kind == "pct100":
        return humanize(value) + "%"
    if kind == "dur":
        return humanize_duration(value)
    if kind == "ms":
        return humanize(value) + "ms"
    if kind == "bytes":
        return humanize1024(value) + "B"
    if kind == "decbytes":
        return humanize(value) + "B"
    if kind == "reqps":
        return humanize(value) + " req/s"
    if kind == "ops":
        return humanize(value) + " ops/s"
    if kind == "days":
        return humanize(value) + " days"
    # A unitless threshold reads best as written (0.5, not humanize's "500m"); SI prefixes help
    # only for large numbers.
    return humanize(value) if abs(value) >= 1000 else f"{value:g}"
