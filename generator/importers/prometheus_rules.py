"""Existing Prometheus rule files -> a monspec spec whose regenerated rules are equivalent.

An alert `<expr> <op> <number>` (op `>`, `>=`, `<`, `<=`, no `bool`) is a threshold on an indicator:
alerts of one group that compare the same expression the same way at different severities become
the thresholds of one `expr` indicator, each threshold keeping its alert's name, `for`, labels and
annotations. Every other alert is a free-form alert; every recording rule an indicator without
thresholds whose `record` is the rule's name. The recorded value of a threshold indicator is new:
the regenerated alert reads it (`job:<key>:value > 5`), which the round-trip check inlines.

What the language cannot hold is said in the spec's header, never dropped silently: labels
monspec sets itself (`service` unless one value fits all alerts, `indicator`, `escalation`,
`objective`, a `priority` that is not P0-P9), severities that are not monspec names, a second
alert of the same name where the language cannot tell the two apart (renamed: same severity, or
a threshold and a free-form alert), a name with characters outside ALERT_NAME, a recording rule
name recorded twice, recording rule labels, `keep_firing_for`, and the `limit` / `query_offset`
of groups.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

import promql_parser as pp
import yaml

from generator.importers.rule_files import Rule, RuleGroup
from generator.model.durations import format_duration, parse_duration
from generator.vocabulary import ALERT_NAME

# Most severe first; severities of the input are ordered by this ranking, unknown ones after it.
SEVERITY_RANKING = (
    "emergency", "page", "critical", "high", "error", "major", "warning", "medium", "minor",
    "notice", "info", "informational", "low", "debug", "none",
)  # fmt: skip
NO_SEVERITY = "none"  # the severity of alerts that had no severity label
RESERVED = ("alertname", "severity", "priority", "service", "indicator", "escalation", "objective")
_COMPARISONS = {">": ("above", False), ">=": ("above", True), "<": ("below", False), "<=": ("below", True)}
_SEVERITY_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PRIORITY = re.compile(r"^P[0-9]$")
_SERVICE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
_ALWAYS_DECLARED = {"up", "ALERTS", "ALERTS_FOR_STATE"}


@dataclass
class Imported:
    spec: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def text(self, sources: list[str]) -> str:
        head = [f"# Imported by `monspec import {' '.join(sources)}`. Review before use."]
        if self.notes:
            head.append("# Not kept as written (the language cannot say it):")
            head += [f"#   - {n}" for n in self.notes]
        return (
            "\n".join(head)
            + "\n"
            + yaml.dump(self.spec, Dumper=_Dumper, sort_keys=False, width=120, allow_unicode=True)
        )


class _Dumper(yaml.SafeDumper):
    """Multi-line PromQL and annotations as `|` blocks, the way people write rule files."""


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value.strip("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _string)


@dataclass(frozen=True)
class Threshold:
    """An alert of the shape `<lhs> <op> <number>`."""

    lhs: str  # normalised text of the compared expression
    op: str
    value: float


def threshold_shape(expr: str) -> Threshold | None:
    tree = pp.parse(expr)
    if not isinstance(tree, pp.BinaryExpr) or str(tree.op) not in _COMPARISONS:
        return None
    if tree.modifier is not None and (tree.modifier.return_bool or tree.modifier.matching is not None):
        return None
    rhs = tree.rhs
    if isinstance(rhs, pp.UnaryExpr) and isinstance(rhs.expr, pp.NumberLiteral):
        value = -float(rhs.expr.val)
    elif isinstance(rhs, pp.NumberLiteral):
        value = float(rhs.val)
    else:
        return None
    if value != value or value in (float("inf"), float("-inf")) or abs(value) > 1e300:
        return None
    if isinstance(tree.lhs, pp.NumberLiteral) or _is_scalar(tree.lhs):
        return None
    return Threshold(tree.lhs.prettify(), str(tree.op), value)


def _is_scalar(node: Any) -> bool:
    from generator.promql_check import parse

    return parse(node.prettify()).result_type != "vector"


def snake(name: str) -> str:
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name))
    key = re.sub(r"[^a-z0-9]+", "_", words.lower()).strip("_")
    if not key or not key[0].isalpha():
        key = "r_" + key
    return key[:100]


def _group_key(name: str) -> str:
    key = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-_")
    if not key or not key[0].isalpha():
        key = "g-" + key
    return key[:63]


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


def _duration(text: str) -> str:
    return format_duration(parse_duration(text)) if text else "0s"


def metric_type(name: str) -> str:
    if name.endswith("_total"):
        return "counter"
    if name.endswith("_bucket"):
        return "histogram"
    return "gauge"


def _identifier(text: str) -> str:
    """Letters, digits and '_' only, not starting with a digit: an alert key, or a name monspec can hold."""
    out = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_")[:200] or "Alert"
    return out if out[0].isalpha() or out[0] == "_" else "_" + out[:199]


def _camel(text: str) -> str:
    return "".join(w.capitalize() for w in re.split(r"[^a-zA-Z0-9]+", text) if w)


class _Importer:
    def __init__(self, files: list[tuple[str, list[RuleGroup]]]) -> None:
        self.files = files
        self.notes: list[str] = []
        self.alert_names: dict[str, list[tuple[str, str]]] = {}  # name -> (kind, severity) of its alerts
        self.free_keys: set[str] = set()
        self.keys: set[str] = set()
        self.records: set[str] = set()

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    # -- severities, priorities, reserved labels --------------------------------------------------

    def severity_of(self, rule: Rule) -> str | None:
        sev = rule.labels.get("severity")
        if sev is None:
            return NO_SEVERITY
        return sev if _SEVERITY_NAME.match(sev) else None

    def severities(self, alerts: list[Rule]) -> dict[str, Any]:
        found = {self.severity_of(r) or NO_SEVERITY for r in alerts}
        rank = {s: i for i, s in enumerate(SEVERITY_RANKING)}
        ordered = sorted(found, key=lambda s: (rank.get(s, len(rank) - 1.5), s))
        return {s: {"priority": f"P{min(i + 1, 9)}"} for i, s in enumerate(ordered)} or {"none": {"priority": "P1"}}

    def service_name(self, alerts: list[Rule], fallback: str) -> str:
        values = {r.labels["service"] for r in alerts if "service" in r.labels}
        if len(values) == 1 and _SERVICE_NAME.match(next(iter(values))):
            return next(iter(values))
        if values:
            self.note(f"label service ({', '.join(sorted(values))}): monspec sets it to service.name on every alert")
        return fallback

    def kept_labels(self, rule: Rule, service: str) -> tuple[dict[str, str], str | None]:
        """The labels the spec can carry, and the priority; says what it cannot carry."""
        labels = {k: v for k, v in rule.labels.items() if k not in RESERVED}
        sev = rule.labels.get("severity")
        if sev is not None and not _SEVERITY_NAME.match(sev):
            self.note(f"{rule.name}: severity {sev!r} is not a monspec severity name; it becomes {NO_SEVERITY!r}")
        priority = rule.labels.get("priority")
        if priority is not None and not _PRIORITY.match(priority):
            self.note(f"{rule.name}: label priority={priority!r} is not P0-P9; monspec sets its own")
            priority = None
        for k in ("alertname", "indicator", "escalation", "objective"):
            if k in rule.labels:
                self.note(f"{rule.name}: label {k}={rule.labels[k]!r} is set by monspec and cannot be kept")
        if "service" in rule.labels and rule.labels["service"] != service:
            self.note(f"{rule.name}: label service={rule.labels['service']!r} becomes service={service!r}")
        return labels, priority

    def alert_name(self, written: str, severity: str, kind: str) -> str:
        """The written name where the spec can hold it: names may repeat with another severity
        among thresholds or among free-form alerts (names/duplicate); otherwise a new name."""
        name = written
        if not ALERT_NAME.match(name):
            name = _identifier(written)
            self.note(f"alert {written}: that name has characters monspec alert names cannot hold, so it is {name}")
        if self._can_share(name, severity, kind):
            self.alert_names.setdefault(name, []).append((kind, severity))
            return name
        base = name + _camel(severity)
        fresh, n = base[:200], 2
        while fresh in self.alert_names:
            fresh, n = f"{base[:195]}{n}", n + 1
        self.alert_names[fresh] = [(kind, severity)]
        self.note(
            f"alert {name} is defined more than once and monspec cannot tell the two apart "
            f"(same severity, or a threshold and a free-form alert), so one is {fresh}"
        )
        return fresh

    def _can_share(self, name: str, severity: str, kind: str) -> bool:
        return all(k == kind and s != severity for k, s in self.alert_names.get(name, []))

    def free_key(self, name: str, severity: str) -> str:
        """A free-form alert's key: its name where that is an identifier and free, else one derived from it."""
        key = _identifier(name)
        if key in self.free_keys:
            key = (key + _camel(severity))[:200]
        base, n = key, 2
        while key in self.free_keys:
            key, n = f"{base[:195]}{n}", n + 1
        self.free_keys.add(key)
        return key

    def unique_key(self, name: str) -> str:
        key, n = snake(name), 2
        while key in self.keys or f"job:{key}:value" in self.records:
            key, n = f"{snake(name)[:96]}_{n}", n + 1
        self.keys.add(key)
        return key

    # -- rules -------------------------------------------------------------------------------------

    def common(self, rule: Rule, service: str) -> dict[str, Any]:
        """The per-alert keys shared by thresholds and free-form alerts (name, for, labels, text)."""
        labels, priority = self.kept_labels(rule, service)
        if rule.keep_firing_for:
            self.note(f"{rule.name}: keep_firing_for {rule.keep_firing_for} (monspec has no such key)")
        entry: dict[str, Any] = {"for": _duration(rule.duration)}
        if priority:
            entry["priority"] = priority
        annotations = dict(rule.annotations)
        for key in ("summary", "description"):
            if key in annotations:
                entry[key] = annotations.pop(key)
        if labels:
            entry["labels"] = labels
        if annotations:
            entry["annotations"] = annotations
        return entry

    def import_all(self, fallback_service: str) -> Imported:
        alerts = [r for _, groups in self.files for g in groups for r in g.rules if r.kind == "alert"]
        service = self.service_name(alerts, fallback_service)
        severities = self.severities(alerts)
        rank = {s: i for i, s in enumerate(severities)}
        groups: dict[str, dict[str, Any]] = {}
        indicators: dict[str, Any] = {}
        free: dict[str, Any] = {}
        recorded: dict[str, str] = {}
        exprs: list[str] = []
        for source, file_groups in self.files:
            for group in file_groups:
                gkey = _group_key(group.name)
                while gkey in groups:
                    self.note(f"group {group.name} of {source}: a group of that name exists; it becomes {gkey}-2")
                    gkey = gkey[:61] + "-2"
                groups[gkey] = {"interval": _duration(group.interval)} if group.interval else {}
                if gkey != group.name:
                    self.note(f"group {group.name} is named {gkey} (monspec group names are lower-case)")
                for key in group.ignored:
                    self.note(f"group {group.name}: `{key}` (monspec groups have only an interval)")
                self._records(group, gkey, indicators, recorded, exprs)
                self._alerts(group, gkey, service, rank, indicators, free, exprs)
        spec: dict[str, Any] = {
            "version": 1,
            "service": {"name": service, "job": service},
            "severities": severities,
            "groups": groups,
        }
        metrics = self.metrics(exprs, set(recorded))
        if metrics:
            spec["metrics"] = metrics
        if indicators:
            spec["indicators"] = indicators
        if free:
            spec["alerts"] = free
        return Imported(spec, self.notes)

    def _records(
        self, group: RuleGroup, gkey: str, indicators: dict[str, Any], recorded: dict[str, str], exprs: list[str]
    ) -> None:
        for rule in group.rules:
            if rule.kind != "record":
                continue
            if rule.name in recorded:
                self.note(f"recording rule {rule.name} is recorded twice; only the first is kept")
                continue
            if rule.labels:
                labels = ", ".join(f"{k}={v}" for k, v in rule.labels.items())
                self.note(f"recording rule {rule.name}: its labels ({labels}) are dropped (indicators record none)")
            key = self.unique_key(rule.name.replace(":", "_"))
            self.records.add(rule.name)
            recorded[rule.name] = rule.expr
            exprs.append(rule.expr)
            indicators[key] = {"record": rule.name, "expr": rule.expr.strip(), "group": gkey}

    def _alerts(
        self,
        group: RuleGroup,
        gkey: str,
        service: str,
        rank: dict[str, int],
        indicators: dict[str, Any],
        free: dict[str, Any],
        exprs: list[str],
    ) -> None:
        # Alerts comparing one expression one way: candidates for one indicator's thresholds.
        buckets: dict[tuple[str, str], list[tuple[Rule, Threshold]]] = {}
        order: list[tuple[str, Any]] = []
        for rule in group.rules:
            if rule.kind != "alert":
                continue
            exprs.append(rule.expr)
            shape = threshold_shape(rule.expr)
            if shape is None:
                order.append(("free", rule))
                continue
            bucket = buckets.setdefault((shape.lhs, shape.op), [])
            if not bucket:
                order.append(("indicator", (shape.lhs, shape.op)))
            bucket.append((rule, shape))
        for kind, item in order:
            if kind == "free":
                rule = item
                sev = self.severity_of(rule) or NO_SEVERITY
                name = self.alert_name(rule.name, sev, "free")
                key = self.free_key(name, sev)
                entry = {"alert": name} if key != name else {}
                entry |= {"expr": rule.expr.strip(), "severity": sev, **self.common(rule, service), "group": gkey}
                free[key] = entry
                continue
            for members in self._split(buckets[item], rank):
                self._indicator(members, gkey, service, indicators)

    def _split(self, members: list[tuple[Rule, Threshold]], rank: dict[str, int]) -> list[list[tuple[Rule, Threshold]]]:
        """One indicator when severities differ and values are ordered by them; else one per alert."""
        sevs = [self.severity_of(r) or NO_SEVERITY for r, _ in members]
        if len(members) > 1 and len(set(sevs)) == len(sevs):
            above = _COMPARISONS[members[0][1].op][0] == "above"
            by_rank = sorted(zip(sevs, members, strict=True), key=lambda sm: rank[sm[0]])
            values = [m[1].value for _, m in by_rank]
            ordered = all((a > b) if above else (a < b) for a, b in itertools.pairwise(values))
            if ordered:
                return [members]
        return [[m] for m in members]

    def _indicator(
        self, members: list[tuple[Rule, Threshold]], gkey: str, service: str, indicators: dict[str, Any]
    ) -> None:
        first, shape = members[0]
        direction, inclusive = _COMPARISONS[shape.op]
        key = self.unique_key(first.name)
        thresholds: dict[str, Any] = {}
        for rule, t in members:
            sev = self.severity_of(rule) or NO_SEVERITY
            name = self.alert_name(rule.name, sev, "threshold")
            thresholds[sev] = {"value": _number(t.value), "alert": name, **self.common(rule, service)}
        entry: dict[str, Any] = {"expr": shape.lhs}
        if direction == "below":
            entry["direction"] = "below"
        if inclusive:
            entry["inclusive"] = True
        entry["thresholds"] = thresholds
        entry["group"] = gkey
        indicators[key] = entry

    def metrics(self, exprs: list[str], recorded: set[str]) -> dict[str, Any]:
        from generator.promql_check import parse

        names: set[str] = set()
        for expr in exprs:
            names.update(parse(expr).metric_names)
        names -= recorded | _ALWAYS_DECLARED
        names = {n for n in names if ":" not in n and not n.startswith("scrape_")}
        histograms = {n[: -len("_bucket")] for n in names if n.endswith("_bucket")}
        out: dict[str, Any] = {}
        for n in sorted(names):
            base = re.sub(r"_(bucket|sum|count|created)$", "", n)
            if base in histograms:
                out.setdefault(base, {"type": "histogram"})
            else:
                out[n] = {"type": metric_type(n)}
        return dict(sorted(out.items()))


def import_rules(files: list[tuple[str, list[RuleGroup]]], service: str) -> Imported:
    """`files`: (display name, groups) of each rule file; `service`: the name used when no label gives one."""
    return _Importer(files).import_all(service)


def service_from_path(stem: str) -> str:
    name = re.sub(r"[^a-z0-9-]+", "-", stem.lower()).strip("-")
    if not name or not name[0].isalpha():
        name = "imported-" + name
    return name[:63].rstrip("-") or "imported"
