"""Walks of the `routing` section the routing checks share, each item with its path for positions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.checks import _spec
from generator.load import Document, PathKey


def routes(doc: Document) -> Iterator[tuple[dict[str, Any], PathKey]]:
    """Every route of the tree, depth first."""

    def walk(items: Any, path: PathKey) -> Iterator[tuple[dict[str, Any], PathKey]]:
        for i, r in enumerate(items if isinstance(items, list) else ()):
            yield r, (*path, i)
            yield from walk(r.get("routes"), (*path, i, "routes"))

    yield from walk(_spec.section(doc, "routing").get("routes"), ("routing", "routes"))


def integrations(doc: Document) -> Iterator[tuple[str, str, dict[str, Any], PathKey]]:
    """(receiver, kind, settings, path) for every integration of every receiver."""
    for name, spec in (_spec.section(doc, "routing").get("receivers") or {}).items():
        for kind, value in spec.items():
            if kind == "description":
                continue
            items = value if isinstance(value, list) else [value]
            for i, item in enumerate(items):
                path: PathKey = (
                    ("routing", "receivers", name, kind, i)
                    if isinstance(value, list)
                    else ("routing", "receivers", name, kind)
                )
                yield name, kind, item, path
