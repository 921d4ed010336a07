"""routing/inline-secret: webhook URLs, keys, tokens and passwords never sit in the spec.

A spec is committed and reviewed in pull requests; anything in it ends up in out/ and in git
history. Receivers read secrets from files (`*_file`) that the deployment mounts.

Fail::

    routing:
      receivers:
        ops: {slack: {channel: "#ops", api_url: https://hooks.slack.com/services/T0/B0/XXXX}}
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from generator.checks import _spec
from generator.diagnostics import Diagnostic, error
from generator.load import Document, PathKey

NAME = "routing/inline-secret"
SECRET_KEYS = frozenset(
    {
        "api_url",
        "routing_key",
        "service_key",
        "password",
        "auth_password",
        "api_key",
        "user_key",
        "token",
        "bot_token",
        "webhook_url",
        "slack_api_url",
        "bearer_token",
    }
)
# Keys whose value is not a credential even though the name looks like one.
NOT_SECRET = {("victorops", "routing_key")}
_URL_CREDENTIALS = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@\s]+@", re.IGNORECASE)
_URL_TOKEN = re.compile(r"[?&](token|key|api_key|apikey|secret|password|sig|signature|access_token)=", re.IGNORECASE)
_KNOWN_SECRET_URL = re.compile(r"hooks\.slack\.com/services/|discord(app)?\.com/api/webhooks/|webhook\.office\.com/")


def _walk(value: Any, path: PathKey) -> Iterator[tuple[PathKey, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield (*path, k), v
            yield from _walk(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, (*path, i))


def check(doc: Document) -> Iterator[Diagnostic]:
    routing = _spec.section(doc, "routing")
    for path, value in _walk(routing, ("routing",)):
        key = path[-1]
        parent = path[-2] if len(path) > 1 else None
        if isinstance(key, str) and key in SECRET_KEYS and (parent, key) not in NOT_SECRET:
            yield error(
                NAME,
                f"`{key}` is a secret and may not be written in the spec",
                doc.span(path),
                f"put it in a file the Alertmanager can read and name that file with `{key}_file`",
            )
        elif isinstance(value, str) and (
            _URL_CREDENTIALS.match(value) or _URL_TOKEN.search(value) or _KNOWN_SECRET_URL.search(value)
        ):
            yield error(
                NAME,
                f"`{key}` carries a credential in its URL",
                doc.span(path),
                "URLs with user:password@, token query parameters or webhook secrets belong in a file: "
                "use `url_file` (Alertmanager 0.26+) or `http` authentication from files",
            )
