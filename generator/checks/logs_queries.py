"""logs/query: a source's saved queries read the stream that source ships, in a language its store speaks.

A `logql` query is for Loki, so the source must ship there; each of its stream selectors may
name only the source's stream labels (`labels`, `static_labels`, `filename`), because monspec
adds `job` and `source` itself and any other label matches no shipped stream. A `kql` query is
for Kibana, so the source must ship to Elasticsearch.

Pass::

    sources:
      audit:
        paths: [/var/log/memory/audit.log]
        format: json
        labels: [level, event_type]
        queries: {critical: {title: All critical events, logql: '{level="CRITICAL"}'}}

Fail (`actor` is not a stream label of the source)::

        queries: {alice: {title: One actor, logql: '{actor="user:alice@example.com"}'}}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator import conventions as conv
from generator.checks import _spec
from generator.diagnostics import Diagnostic, error
from generator.load import Document, PathKey
from generator.logql import QueryError, selector_labels

NAME = "logs/query"


def _logql(doc: Document, src: dict[str, Any], query: str, path: PathKey) -> Iterator[Diagnostic]:
    try:
        selectors = selector_labels(query)
    except QueryError as e:
        yield error(
            NAME,
            f"cannot read this LogQL query: {e}",
            doc.span(path),
            'write each selector as {label="value", ...}, or {}',
        )
        return
    stream = {*(src.get("labels") or ()), *(src.get("static_labels") or {}), conv.LOG_FILENAME_LABEL}
    for names in selectors:
        for name in names:
            if name in (conv.LOG_JOB_LABEL, conv.LOG_SOURCE_LABEL):
                yield error(
                    NAME,
                    f"`{name}` is set by monspec on every selector of the source's queries",
                    doc.span(path),
                    f"remove the `{name}` matcher",
                )
            elif name not in stream:
                yield error(
                    NAME,
                    f"`{name}` is not a stream label of this source: the selector matches no shipped stream",
                    doc.span(path),
                    f"stream labels: {', '.join(sorted(stream))}; filter a parsed field with `| json | {name}=...`",
                )


def check(doc: Document) -> Iterator[Diagnostic]:
    for _, src, path in _spec.log_sources(doc):
        for key, q in (src.get("queries") or {}).items():
            qpath = (*path, "queries", key)
            if not isinstance(q, dict):
                continue
            if isinstance(q.get("logql"), str):
                if not _spec.ships_to(doc, src, "loki"):
                    yield error(
                        NAME,
                        "a LogQL query on a source that is not shipped to Loki",
                        doc.key_span((*qpath, "logql")),
                        "add `loki` to the source's `to`, or save the query as `kql`",
                    )
                else:
                    yield from _logql(doc, src, q["logql"], (*qpath, "logql"))
            if isinstance(q.get("kql"), str) and not _spec.ships_to(doc, src, "elasticsearch"):
                yield error(
                    NAME,
                    "a KQL query on a source that is not shipped to Elasticsearch",
                    doc.key_span((*qpath, "kql")),
                    "add `elasticsearch` to the source's `to`, or save the query as `logql`",
                )
