"""LogQL and KQL text for log sources, built from the model so every user string is quoted.

Promtail's and Alloy's `match` stages take LogQL selectors, and the saved queries are LogQL (Loki)
and KQL (Kibana); all of them are built here so that the three places agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from generator.model.logs import Condition, Field, LogCounter, LogSource
from generator.model.promql import quote

_RE2_SPECIAL = set("\\.+*?()|[]{}^$")


def re2_escape(text: str) -> str:
    """A regex matching `text` literally (RE2 and Python agree on these escapes)."""
    return "".join("\\" + ch if ch in _RE2_SPECIAL else ch for ch in text)


def values_regex(values: Iterable[str]) -> str:
    return "|".join(re2_escape(v) for v in values)


def anchored(regex: str) -> str:
    """LogQL and PromQL anchor `=~` at both ends; the drop stage and Filebeat's regexp do not."""
    return f"^(?:{regex})$"


def stream_selector(source: LogSource, extra: Iterable[Condition] = (), negate: bool = False) -> str:
    labels = [f"{k}={quote(v)}" for k, v in source.static_labels if k in ("job", "source")]
    op = "!~" if negate else "=~"
    labels += [f"{c.field.name}{op}{quote(c.regex)}" for c in extra]
    return "{" + ", ".join(labels) + "}"


def _parser(source: LogSource, fields: Iterable[Field]) -> str:
    wanted = sorted({f.name: f for f in fields}.values(), key=lambda f: f.name)
    if source.format == "plain" or not wanted:
        return ""
    params = ", ".join(f"{f.name}={quote(f.path)}" for f in wanted)
    return f" | {source.format} {params}"


def line_filters(line: str | None, line_not: str | None) -> str:
    text = f" |~ {quote(line)}" if line is not None else ""
    return text + (f" !~ {quote(line_not)}" if line_not is not None else "")


def log_query(
    source: LogSource, where: tuple[Condition, ...] = (), line: str | None = None, line_not: str | None = None
) -> str:
    """A log query (for log panels): the source's stream, the line filters, then field filters."""
    text = stream_selector(source) + line_filters(line, line_not)
    text += _parser(source, (c.field for c in where))
    for c in where:
        text += f" | {c.field.name}=~{quote(c.regex)}"
    return text


def counter_rate(source: LogSource, counter: LogCounter, window: str) -> str:
    """Per-second rate of the lines a log counter counts, as a LogQL metric query over what Loki stored.

    Loki holds the lines the agent shipped, so the source's keep/drop filters have already run;
    the counter's own line and field filters are applied here, as the agent's match stage does.
    """
    selector = stream_selector(source) + line_filters(counter.line, counter.line_not)
    selector += _parser(source, (*counter.by, *(c.field for c in counter.where)))
    for c in counter.where:
        selector += f" | {c.field.name}=~{quote(c.regex)}"
    by = ", ".join(dict.fromkeys(("job", *(f.name for f in counter.by))))
    return f"sum by ({by}) (rate({selector} [{window}]))"


def kql_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def kql(source: LogSource, where: tuple[Condition, ...] = (), line: str | None = None) -> str | None:
    """KQL for Kibana, or None when KQL cannot say it (regexes, fields Filebeat does not parse)."""
    if line is not None:
        return None
    parts = [f"fields.source: {kql_string(source.key)}"]
    for c in where:
        if c.values is None or source.format != "json":
            return None
        alternatives = " or ".join(kql_string(v) for v in c.values)
        parts.append(f"{c.field.path}: ({alternatives})" if len(c.values) > 1 else f"{c.field.path}: {alternatives}")
    return " and ".join(parts)


class QueryError(ValueError):
    """A saved LogQL query that monspec cannot tie to its source's stream."""


_MATCHER = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|`[^`]*`)\s*(?:,|$)')


def _selector_spans(query: str) -> list[tuple[int, int]]:
    """Start and end of every stream selector `{...}`: braces outside string literals."""
    spans, i, start = [], 0, -1
    while i < len(query):
        ch = query[i]
        if ch in '"`':
            end = query.find("`", i + 1) if ch == "`" else _string_end(query, i)
            if end < 0:
                raise QueryError("a string literal is not closed")
            i = end + 1
            continue
        if ch == "{":
            if start >= 0:
                raise QueryError("a stream selector opens inside another")
            start = i
        elif ch == "}":
            if start < 0:
                raise QueryError("a `}` closes no stream selector")
            spans.append((start, i + 1))
            start = -1
        i += 1
    if start >= 0:
        raise QueryError("a stream selector is not closed")
    return spans


def _string_end(text: str, i: int) -> int:
    j = i + 1
    while j < len(text):
        if text[j] == "\\":
            j += 2
            continue
        if text[j] == '"':
            return j
        j += 1
    return -1


def selector_labels(query: str) -> list[list[str]]:
    """The label names each stream selector of a LogQL query matches on."""
    out = []
    for a, b in _selector_spans(query):
        body, names, pos = query[a + 1 : b - 1], [], 0
        while body[pos:].strip():
            m = _MATCHER.match(body, pos)
            if not m:
                raise QueryError(f"cannot read the matchers of {query[a:b]}")
            names.append(m.group(1))
            pos = m.end()
        out.append(names)
    if not out:
        raise QueryError("the query has no stream selector `{...}`")
    return out


def on_stream(source: LogSource, query: str) -> str:
    """The query with the source's job and source matchers put first into every stream selector."""
    base = stream_selector(source)[1:-1]
    parts, last = [], 0
    for a, b in _selector_spans(query):
        inner = query[a + 1 : b - 1].strip()
        parts.append(query[last:a] + "{" + base + (", " + inner if inner else "") + "}")
        last = b
    return "".join(parts) + query[last:]
