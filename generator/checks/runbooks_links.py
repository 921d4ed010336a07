"""runbooks/relative-url: every runbook link an alert carries is an absolute URL, and no runbook is dropped.

Slack, PagerDuty and e-mail show the runbook_url annotation as a link outside any web site, where
a path such as `/compliance/incident-response` leads nowhere: a warning at the value that makes
it. A `runbook` name that `defaults.runbook_url` has no `{runbook}` placeholder for is silently
ignored (every alert gets the template as it is): `runbooks/dropped`, also a warning.

Pass::

    defaults: {runbook_url: "https://docs.molt.bot/compliance/incident-response#{runbook}"}
    indicators: {gateway_up: {expr: up, runbook: gateway, thresholds: {critical: 1}}}

Fail (a path, and a name the template has no place for)::

    defaults: {runbook_url: /compliance/incident-response}
    indicators: {gateway_up: {expr: up, runbook: gateway, thresholds: {critical: 1}}}
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks import _spec
from generator.diagnostics import Diagnostic, warning
from generator.load import Document, PathKey

NAME = "runbooks/relative-url"
_HINT = "write the runbook's full URL (https://...), or a name that defaults.runbook_url turns into one"


def _absolute(url: str) -> bool:
    return "://" in url


def _runbooks(doc: Document) -> Iterator[tuple[str, PathKey]]:
    for _, spec, path in (*_spec.indicators(doc), *_spec.alerts(doc), *_spec.objectives(doc)):
        if isinstance(spec.get("runbook"), str):
            yield spec["runbook"], (*path, "runbook")


def check(doc: Document) -> Iterator[Diagnostic]:
    template = _spec.section(doc, "defaults").get("runbook_url")
    template = template if isinstance(template, str) else None
    if template is not None and not _absolute(template):
        yield warning(
            NAME, f"runbook links are not absolute URLs: '{template}'", doc.span(("defaults", "runbook_url")), _HINT
        )
    for value, path in _runbooks(doc):
        if _absolute(value):
            continue
        if value.startswith("/") or template is None:
            yield warning(NAME, f"runbook '{value}' is not an absolute URL", doc.span(path), _HINT)
        elif "{runbook}" not in template:
            yield warning(
                "runbooks/dropped",
                f"runbook '{value}' is ignored: defaults.runbook_url has no {{runbook}} placeholder",
                doc.span(path),
                "add {runbook} to defaults.runbook_url, or give the runbook's full URL here",
            )
