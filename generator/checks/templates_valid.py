"""templates/invalid: annotation templates and the runbook URL template are well formed.

Go templates fail at evaluation time in Prometheus, long after deploy; an unbalanced `{{` or an
unknown `{placeholder}` in defaults.runbook_url is caught here instead.

Label values of alerts are templates to Prometheus as well; monspec keeps them literal (an alert
whose labels change is a new alert), so `{{` is refused there.

Fail::

    defaults: {runbook_url: 'https://runbooks.example.com/{team}/{alert}'}
    indicators: {depth: {..., labels: {owner: '{{ $labels.team }}'}}}
"""

from __future__ import annotations

import string
from collections.abc import Iterator

from generator import gotemplate
from generator.checks import _spec
from generator.diagnostics import Diagnostic, error, printable
from generator.load import Document, PathKey

NAME = "templates/invalid"
PLACEHOLDERS = ("service", "alert", "indicator", "runbook", "severity")


def _texts(doc: Document) -> Iterator[PathKey]:
    for _, spec, path in _spec.objectives(doc):  # an objective's description is shown, not templated
        for name, value in (spec.get("annotations") or {}).items():
            if isinstance(value, str):
                yield (*path, "annotations", name)
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


def _label_values(doc: Document) -> Iterator[PathKey]:
    """Label values of alerts: Prometheus expands them as templates too, but monspec keeps them constant."""
    owners: list[PathKey] = [("service",)]
    for _, spec, path in [*_spec.indicators(doc), *_spec.alerts(doc), *_spec.objectives(doc)]:
        owners.append(path)
        owners.extend((*path, "thresholds", sev) for sev, raw in (spec.get("thresholds") or {}).items())
    for owner in owners:
        labels = doc.get((*owner, "labels"))
        for name, value in (labels if isinstance(labels, dict) else {}).items():
            if isinstance(value, str) and "{{" in value:
                yield (*owner, "labels", name)


def check(doc: Document) -> Iterator[Diagnostic]:
    for path in _label_values(doc):
        yield error(
            NAME,
            f"{'.'.join(str(p) for p in path)}: a label value cannot hold '{{{{'",
            doc.span(path),
            "Prometheus would expand it as a template; an alert's labels must stay constant to keep its identity",
        )
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
        where = ".".join(str(p) for p in path)
        if _unbalanced(text):
            yield error(
                NAME,
                f"{where}: unbalanced '{{{{' in the Go template",
                doc.span(path),
                'close every {{ with }}; write a literal {{ as {{ "{{" }}',
            )
            continue
        try:
            gotemplate.check(text)
        except gotemplate.TemplateError as exc:
            yield error(
                NAME,
                f"{where}: {printable(str(exc))} in the Go template",
                doc.span(path),
                "Prometheus would refuse the whole rule file; see "
                "https://prometheus.io/docs/prometheus/latest/configuration/template_reference/",
            )


def _unbalanced(text: str) -> bool:
    """True when an action is not closed, or one opens inside another (quoted text and comments
    inside an action are read as Go's lexer reads them)."""
    try:
        gotemplate.actions(text)
    except gotemplate.TemplateError:
        return True
    return False
