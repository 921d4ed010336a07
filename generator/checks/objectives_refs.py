"""objectives/references: what an objective names exists and fits; the codes are those of the same problem elsewhere.

An objective reads declared metrics of the right type (counters for `ratio`, a histogram for
`latency`, a gauge or `up` for `uptime`), names declared severities for `page` and `ticket` and
a declared rule group, and its labels leave alone the ones monspec sets (`objective`, `owner`
when `owner:` is given, and those of every alert). A window shorter than the longest alert
window (3d) still compiles, with a warning: the slow ticket would look further back than the
budget it protects. So does a target too low for a burn-rate factor (with 90%, 100% errors burn
only 10x, never 14.4x): that condition can never fire.

Pass::

    metrics: {requests_total: {type: counter}, errors_total: {type: counter}}
    objectives:
      slos:
        availability: {ratio: {bad: errors_total, total: requests_total}, target: 0.999}

Fail (`page` is not a severity; `requests` is not declared)::

    objectives:
      page: pager
      slos:
        availability: {ratio: {bad: errors_total, total: requests}, target: 0.999}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator import conventions as conv
from generator.checks import _spec
from generator.checks.metrics_unknown import unknown_filter_labels
from generator.diagnostics import Diagnostic, error, warning
from generator.load import Document, PathKey
from generator.model.build_objectives import UP, burn_rate_table
from generator.model.durations import parse_duration
from generator.schema import did_you_mean

NAME = "objectives/references"
_SET_BY_MONSPEC = conv.RESERVED_ALERT_LABELS | {conv.OBJECTIVE_LABEL}


def _metric_refs(spec: dict[str, Any], path: PathKey) -> Iterator[tuple[Any, PathKey, tuple[str, ...], str]]:
    """(selector, its path, accepted types, kind) for every metric the objective's SLI reads."""
    if "ratio" in spec:
        for part in ("good", "bad", "total"):
            raw = spec["ratio"].get(part)
            if raw is None:
                continue
            items = raw if isinstance(raw, list) else [raw]
            for i, item in enumerate(items):
                p = (*path, "ratio", part, i) if isinstance(raw, list) else (*path, "ratio", part)
                yield item, p, ("counter",), "ratio"
    elif "latency" in spec:
        yield spec["latency"]["metric"], (*path, "latency", "metric"), ("histogram",), "latency"
    elif "uptime" in spec:
        yield spec["uptime"]["metric"], (*path, "uptime", "metric"), ("gauge",), "uptime"


def _metrics(doc: Document, spec: dict[str, Any], path: PathKey) -> Iterator[Diagnostic]:
    metrics: dict[str, Any] = _spec.section(doc, "metrics")
    for item, ref_path, types, kind in _metric_refs(spec, path):
        key = item if isinstance(item, str) else item["metric"]
        key_path = ref_path if isinstance(item, str) else (*ref_path, "metric")
        m = metrics.get(key)
        if m is None:
            if kind == "uptime" and key == UP.key:
                continue
            yield error(
                "metrics/unknown",
                f"unknown metric '{key}'",
                doc.span(key_path),
                did_you_mean(key, list(metrics)) or "declare it under `metrics`",
            )
            continue
        if m["type"] not in types:
            yield error(
                "metrics/wrong-type",
                f"{kind} needs a {' or '.join(types)}, but '{key}' is a {m['type']}",
                doc.span(key_path),
                "an objective counts events: counters for ratio, a histogram for latency, a 0..1 gauge for uptime",
            )
        if isinstance(item, dict):
            yield from unknown_filter_labels(doc, key, m, (*ref_path, "filter"))


def _names(doc: Document, section: dict[str, Any], slos: dict[str, Any]) -> Iterator[Diagnostic]:
    severities = list(_spec.section(doc, "severities"))
    groups = set(_spec.section(doc, "groups"))
    service = _spec.section(doc, "service").get("name")
    if isinstance(service, str):
        groups.add(service)
    places: list[tuple[dict[str, Any], PathKey]] = [(section, ("objectives",))]
    places += [(spec, ("objectives", "slos", key)) for key, spec in slos.items()]
    for spec, path in places:
        for role in ("page", "ticket"):
            name = spec.get(role)
            if isinstance(name, str) and name not in severities:
                yield error(
                    "severities/unknown",
                    f"unknown severity '{name}'",
                    doc.span((*path, role)),
                    did_you_mean(name, severities) or f"declared severities: {', '.join(severities)}",
                )
        group = spec.get("group")
        if isinstance(group, str) and group not in groups:
            yield error(
                "groups/unknown",
                f"unknown rule group '{group}'",
                doc.span((*path, "group")),
                did_you_mean(group, sorted(groups)) or "declare it under `groups`",
            )


def _unreachable(doc: Document, key: str, spec: dict[str, Any], window_ms: int, path: PathKey) -> Iterator[Diagnostic]:
    """A burn rate tops out at 1 / (1 - target) (every event an error); a factor above it never fires."""
    target = spec.get("target")
    if not isinstance(target, int | float) or not 0 < target < 1:
        return
    for kind in ("page", "ticket"):
        for w in burn_rate_table()[kind]:
            factor = float(w["budget"]) * window_ms / parse_duration(w["long"])
            if factor * (1 - target) >= 1:
                yield warning(
                    "objectives/unreachable-burn",
                    f"objective '{key}': its {kind} condition over {w['long']} needs a {factor:.4g}x burn, but with "
                    f"a target of {target} even 100% errors burn only {1 / (1 - target):.4g}x",
                    doc.span((*path, "target")),
                    "that condition can never fire; a target this low suits a threshold indicator better",
                )


def _other_alert_names(doc: Document) -> dict[str, str]:
    """Alert names indicators and free-form alerts take (names/duplicate checks them among themselves)."""
    out: dict[str, str] = {}
    for key, _, name, _ in _spec.threshold_alerts(doc):
        out[name] = f"indicator '{key}'"
    for key, spec, _ in _spec.indicators(doc):
        if spec.get("absent", False) is not False:
            out[conv.absent_alert_name(key)] = f"indicator '{key}'"
    for key, spec, _ in _spec.alerts(doc):
        out[_spec.free_alert_name(key, spec)] = "a free-form alert"
    return out


def check(doc: Document) -> Iterator[Diagnostic]:
    section = _spec.section(doc, "objectives")
    slos = section.get("slos") if isinstance(section.get("slos"), dict) else {}
    assert isinstance(slos, dict)
    yield from _names(doc, section, slos)
    longest = max(parse_duration(w["long"]) for kind in ("page", "ticket") for w in burn_rate_table()[kind])
    default_window = section.get("window", "30d")
    taken = _other_alert_names(doc)
    for key, spec in slos.items():
        path: PathKey = ("objectives", "slos", key)
        yield from _metrics(doc, spec, path)
        for name in (
            conv.objective_alert_name(key, "page"),
            conv.objective_alert_name(key, "ticket"),
            conv.objective_absent_alert_name(key),
        ):
            if name in taken:
                yield error(
                    "names/duplicate",
                    f"alert '{name}' of objective '{key}' is already defined by {taken[name]}",
                    doc.key_span(path),
                    "rename the objective or the other alert",
                )
        reserved = _SET_BY_MONSPEC | ({conv.OWNER_LABEL} if spec.get("owner") else set())
        for label in spec.get("labels") or {}:
            if label in reserved:
                yield error(
                    "labels/reserved",
                    f"the label '{label}' is set by monspec",
                    doc.key_span((*path, "labels", label)),
                    "set `owner:` instead" if label == conv.OWNER_LABEL else "monspec sets this label itself",
                )
        window = spec.get("window", default_window)
        ms = parse_duration(window)
        at = (*path, "window") if "window" in spec else ("objectives", "window")
        if ms == 0:
            yield error("durations/range", f"objective '{key}': the window must be longer than 0", doc.span(at), None)
        else:
            yield from _unreachable(doc, key, spec, ms, path)
        if 0 < ms < longest:
            yield warning(
                "objectives/short-window",
                f"objective '{key}' has a {window} window, shorter than the 3d of its slow ticket alert",
                doc.span(at),
                "objectives are usually 28d or 30d; the burn rate factors scale with the window",
            )
