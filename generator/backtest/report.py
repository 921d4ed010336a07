"""A backtest as a pull-request comment (markdown) or as JSON for tools, alone or beside its base."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from generator.backtest.run import AlertOutcome, Outcome
from generator.model.durations import format_duration


def _time(t: int | None) -> str | None:
    return None if t is None else datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _summary(o: AlertOutcome, end: int) -> dict[str, Any]:
    seconds = sum(f.seconds(end) for f in o.firings)
    return {
        "service": o.alert.service,
        "alert": o.alert.name,
        "severity": o.alert.severity,
        "group": o.alert.group,
        "firings": len(o.firings),
        "firing_seconds": seconds,
        "first": _time(o.firings[0].start) if o.firings else None,
        "last": _time(max(f.start for f in o.firings)) if o.firings else None,
        "still_firing": any(f.end is None for f in o.firings),
        "notifications": len(o.notifications),
        "receivers": sorted({n.receiver for n in o.notifications}),
        "intervals": [{"start": _time(f.start), "end": _time(f.end), "labels": dict(f.labels)} for f in o.firings],
        "error": o.error,
    }


def as_json(head: Outcome, base: Outcome | None) -> str:
    def side(o: Outcome) -> dict[str, Any]:
        return {
            "from": _time(o.start),
            "to": _time(o.end),
            "alerts": [_summary(a, o.end) for a in o.alerts],
            "notifications": [
                {"at": _time(n.at), "receiver": n.receiver, "alerts": [list(k) for k in n.alerts]}
                for n in o.notifications
            ],
        }

    doc: dict[str, Any] = {"head": side(head)}
    if base is not None:
        doc["base"] = side(base)
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def _counts(o: Outcome) -> tuple[int, int, int]:
    fired = [a for a in o.alerts if a.firings]
    return len(o.notifications), sum(len(a.firings) for a in o.alerts), len(fired)


def _cell(a: AlertOutcome | None, end: int) -> str:
    if a is None:
        return "—"
    if a.error:
        return "not run"
    secs = sum(f.seconds(end) for f in a.firings)
    return f"{len(a.firings)} ({format_duration(secs * 1000)}), {len(a.notifications)} sent"


def _fired(a: AlertOutcome, end: int) -> tuple[int, int, int]:
    return len(a.firings), sum(f.seconds(end) for f in a.firings), len(a.notifications)


def as_markdown(head: Outcome, base: Outcome | None) -> str:
    span = f"{_time(head.start)} to {_time(head.end)}"
    sent, fired, alerts = _counts(head)
    lines = [f"### Backtest, {span}", ""]
    line = f"This spec would have sent **{sent}** notification(s): {fired} firing(s) of {alerts} alert(s)"
    if base is not None:
        b_sent, b_fired, b_alerts = _counts(base)
        line += f"; before the change, **{b_sent}** ({b_fired} firing(s) of {b_alerts} alert(s))"
    lines += [line + ".", ""]
    rows = _rows(head, base)
    if base is not None:
        changed = [(k, b, h) for k, b, h in rows if _cell(b, base.end) != _cell(h, head.end)]
        if changed:
            lines += ["| alert | severity | before | after |", "|---|---|---|---|"]
            lines += [f"| {k[1]} | {k[2]} | {_cell(b, base.end)} | {_cell(h, head.end)} |" for k, b, h in changed]
            lines.append("")
        same = len(rows) - len(changed)
        lines.append(
            f"{same} other alert(s) fire and notify exactly as before."
            if changed
            else "Every alert fires and notifies exactly as before."
        )
    else:
        loud = [h for _, _, h in rows if h is not None and h.firings]
        if loud:
            lines += [
                "| alert | severity | firings (time firing), notifications | first | last |",
                "|---|---|---|---|---|",
            ]
            for h in loud:
                first, last = _time(h.firings[0].start), _time(max(f.start for f in h.firings))
                lines.append(f"| {h.alert.name} | {h.alert.severity} | {_cell(h, head.end)} | {first} | {last} |")
            lines.append("")
        quiet = [h.alert.name for _, _, h in rows if h is not None and not h.firings and not h.error]
        if quiet:
            lines.append(f"Silent over the whole range: {', '.join(quiet)}.")
    errors = [a for a in head.alerts if a.error]
    if errors:
        lines += ["", "Not backtested:", *(f"- {a.alert.name}: {a.error}" for a in errors)]
    return "\n".join(lines) + "\n"


def _rows(
    head: Outcome, base: Outcome | None
) -> list[tuple[tuple[str, str, str], AlertOutcome | None, AlertOutcome | None]]:
    h = {a.key: a for a in head.alerts}
    b = {a.key: a for a in base.alerts} if base is not None else {}
    keys = sorted(set(h) | set(b))
    return [(k, b.get(k), h.get(k)) for k in keys if base is not None or k in h]
