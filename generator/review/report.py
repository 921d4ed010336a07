"""A diff's changes as a pull-request comment (GitHub markdown) or as JSON (spec/diff.schema.json)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from generator.review.compare import Change

TITLES = {
    "service": "Service",
    "alerts": "Alerts",
    "routes": "Routes",
    "receivers": "Receivers",
    "inhibit_rules": "Inhibitions",
    "time_intervals": "Time intervals",
    "dashboards": "Dashboards and panels",
    "log_sources": "Log sources",
    "objectives": "Objectives",
}


SINGULAR = {
    "alerts": "alert",
    "routes": "route",
    "receivers": "receiver",
    "inhibit_rules": "inhibition",
    "time_intervals": "time interval",
    "dashboards": "dashboard",
    "log_sources": "log source",
    "objectives": "objective",
}


def as_json(base: str, head: str, changes: list[Change]) -> str:
    doc = {
        "base": base,
        "head": head,
        "summary": {
            "changes": len(changes),
            "weakening": sum(c.weakens is not None for c in changes),
            "services": sorted({c.service for c in changes}),
        },
        "changes": [
            {
                "service": c.service,
                "section": c.section,
                "subject": c.subject,
                "kind": c.kind,
                "field": c.field,
                "old": c.old,
                "new": c.new,
                "weakens": c.weakens,
            }
            for c in changes
        ],
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _value(field: str | None, value: Any) -> str:
    if value is None:
        return "—"
    if field == "threshold" and isinstance(value, dict):
        return _code(f"{value['op']} {value['value']:g}")
    if field == "time_to_notify_s":
        return f"{value} s"
    if isinstance(value, dict):
        return "<br>".join(_code(f"{k}: {_plain(v)}") for k, v in sorted(value.items())) or "—"
    if isinstance(value, list):
        return ", ".join(_code(_plain(v)) for v in value) or "—"
    return _code(_plain(value))


def _plain(value: Any) -> str:
    """Scalars as written in a spec, anything nested as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, float):
        return f"{value:g}" if abs(value) >= 1e-4 or value == 0 else repr(value)
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, sort_keys=True, separators=(", ", ": "))


FIELDS = {"time_to_notify_s": "time to notify", "for_s": "for"}


def _row(c: Change) -> str:
    field = FIELDS.get(c.field or "", c.field)
    what = c.kind if field is None else field if c.kind == "changed" else f"{c.kind} ({field})"
    after = _value(c.field, c.new) if c.kind != "removed" else "—"
    before = _value(c.field, c.old) if c.kind != "added" else "—"
    if c.kind == "added" and c.field is None:
        before, after = "—", "new"
    if c.kind == "removed" and c.field is None:
        before, after = "present", "removed"
    mark = " ⚠️" if c.weakens else ""
    return f"| {_cell(_code(c.subject))} | {what} | {_cell(before)} | {_cell(after)}{mark} |"


def _weakening(weak: list[Change]) -> list[str]:
    """One line per weakened subject, naming each reason with its old and new value."""
    by: dict[tuple[str, str, str], list[str]] = {}
    for c in weak:
        why = c.weakens or ""
        if c.field is not None and c.kind == "changed":
            why += f" ({_value(c.field, c.old)} → {_value(c.field, c.new)})"
        by.setdefault((c.service, SINGULAR.get(c.section, c.section), c.subject), []).append(why)
    return [
        f"**{svc}** · {section} {_code(subject)}: {'; '.join(whys)}" for (svc, section, subject), whys in by.items()
    ]


def _sections(changes: Iterable[Change]) -> dict[str, dict[str, list[Change]]]:
    out: dict[str, dict[str, list[Change]]] = {}
    for c in changes:
        out.setdefault(c.service, {}).setdefault(c.section, []).append(c)
    return out


def as_markdown(base: str, head: str, changes: list[Change]) -> str:
    lines = [f"## monspec diff {_code(base)} → {_code(head)}", ""]
    if not changes:
        return "\n".join([*lines, "No change to alerts, routing, dashboards, logs or objectives.", ""])
    weak = [c for c in changes if c.weakens]
    services = sorted({c.service for c in changes})
    summary = f"{len(changes)} change(s) in {len(services)} service(s)"
    lines += [
        summary
        + (
            f"; **{len(weak)} of them weaken{'s' if len(weak) == 1 else ''} detection**."
            if weak
            else "; none weakens detection."
        ),
        "",
    ]
    if weak:
        lines += ["> [!WARNING]", "> Detection is weaker after this change:"]
        lines += [f"> - {line}" for line in _weakening(weak)]
        lines.append("")
    for service, sections in _sections(changes).items():
        lines += [f"### {service}", ""]
        for section, items in sections.items():
            lines += [f"**{TITLES.get(section, section)}**", "", "| subject | change | before | after |"]
            lines += ["|---|---|---|---|", *(_row(c) for c in items), ""]
    return "\n".join(lines)
