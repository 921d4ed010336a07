"""Prometheus durations as integer milliseconds, parsed and printed in the canonical form."""

from __future__ import annotations

import re
from functools import lru_cache

_UNITS = (
    ("y", 365 * 24 * 3600_000),
    ("w", 7 * 24 * 3600_000),
    ("d", 24 * 3600_000),
    ("h", 3600_000),
    ("m", 60_000),
    ("s", 1000),
    ("ms", 1),
)
_RE = re.compile(r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$")


@lru_cache(maxsize=4096)
def parse_duration(text: str) -> int:
    """Milliseconds of a Prometheus duration; raises ValueError on anything else."""
    if text == "0":
        return 0
    m = _RE.match(text)
    if not m or not text:
        raise ValueError(f"not a duration: {text!r}")
    return sum(int(g) * mult for g, (_, mult) in zip(m.groups(), _UNITS, strict=True) if g)


@lru_cache(maxsize=4096)  # a spec has a handful of distinct durations, formatted 200,000 times at N=10,000
def format_duration(ms: int) -> str:
    """The form Prometheus itself prints: largest units first, `0s` for zero."""
    if ms == 0:
        return "0s"
    out = []
    for unit, mult in _UNITS:
        if ms >= mult:
            n, ms = divmod(ms, mult)
            out.append(f"{n}{unit}")
    return "".join(out)
