"""The model's route tree as the nested `route` mapping that Alertmanager's formats share.

alertmanager.yml and the operator's AlertmanagerConfig hold the same tree with the same fields in
the same order; they differ only in how keys are spelled (`group_wait` vs `groupWait`) and how
matchers are written (`'severity="page"'` strings vs `{name, matchType, value}` objects). One walk,
told both, keeps the two outputs from drifting apart when a route field is added.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator.model.durations import format_duration
from generator.model.routing import LabelMatcher, Route

KeyName = Callable[[str], str]  # alertmanager.yml's snake_case key -> the format's spelling
MatcherList = Callable[[tuple[LabelMatcher, ...]], list[Any]]


def snake_case(key: str) -> str:
    """alertmanager.yml's spelling: the walk already names keys that way."""
    return key


def route_tree(r: Route, key: KeyName, matchers: MatcherList) -> dict[str, Any]:
    out: dict[str, Any] = {"receiver": r.receiver}
    if r.matchers:
        out["matchers"] = matchers(r.matchers)
    if r.continue_:
        out["continue"] = True
    t = r.timing
    if t.group_by is not None:
        out[key("group_by")] = list(t.group_by)
    for name, ms in t.intervals():
        out[key(name)] = format_duration(ms)
    if r.mute:
        out[key("mute_time_intervals")] = list(r.mute)
    if r.active:
        out[key("active_time_intervals")] = list(r.active)
    if r.routes:
        out["routes"] = [route_tree(c, key, matchers) for c in r.routes]
    return out
