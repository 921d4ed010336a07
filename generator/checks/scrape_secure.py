"""scrape/insecure: the scrape job does not weaken what the spec asked to protect.

Prometheus sends a bearer token on every scrape; over plain http to another host anyone on the
path can read it. TLS settings on an http scrape are ignored by Prometheus, which hides a mistake.
Turning certificate verification off is allowed only when written out, and then still reported.
All three are warnings: a lab set-up may need them, a production spec should not.

Pass::

    scrape: {targets: ["api.internal:8443"], scheme: https, authorization: {credentials_file: /etc/t}}

Fail::

    scrape: {targets: ["api.internal:8080"], authorization: {credentials_file: /etc/t}}
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks import _spec
from generator.diagnostics import Diagnostic, warning
from generator.load import Document

NAME = "scrape/insecure"
_LOOPBACK = ("localhost", "127.", "[::1]")


def check(doc: Document) -> Iterator[Diagnostic]:
    scrape = _spec.section(doc, "service").get("scrape")
    if not isinstance(scrape, dict):
        return
    path = ("service", "scrape")
    https = scrape.get("scheme") == "https"
    tls = scrape.get("tls") if isinstance(scrape.get("tls"), dict) else None
    remote = [t for t in scrape.get("targets") or [] if isinstance(t, str) and not t.startswith(_LOOPBACK)]
    if scrape.get("authorization") and not https and remote:
        yield warning(
            NAME,
            f"the scrape credentials are sent over plain http to {remote[0]}",
            doc.key_span((*path, "authorization")),
            "set `scheme: https` (with `tls` as needed) so the token is not readable on the network",
        )
    if tls is not None and not https:
        yield warning(
            NAME,
            "`tls` is set but the scrape uses http, so Prometheus ignores it",
            doc.key_span((*path, "tls")),
            "set `scheme: https`",
        )
    if tls is not None and tls.get("insecure_skip_verify") is True:
        yield warning(
            NAME,
            "certificate verification is disabled for this scrape",
            doc.span((*path, "tls", "insecure_skip_verify")),
            "give `tls.ca_file` (and `server_name`) instead; anyone in the path can impersonate the service",
        )
