"""sections/not-compiled: routing, dashboards, logs and objectives are accepted but not compiled yet.

They are part of the language so specs can grow into them; until their targets exist, saying so
is better than silently ignoring what a user wrote.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.diagnostics import Diagnostic, warning
from generator.load import Document

NAME = "sections/not-compiled"
RESERVED = (
    # Each section's issue removes its line when its targets compile it.
    "routing",
    "dashboards",
    "logs",
)


def check(doc: Document) -> Iterator[Diagnostic]:
    if not isinstance(doc.data, dict):
        return
    for key in RESERVED:
        if key in doc.data:
            yield warning(
                NAME,
                f"`{key}` is not compiled by this version of monspec yet",
                doc.key_span((key,)),
                "it is kept in the spec and ignored in out/",
            )
