"""Prometheus's alerting-rule state machine, replayed over the steps where an expression had a result.

At every evaluation a label set in the result becomes pending (active since that evaluation) or stays
so, and fires once it has been active for `for`; a label set missing from the result is dropped while
pending, and a firing one resolves, unless `keep_firing_for` keeps it firing that long after the
condition last held. (Prometheus's rules/alerting.go: `ActiveAt`, `holdDuration`, `KeepFiringSince`.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

Labels = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Firing:
    """One firing of one alert label set: from the evaluation it started firing at to the one it resolved
    at (None while still firing at the end of the range)."""

    labels: Labels
    start: int
    end: int | None

    def seconds(self, until: int) -> int:
        return (self.end if self.end is not None else until) - self.start


def replay(
    present: Iterable[tuple[Labels, set[int]]], start: int, end: int, step: int, for_s: int, keep_s: int
) -> list[Firing]:
    """The firings of every label set in PRESENT (its steps with a result) over START..END every STEP s."""
    firings: list[Firing] = []
    for labels, steps in present:
        firings.extend(_one(labels, steps, start, end, step, for_s, keep_s))
    return sorted(firings, key=lambda f: (f.start, f.labels))


def _one(labels: Labels, steps: set[int], start: int, end: int, step: int, for_s: int, keep_s: int) -> list[Firing]:
    out: list[Firing] = []
    active_at: int | None = None
    firing_since: int | None = None
    kept_since: int | None = None
    for t in range(start, end + 1, step):
        if t in steps:
            kept_since = None
            if active_at is None:
                active_at = t
            if firing_since is None and t - active_at >= for_s:
                firing_since = t
            continue
        if firing_since is not None and keep_s > 0:
            if kept_since is None:
                kept_since = t
            if t - kept_since < keep_s:
                continue
        if firing_since is not None:
            out.append(Firing(labels, firing_since, t))
        active_at = firing_since = kept_since = None
    if firing_since is not None:
        out.append(Firing(labels, firing_since, None))
    return out
