"""routing/integration: receiver settings that only make sense together.

PagerDuty needs exactly one key file, a webhook exactly one of `url` and `url_file`, e-mail
needs SMTP settings, and turning TLS verification off is said out loud.

Fail::

    routing:
      receivers: {ops: {email: {to: ops@example.com}}}     # no routing.email
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks import _routing, _spec
from generator.diagnostics import Diagnostic, error, warning
from generator.load import Document

NAME = "routing/integration"
EXACTLY_ONE = {"pagerduty": ("routing_key_file", "service_key_file"), "webhook": ("url", "url_file")}


def check(doc: Document) -> Iterator[Diagnostic]:
    routing = _spec.section(doc, "routing")
    for receiver, kind, item, path in _routing.integrations(doc):
        inline = {"routing_key", "service_key", "url"} & set(item) if kind == "pagerduty" else set()
        if kind in EXACTLY_ONE and not inline:
            options = EXACTLY_ONE[kind]
            given = [o for o in options if o in item]
            if len(given) != 1:
                yield error(
                    NAME,
                    f"receiver '{receiver}': {kind} needs exactly one of "
                    f"{' and '.join(f'`{o}`' for o in options)} (found {len(given)})",
                    doc.span(path),
                    f"use `{options[0]}`" if not given else f"keep one of {', '.join(given)}",
                )
        if kind == "email" and not routing.get("email"):
            yield error(
                NAME,
                f"receiver '{receiver}' sends e-mail but `routing.email` (SMTP server and sender) is missing",
                doc.span(path),
                "add `routing: {email: {smarthost: smtp.example.com:587, from: alerts@example.com}}`",
            )
        tls = (item.get("http") or {}).get("tls") or {}
        if tls.get("insecure_skip_verify") is True:
            yield warning(
                NAME,
                f"receiver '{receiver}': TLS certificate verification is off for {kind}",
                doc.span((*path, "http", "tls", "insecure_skip_verify")),
                "prefer `ca_file` with the receiver's CA",
            )
    for name, spec in (routing.get("receivers") or {}).items():
        if not [k for k in spec if k != "description"]:
            yield error(
                NAME,
                f"receiver '{name}' has no integration",
                doc.key_span(("routing", "receivers", name)),
                "add slack, pagerduty, email, webhook, ... or remove it",
            )
