"""logs/inline-secret: passwords and API keys are never written in the spec, only referenced.

Filebeat resolves `${NAME}` from its keystore or the environment, so Elasticsearch and Kafka take
`password: ${NAME}` / `api_key: ${NAME}`. Promtail expands `${NAME}` only when started with
-config.expand-env, so Loki takes `password_file` instead. A literal value would end up in a
generated file that is committed and reviewed: it is an error.

Also logs/unsafe-string: a `${` anywhere else in the section would be expanded by Filebeat
(and by Promtail with -config.expand-env) instead of being taken literally.

Pass::

    elasticsearch: {hosts: ["https://es:9200"], index: audit, username: beats, password: "${ES_PASSWORD}"}

Fail::

    elasticsearch: {hosts: ["https://es:9200"], index: audit, username: beats, password: hunter2}
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from generator.checks import _spec
from generator.diagnostics import Diagnostic, error
from generator.load import Document, PathKey

NAME = "logs/inline-secret"
ENV_REFERENCE = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_.]*\}$")
_SECRET_KEYS = ("password", "api_key")


def _strings(node: Any, path: PathKey) -> Iterator[tuple[str, PathKey]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _strings(v, (*path, i))
    elif isinstance(node, str):
        yield node, path


def check(doc: Document) -> Iterator[Diagnostic]:
    logs = _spec.section(doc, "logs")
    refs: set[PathKey] = set()
    for dest in ("elasticsearch", "kafka", "loki"):
        spec = logs.get(dest)
        if not isinstance(spec, dict):
            continue
        for key in _SECRET_KEYS:
            if key not in spec:
                continue
            path: PathKey = ("logs", dest, key)
            refs.add(path)  # reported here, never again as logs/unsafe-string
            value = spec[key]
            if dest == "loki":
                yield error(
                    NAME,
                    "logs.loki.password: Promtail and Alloy read the Loki password from a file",
                    doc.span(path),
                    "write it to a file readable by the agent and set `password_file: /path/to/file`",
                )
            elif not (isinstance(value, str) and ENV_REFERENCE.match(value)):
                yield error(
                    NAME,
                    f"logs.{dest}.{key} is written inline; secrets never appear in the spec or in out/",
                    doc.span(path),
                    f"store it in the Filebeat keystore or the environment and write `{key}: ${{NAME}}`",
                )
    for text, path in _strings(logs, ("logs",)):
        if "${" in text and path not in refs:
            yield error(
                "logs/unsafe-string",
                "'${' would be expanded by Filebeat (and Promtail with -config.expand-env) as a variable",
                doc.span(path),
                "only `password` and `api_key` may reference variables; write the value without '${'",
            )
