"""The times a reviewer types: `now`, `-7d` (before now), RFC 3339 (`2026-11-27T00:00:00Z`) or unix seconds."""

from __future__ import annotations

import time
from datetime import datetime

from generator.model.durations import parse_duration


def parse_time(text: str, now: float | None = None) -> int:
    """Unix seconds of TEXT; ValueError with the accepted forms otherwise."""
    now = time.time() if now is None else now
    text = text.strip()
    if text == "now":
        return int(now)
    if text.startswith("-"):
        try:
            return int(now - parse_duration(text[1:]) / 1000)
        except ValueError:
            pass
    try:
        return int(float(text))
    except ValueError:
        pass
    try:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a time: {text!r} (use now, -7d, 2026-11-27T00:00:00Z or unix seconds)") from None
    if stamp.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone: add Z or an offset such as +01:00")
    return int(stamp.timestamp())
