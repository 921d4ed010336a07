"""logs/source: what a log source says can be done the same way by Filebeat, Promtail and Alloy.

* `paths` are absolute: no shipper expands `~`, and each resolves relative paths against its own
  working directory (logs/path).
* Regular expressions are RE2 (Go's regexp, which all three use); redaction patterns have no
  capturing group, because Promtail and Alloy replace each group rather than the match (logs/regex).
* A plain source has no fields to filter, label or count by; `job`, `source` and `filename` are
  labels monspec and the agents set (logs/field).
* Timestamp formats are ones all three parse; counters are named `..._total` (logs/timestamp,
  logs/counter-name).

Fail::

    sources: {api: {paths: [logs/security-events.log], format: json}}
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import promql_parser as pp

from generator import conventions as conv
from generator.checks import _spec
from generator.diagnostics import Diagnostic, error
from generator.load import Document, PathKey
from generator.model.build_logs import FILEBEAT_LAYOUTS
from generator.model.promql import quote
from generator.vocabulary import full_metric_name

NAME = "logs/source"


def _re2_error(regex: str) -> str | None:
    try:
        pp.parse(f"x{{l=~{quote(regex)}}}")
    except ValueError as exc:
        return str(exc)
    return None


def _regexes(src: dict[str, Any], path: PathKey) -> Iterator[tuple[str, PathKey]]:
    if isinstance(src.get("multiline"), dict):
        yield src["multiline"]["start"], (*path, "multiline", "start")
    for i, r in enumerate(src.get("redact") or ()):
        yield r["pattern"], (*path, "redact", i, "pattern")
    conds: list[tuple[dict[str, Any], PathKey]] = [
        (src.get("keep") or {}, (*path, "keep")),
        (src.get("drop") or {}, (*path, "drop")),
    ]
    for key, c in (src.get("count") or {}).items():
        c = c or {}
        for part in ("line", "line_not"):
            if c.get(part):
                yield c[part], (*path, "count", key, part)
        conds.append((c.get("where") or {}, (*path, "count", key, "where")))
    for spec, p in conds:
        for field, cond in spec.items():
            if isinstance(cond, dict):
                yield cond["match"], (*p, field, "match")


def _fields(src: dict[str, Any], path: PathKey) -> Iterator[tuple[str, PathKey, bool]]:
    """(field, path, is_key) of every field name the source uses."""
    for i, f in enumerate(src.get("labels") or ()):
        yield f, (*path, "labels", i), False
    for part in ("keep", "drop"):
        for f in src.get(part) or {}:
            yield f, (*path, part, f), True
    for key, c in (src.get("count") or {}).items():
        for i, f in enumerate((c or {}).get("by") or ()):
            yield f, (*path, "count", key, "by", i), False
        for f in (c or {}).get("where") or {}:
            yield f, (*path, "count", key, "where", f), True
    if isinstance(src.get("timestamp"), dict):
        yield src["timestamp"]["field"], (*path, "timestamp", "field"), False
    for i, f in enumerate(src.get("redact_fields") or ()):
        yield f, (*path, "redact_fields", i), False


def check(doc: Document) -> Iterator[Diagnostic]:
    prefix = _spec.section(doc, "service").get("metric_prefix", "")
    for key, src, path in _spec.log_sources(doc):
        for i, p in enumerate(src.get("paths") or ()):
            if not p.startswith("/"):
                yield error(
                    "logs/path",
                    f"source '{key}': path '{p}' is not absolute",
                    doc.span((*path, "paths", i)),
                    "no shipper expands ~, and each resolves relative paths against its own working "
                    "directory; write the full path, e.g. /home/app/" + p.lstrip("~/"),
                )
        for regex, rpath in _regexes(src, path):
            problem = _re2_error(regex)
            if problem:
                yield error(
                    "logs/regex",
                    f"'{regex}' is not a valid RE2 regular expression ({problem})",
                    doc.span(rpath),
                    "RE2 syntax: no look-around or backreferences",
                )
            elif rpath[-1] == "pattern" and _capturing(regex):
                yield error(
                    "logs/regex",
                    "a redaction pattern must not have capturing groups",
                    doc.span(rpath),
                    "Promtail and Alloy replace each capturing group, not the match; write (?:...) instead of (...)",
                )
        if src.get("format") == "json":
            for i, r in enumerate(src.get("redact") or ()):
                text = r.get("replacement", "")
                if any(c in text for c in '"\\') or any(ord(c) < 0x20 for c in text):
                    yield error(
                        "logs/redaction",
                        "a replacement in a JSON line must not contain '\"', '\\' or control characters",
                        doc.span((*path, "redact", i, "replacement")),
                        "the raw line is redacted before it is parsed; such a replacement would break the JSON",
                    )
        for field, fpath, is_key in _fields(src, path):
            span = doc.key_span(fpath) if is_key else doc.span(fpath)
            if src.get("format") == "plain" and fpath[len(path)] != "redact_fields":
                yield error(
                    "logs/field",
                    f"source '{key}' is plain text and has no field '{field}'",
                    span,
                    "use format json or logfmt, or count by `line:` (a regex on the line)",
                )
            elif src.get("format") == "plain":
                yield error(
                    "logs/field",
                    f"source '{key}' is plain text: it has no fields to redact",
                    span,
                    "use `redact:` with a pattern",
                )
            elif field in conv.RESERVED_LOG_LABELS:
                yield error(
                    "logs/field",
                    f"'{field}' is a label monspec or the agents set on every line",
                    span,
                    "map the field to another name under `fields:`, e.g. fields: {log_" + field + ": " + field + "}",
                )
        for label in src.get("static_labels") or {}:
            if label in conv.RESERVED_LOG_LABELS or label in set(src.get("labels") or ()):
                yield error(
                    "logs/field",
                    f"static label '{label}' is already set (by monspec, the agents or `labels`)",
                    doc.key_span((*path, "static_labels", label)),
                    "choose another label name",
                )
        ts = src.get("timestamp")
        if isinstance(ts, dict):
            form = str(ts.get("format", "RFC3339"))
            if form not in FILEBEAT_LAYOUTS and "2006" not in form:
                yield error(
                    "logs/timestamp",
                    f"timestamp format '{form}' is not one that Filebeat, Promtail and Alloy all parse",
                    doc.span((*path, "timestamp", "format")),
                    "use RFC3339, RFC3339Nano, Unix, UnixMs or a Go layout (2006-01-02 15:04:05.000)",
                )
        for ckey, c in (src.get("count") or {}).items():
            name = full_metric_name(prefix, ckey, c or {})
            if not name.endswith("_total"):
                yield error(
                    "logs/counter-name",
                    f"counter '{name}' does not end in _total",
                    doc.key_span((*path, "count", ckey)),
                    f"counters are named ..._total (Prometheus naming conventions), e.g. {ckey}_total",
                )


def _capturing(regex: str) -> bool:
    try:
        return re.compile(regex).groups > 0
    except re.error:
        return "(" in regex.replace("(?", "").replace("\\(", "")
