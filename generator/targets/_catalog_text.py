"""Alert annotations and commands as the catalog shows them to the person on call.

An annotation is a Go template that Prometheus fills in when the alert fires; printed as is, the
catalog would show `{{ $value }}`. Each action is named instead (`<value>`, `<value as %>`,
`<source_ip>`), and the silence command that acknowledges an alert is spelt out.
"""

from __future__ import annotations

import re
import shlex

from generator import conventions as conv
from generator.model.indicators import AlertRule

_ACTION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)
_STRING_LIT = re.compile(r'^"((?:[^"\\]|\\.)*)"$')
_AS = {
    "humanize": "",
    "humanize1024": "",
    "humanizePercentage": " as %",
    "humanizeDuration": " as a duration",
    "humanizeTimestamp": " as a time",
}
_LABEL = re.compile(r"^(?:\$labels|\.Labels)\.([A-Za-z_][A-Za-z0-9_]*)$")


def _named(body: str) -> str:
    lit = _STRING_LIT.match(body)
    if lit:
        return lit.group(1).replace('\\"', '"').replace("\\\\", "\\")
    parts = [p.strip() for p in body.split("|")]
    label = _LABEL.match(parts[0])
    if label and len(parts) == 1:
        return f"<{label.group(1)}>"
    if parts[0] == "$value" and all(p in _AS for p in parts[1:]):
        return f"<value{''.join(_AS[p] for p in parts[1:])}>"
    return "<…>"


def readable(text: str) -> str:
    """`{{ $value }} denials` as `<value> denials`: what Prometheus will put there, by name."""
    return _ACTION.sub(lambda m: _named(m.group(1)), text)


def silence_command(rule: AlertRule, alertmanager: str, shared_name: bool) -> str:
    """amtool's silence for this alert: its name and service (and severity when the name is shared).

    Escalated copies carry the same name, so the silence also stops the escalation tiers.
    """
    labels = dict(rule.labels)
    matchers = [f'alertname="{rule.name}"', f'{conv.SERVICE_LABEL}="{labels.get(conv.SERVICE_LABEL, "")}"']
    if shared_name:
        matchers.append(f'{conv.SEVERITY_LABEL}="{rule.severity.name}"')
    url = alertmanager if "://" in alertmanager else f"http://{alertmanager}"
    words = ["amtool", "silence", "add", f"--alertmanager.url={url}", *matchers]
    words += ["--duration=2h", '--comment="acknowledged by <name>"']
    return " ".join(w if w.startswith("--comment") else shlex.quote(w) for w in words)
