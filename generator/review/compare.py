"""The changes between two sides' catalog facts, each marked when it weakens detection.

A change weakens detection when, after it, some incident is noticed later or by fewer people than
before: a threshold moved away from firing or a comparison made strict, a longer `for`, a removed
alert, a lower severity, a receiver an alert no longer reaches, a longer worst-case time to notify,
a new inhibition or a removed route, a lower objective (more budget burns before a page), and, for
logs, events dropped or no longer counted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from generator.review.sides import Facts

SECTIONS = (
    "alerts",
    "routes",
    "receivers",
    "inhibit_rules",
    "time_intervals",
    "dashboards",
    "log_sources",
    "objectives",
)
ALERT_FIELDS = (
    "threshold", "for", "severity", "receivers", "time_to_notify_s", "expr", "labels", "annotations", "kind", "group",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Change:
    service: str
    section: str
    subject: str
    kind: str  # added | removed | renamed | changed
    field: str | None = None
    old: Any = None
    new: Any = None
    weakens: str | None = None  # why the change weakens detection


def _toward_firing(op: str, old: float, new: float) -> bool | None:
    """Whether moving a threshold from OLD to NEW makes OP's comparison fire sooner (None: no move)."""
    if old == new:
        return None
    return new < old if op in (">", ">=") else new > old


def _threshold(old: dict[str, Any] | None, new: dict[str, Any] | None) -> str | None:
    if old is None or new is None:
        return None
    sooner = _toward_firing(new["op"], old["value"], new["value"])
    if old["op"] == new["op"]:
        return None if sooner is None or sooner else "the threshold moved away from firing"
    if old["op"].rstrip("=") == new["op"].rstrip("=") and sooner is None:
        return (
            "the comparison became strict: the threshold itself no longer fires"
            if len(new["op"]) < len(old["op"])
            else None
        )
    return None


def _alert_weakens(name: str, old: dict[str, Any], new: dict[str, Any]) -> str | None:
    if name == "threshold":
        return _threshold(old.get("threshold"), new.get("threshold"))
    if name == "for" and new["for_s"] > old["for_s"]:
        return "a longer `for`: the alert fires later"
    if name == "severity" and new["severity_rank"] > old["severity_rank"]:
        return "a less severe level"
    if name == "receivers":
        lost = [r for r in old["receivers"] if r not in new["receivers"]]
        return f"no longer reaches {', '.join(lost)}" if lost else None
    if name == "time_to_notify_s" and (new["time_to_notify_s"] or 0) > (old["time_to_notify_s"] or 0):
        return "notifies later in the worst case"
    return None


def _role(a: dict[str, Any]) -> tuple[Any, ...]:
    """What an alert does, without its name: an indicator renamed keeps kind, level, threshold and `for`."""
    threshold = a.get("threshold") or {}
    return (a["kind"], a["severity"], threshold.get("op"), threshold.get("value"), a["for_s"])


def _renames(old: dict[str, Any], new: dict[str, Any]) -> dict[str, str]:
    """Removed alerts paired with added ones that do the same: the same expression, or the same owner
    and role, or a role that exactly one removed and one added alert have."""
    gone = [k for k in old if k not in new]
    born = [k for k in new if k not in old]
    pairs: dict[str, str] = {}

    def pair(match: Callable[[dict[str, Any], dict[str, Any]], bool]) -> None:
        for k in gone:
            if k in pairs:
                continue
            hits = [n for n in born if n not in pairs.values() and match(old[k], new[n])]
            if len(hits) == 1:
                pairs[k] = hits[0]

    pair(lambda o, n: bool(o["expr"] == n["expr"]))
    pair(lambda o, n: o["owner"] is not None and o["owner"] == n["owner"] and _role(o) == _role(n))
    roles_gone = [_role(old[k]) for k in gone if k not in pairs]
    roles_born = [_role(new[n]) for n in born if n not in pairs.values()]
    pair(lambda o, n: _role(o) == _role(n) and roles_gone.count(_role(o)) == 1 and roles_born.count(_role(n)) == 1)
    return pairs


def _alerts(service: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    renamed = _renames(old, new)
    for k in old:
        if k in renamed:
            yield Change(service, "alerts", renamed[k], "renamed", "name", k, renamed[k])
        elif k not in new:
            yield Change(service, "alerts", k, "removed", weakens="the alert is removed")
    for k in new:
        if k not in old and k not in renamed.values():
            yield Change(service, "alerts", k, "added")
    pairs = [(k, k) for k in old if k in new] + list(renamed.items())
    for before, after in pairs:
        o, n = old[before], new[after]
        for name in ALERT_FIELDS:
            if o.get(name) == n.get(name):
                continue
            if name in ("labels", "annotations"):
                yield from _mapping(service, after, name, o[name], n[name])
                continue
            yield Change(
                service, "alerts", after, "changed", name, o.get(name), n.get(name), _alert_weakens(name, o, n)
            )


def _mapping(service: str, subject: str, name: str, old: dict[str, str], new: dict[str, str]) -> Iterator[Change]:
    """A label or annotation map, one change per key (a label is part of an alert's identity)."""
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            yield Change(service, "alerts", subject, "changed", f"{name}.{key}", old.get(key), new.get(key))


def _keyed(service: str, section: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    for k in old:
        if k not in new:
            yield Change(service, section, k, "removed", weakens=_removed_weakens(section))
    for k, v in new.items():
        if k not in old:
            yield Change(service, section, k, "added")
        elif old[k] != v:
            for name in sorted(set(old[k]) | set(v)):
                if old[k].get(name) != v.get(name):
                    yield Change(
                        service,
                        section,
                        k,
                        "changed",
                        name,
                        old[k].get(name),
                        v.get(name),
                        _field_weakens(section, name, old[k].get(name), v.get(name)),
                    )


def _removed_weakens(section: str) -> str | None:
    return {
        "routes": "a route is removed: its alerts go where the tree sends them now",
        "receivers": "a receiver is removed",
        "log_sources": "a log source is no longer shipped",
    }.get(section)


def _field_weakens(section: str, name: str, old: Any, new: Any) -> str | None:
    if section == "log_sources" and name == "drop" and set(new or ()) - set(old or ()):
        return "more log events are dropped"
    if section == "log_sources" and name == "keep" and _narrowed(old or [], new or []):
        return "fewer log events are kept"
    if section == "log_sources" and name == "counters" and set(old or {}) - set(new or {}):
        return "log events are no longer counted: " + ", ".join(sorted(set(old) - set(new)))
    if section == "log_sources" and name == "redactions" and set(old or ()) - set(new or ()):
        return "a redaction is removed: shipped logs may carry what it masked"
    if section == "objectives" and name == "target" and new < old:
        return "a lower objective: more of the budget burns before a page"
    return None


def _narrowed(old: list[str], new: list[str]) -> bool:
    """Whether a keep filter (`field=a|b` conditions) lets fewer events through than before."""
    before = {c.split("=", 1)[0]: set(c.split("=", 1)[1].split("|")) for c in old if "=~" not in c}
    after = {c.split("=", 1)[0]: set(c.split("=", 1)[1].split("|")) for c in new if "=~" not in c}
    if set(after) - set(before):
        return True
    return any(not before[f] <= after[f] for f in after if f in before)


def _inhibitions(service: str, old: list[Any], new: list[Any]) -> Iterator[Change]:
    for rule in new:
        if rule not in old:
            yield Change(
                service, "inhibit_rules", _rule_text(rule), "added", weakens="a new inhibition mutes more alerts"
            )
    for rule in old:
        if rule not in new:
            yield Change(service, "inhibit_rules", _rule_text(rule), "removed")


def _rule_text(rule: dict[str, Any]) -> str:
    return f"{', '.join(rule['source'])} mutes {', '.join(rule['target'])} on [{', '.join(rule['equal'])}]"


def _dashboards(service: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    for uid, board in old.items():
        if uid not in new:
            yield Change(service, "dashboards", board["title"], "removed")
    for uid, board in new.items():
        if uid not in old:
            yield Change(service, "dashboards", board["title"], "added")
            continue
        before = old[uid]
        if before["title"] != board["title"]:
            yield Change(service, "dashboards", board["title"], "renamed", "title", before["title"], board["title"])
        for change in _keyed(service, "panels", before["panels"], board["panels"]):
            yield Change(
                service,
                "dashboards",
                f"{board['title']} / {change.subject}",
                change.kind,
                change.field,
                change.old,
                change.new,
            )


def compare(base: Facts, head: Facts) -> list[Change]:
    """Every change from BASE to HEAD, service by service, in section order."""
    out: list[Change] = []
    for service in sorted(set(base) | set(head)):
        if service not in head:
            out.append(
                Change(service, "service", service, "removed", weakens="the service and all its alerts are removed")
            )
            continue
        if service not in base:
            out.append(Change(service, "service", service, "added"))
            continue
        old, new = base[service], head[service]
        out.extend(_alerts(service, old["alerts"], new["alerts"]))
        out.extend(_keyed(service, "routes", old["routes"], new["routes"]))
        out.extend(_keyed(service, "receivers", old["receivers"], new["receivers"]))
        out.extend(_inhibitions(service, old["inhibit_rules"], new["inhibit_rules"]))
        out.extend(_keyed(service, "time_intervals", _wrapped(old["time_intervals"]), _wrapped(new["time_intervals"])))
        out.extend(_dashboards(service, old["dashboards"], new["dashboards"]))
        out.extend(_keyed(service, "log_sources", old["log_sources"], new["log_sources"]))
        out.extend(_keyed(service, "objectives", old["objectives"], new["objectives"]))
    return out


def _wrapped(intervals: dict[str, Any]) -> dict[str, Any]:
    return {k: {"specs": v} for k, v in intervals.items()}
