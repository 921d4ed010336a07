"""The one jinja2 environment of the text targets, with the quoting filters every user string goes through.

Templates never interpolate a user string raw: YAML scalars go through `yaml_str`, Alloy string
literals through `alloy_str`, and text that a Go template would evaluate through `go_template_literal`.
"""

from __future__ import annotations

import json
from functools import cache

import jinja2

from generator.model.promql import quote

# Characters Python's str.splitlines() (jinja's indent filter) and YAML treat as line breaks, besides \r and \n.
_LINE_BREAKS = "\x85\u2028\u2029\x0b\x0c\x1c\x1d\x1e"


def _yaml_printable(c: str) -> bool:
    """YAML 1.1's printable set (PyYAML, Promtail's and Filebeat's parsers agree on it)."""
    return (
        c in "\t\n\r"
        or " " <= c <= "~"
        or c == "\x85"
        or "\xa0" <= c <= "\ud7ff"
        or "\ue000" <= c <= "\ufffd"
        or c >= "\U00010000"
    )


def yaml_str(value: object) -> str:
    """A YAML double-quoted scalar: JSON's escapes are YAML's, plus escapes for non-printables."""
    text = json.dumps(str(value), ensure_ascii=False)
    return "".join(c if _yaml_printable(c) and c not in _LINE_BREAKS else f"\\u{ord(c):04x}" for c in text)


def alloy_str(value: object) -> str:
    """An Alloy string literal (Go escapes: \\\\, \\", \\n, \\xHH for control characters, \\u for line separators)."""
    return "".join(c if c not in _LINE_BREAKS else f"\\u{ord(c):04x}" for c in quote(str(value)))


def go_template_literal(value: str) -> str:
    """Text that Promtail's and Alloy's `replace` stage (a Go text/template) prints as is."""
    return value if "{{" not in value else "{{ " + quote(value) + " }}"


def comment(value: object) -> str:
    """Text safe inside a one-line comment: line breaks (YAML's and splitlines') and control characters escaped."""
    return "".join(
        c if _yaml_printable(c) and c not in "\r\n" + _LINE_BREAKS else f"\\u{ord(c):04x}" for c in str(value)
    )


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator.templates", ""),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )
    env.filters.update(yaml_str=yaml_str, alloy_str=alloy_str, comment=comment)
    return env


def render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)
