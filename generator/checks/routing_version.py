"""routing/needs-newer-alertmanager: a receiver setting the target Alertmanager cannot load.

Alertmanager reads some secrets from files only since 0.26 (webhook `url_file`, Telegram, Discord,
Pushover, Microsoft Teams). With the default target of 0.25 the file would be rejected at load
time, so monspec says so now, where the setting is.

Fail::

    routing:
      receivers: {chat: {telegram: {bot_token_file: /etc/am/telegram, chat_id: 1}}}
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks import _routing, _spec
from generator.diagnostics import Diagnostic, error
from generator.load import Document

NAME = "routing/needs-newer-alertmanager"
DEFAULT = "0.25"
# (integration, setting or None for the whole integration) -> first version that loads it
SINCE = {
    ("telegram", None): (0, 26),
    ("discord", None): (0, 26),
    ("pushover", None): (0, 26),
    ("msteams", None): (0, 26),
    ("webhook", "url_file"): (0, 26),
}


def check(doc: Document) -> Iterator[Diagnostic]:
    routing = _spec.section(doc, "routing")
    raw = str(routing.get("alertmanager_version", DEFAULT))
    target = tuple(int(p) for p in raw.split("."))
    for _, kind, item, path in _routing.integrations(doc):
        for (k, setting), since in SINCE.items():
            if k != kind or (setting is not None and setting not in item) or target >= since:
                continue
            need = f"{since[0]}.{since[1]}"
            what = f"`{kind}.{setting}`" if setting else f"a {kind} receiver that reads its secret from a file"
            yield error(
                NAME,
                f"{what} needs Alertmanager {need} or newer; the spec targets {raw}",
                doc.span((*path, setting) if setting else path),
                f'set `routing.alertmanager_version: "{need}"` if your Alertmanager is {need}+',
            )
