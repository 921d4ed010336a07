"""LogQL and KQL text for log sources, built from the model so every user string is quoted.

Promtail's and Alloy's `match` stages take LogQL selectors, and the saved queries are LogQL (Loki)
and KQL (Kibana); all of them are built here so that the three places agree.
"""

from __future__ import annotations

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
