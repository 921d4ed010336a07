"""templates/invalid: annotation templates and the runbook URL template are well formed.

Go templates fail at evaluation time in Prometheus, long after deploy; an unbalanced `{{` or an
unknown `{placeholder}` in defaults.runbook_url is caught here instead.

Fail::

    defaults: {runbook_url: 'https://runbooks.example.com/{team}/{alert}'}
"""

from __future__ import annotations

import string
from collections.abc import Iterator

from generator.checks import _spec
from generator.diagnostics import Diagnostic, error
from generator.load import Document, PathKey

NAME = "templates/invalid"
PLACEHOLDERS = ("service", "alert", "indicator", "runbook", "severity")


def _texts(doc: Document) -> Iterator[PathKey]:
    for _, spec, path in [*_spec.indicators(doc), *_spec.alerts(doc)]:
        for key in ("summary", "description", "action"):
            if isinstance(spec.get(key), str):
                yield (*path, key)
        for name, value in (spec.get("annotations") or {}).items():
            if isinstance(value, str):
                yield (*path, "annotations", name)
        for sev, raw in (spec.get("thresholds") or {}).items():
            if isinstance(raw, dict):
                for key in ("summary", "description"):
                    if isinstance(raw.get(key), str):
                        yield (*path, "thresholds", sev, key)


def check(doc: Document) -> Iterator[Diagnostic]:
    url = _spec.section(doc, "defaults").get("runbook_url")
    if isinstance(url, str):
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(url) if f is not None]
        except ValueError as exc:
            yield error(
                NAME,
                f"defaults.runbook_url: {exc}",
                doc.span(("defaults", "runbook_url")),
                "write a literal brace as {{ or }}",
            )
        else:
            for f in fields:
                if f not in PLACEHOLDERS:
                    yield error(
                        NAME,
                        f"defaults.runbook_url: unknown placeholder '{{{f}}}'",
                        doc.span(("defaults", "runbook_url")),
                        "placeholders: " + ", ".join("{" + p + "}" for p in PLACEHOLDERS),
                    )
    for path in _texts(doc):
        text = doc.get(path)
        depth, pos = 0, 0
        balanced = True
        while pos < len(text):
            if text.startswith("{{", pos):
                depth += 1
                pos += 2
                if depth > 1:
                    balanced = False
                    break
            elif text.startswith("}}", pos) and depth:
                depth -= 1
                pos += 2
            else:
                pos += 1
        if depth or not balanced:
            yield error(
                NAME,
                f"{'.'.join(str(p) for p in path)}: unbalanced '{{{{' in the Go template",
                doc.span(path),
                'close every {{ with }}; write a literal {{ as {{ "{{" }}',
            )
