"""Prometheus' template functions (humanize & co.) reproduced exactly.

promtool compares alert annotations byte for byte, so the tests monspec generates must predict
what Prometheus renders. The formulas follow Prometheus' template/template.go; Go's %.4g and
Python's %.4g agree (both C printf semantics over correctly rounded doubles), which the test
suite checks against promtool itself.
"""

from __future__ import annotations

import math
import re

_BIG = ("k", "M", "G", "T", "P", "E", "Z", "Y")
_SMALL = ("m", "u", "n", "p", "f", "a", "z", "y")
_BIG_1024 = ("ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi")


def g4(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    return f"{v:.4g}"


def humanize(v: float) -> str:
    if v == 0 or math.isnan(v) or math.isinf(v):
        return g4(v)
    prefix = ""
    if abs(v) >= 1:
        for p in _BIG:
            if abs(v) < 1000:
                break
            prefix, v = p, v / 1000
        return g4(v) + prefix
    for p in _SMALL:
        if abs(v) >= 1:
            break
        prefix, v = p, v * 1000
    return g4(v) + prefix


def humanize1024(v: float) -> str:
    if abs(v) <= 1 or math.isnan(v) or math.isinf(v):
        return g4(v)
    prefix = ""
    for p in _BIG_1024:
        if abs(v) < 1024:
            break
        prefix, v = p, v / 1024
    return g4(v) + prefix


def humanize_percentage(v: float) -> str:
    return g4(v * 100) + "%"


def humanize_duration(v: float) -> str:
    if math.isnan(v) or math.isinf(v):
        return g4(v)
    if v == 0:
        return g4(v) + "s"
    if abs(v) >= 1:
        sign = "-" if v < 0 else ""
        v = abs(v)
        total = int(v)
        seconds, minutes = total % 60, (total // 60) % 60
        hours, days = (total // 3600) % 24, total // 86400
        if days:
            return f"{sign}{days}d {hours}h {minutes}m {seconds}s"
        if hours:
            return f"{sign}{hours}h {minutes}m {seconds}s"
        if minutes:
            return f"{sign}{minutes}m {seconds}s"
        return f"{sign}{g4(v)}s"
    prefix = ""
    for p in _SMALL:
        if abs(v) >= 1:
            break
        prefix, v = p, v * 1000
    return f"{g4(v)}{prefix}s"


def go_float(v: float) -> str:
    """fmt's %v for a float64: shortest round-trip digits, exponent form outside [1e-4, 1e6)."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    if v == 0:
        return "0"
    r = repr(v)
    mantissa, _, exp_s = r.partition("e")
    digits = mantissa.replace("-", "").replace(".", "").lstrip("0").rstrip("0") or "0"
    exp = math.floor(math.log10(abs(v)))
    if exp < -4 or exp >= 6:
        m = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        sign = "-" if v < 0 else ""
        return f"{sign}{m}e{'+' if exp >= 0 else '-'}{abs(exp):02d}"
    if exp_s:
        return f"{v:f}".rstrip("0").rstrip(".")
    return r[:-2] if r.endswith(".0") else r


FUNCTIONS = {
    "humanize": humanize,
    "humanize1024": humanize1024,
    "humanizePercentage": humanize_percentage,
    "humanizeDuration": humanize_duration,
}

_ACTION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)
_STRING_LIT = re.compile(r'^"((?:[^"\\]|\\.)*)"$')


class Unrenderable(Exception):
    """A template uses more of Go's template language than the tests can predict."""


def render_template(text: str, value: float, labels: dict[str, str]) -> str:
    """Render the subset of Prometheus alert templates whose output monspec can predict exactly.

    `labels` are the series' own labels: Prometheus expands annotations before it adds the rule's.
    """

    def action(m: re.Match[str]) -> str:
        body = m.group(1)
        lit = _STRING_LIT.match(body)
        if lit:
            return bytes(lit.group(1), "utf-8").decode("unicode_escape")
        parts = [p.strip() for p in body.split("|")]
        head = parts[0]
        if head == "$value":
            if len(parts) == 1:
                return go_float(value)
            if len(parts) == 2 and parts[1] in FUNCTIONS:
                return FUNCTIONS[parts[1]](value)
        elif head.startswith("$labels.") and len(parts) == 1:
            return labels.get(head[len("$labels.") :], "")  # Prometheus runs templates with missingkey=zero
        elif head.startswith(".Labels.") and len(parts) == 1:
            return labels.get(head[len(".Labels.") :], "")
        raise Unrenderable(body)

    return _ACTION.sub(action, text)


def go_template_literal(text: str) -> str:
    """Text placed into an annotation verbatim: `{{` would start a Go template action, so escape it."""
    return text.replace("{{", '{{ "{{" }}')
