"""Schema errors that are really indentation errors, explained as such.

A key dedented by one level is still valid YAML: it becomes a sibling of the mapping it belonged to.
`labels:` under a metric, dedented, is read as a metric named `labels`, and the schema then says
"metrics.labels must be a mapping, not a list", true but no help. When the offending key sits at the
column of the key above it, and that key's value is empty or a mapping the key could belong to, the
hint says which line and column it belongs at.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from functools import cache
from typing import Any

from generator.diagnostics import Diagnostic
from generator.load import Document, PathKey


def _property_names(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        yield from (node.get("properties") or {})
        for value in node.values():
            yield from _property_names(value)
    elif isinstance(node, list):
        for value in node:
            yield from _property_names(value)


@cache
def _known_keys() -> frozenset[str]:
    from generator.schema import schema_text

    return frozenset(_property_names(json.loads(schema_text())))


def _branches(node: Any, root: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        node = root["$defs"].get(ref.rsplit("/", 1)[-1], {})
    yield node
    for key in ("oneOf", "anyOf", "allOf"):
        for branch in node.get(key) or []:
            yield from _branches(branch, root)


@cache
def _keys_at(path: PathKey) -> frozenset[str]:
    """The keys the schema allows in the mapping at path (any of its branches); empty for maps of names."""
    from generator.schema import schema_text

    root = json.loads(schema_text())
    nodes: list[Any] = [root]
    for part in path:
        step: list[Any] = []
        for node in nodes:
            for branch in _branches(node, root):
                if isinstance(part, int):
                    step.append(branch.get("items"))
                elif part in (branch.get("properties") or {}):
                    step.append(branch["properties"][part])
                elif isinstance(branch.get("additionalProperties"), dict):
                    step.append(branch["additionalProperties"])
        nodes = [n for n in step if isinstance(n, dict)]
    return frozenset(k for node in nodes for branch in _branches(node, root) for k in branch.get("properties") or {})


def _entry(err: Any) -> PathKey | None:
    """The path of the mapping entry the error is about."""
    path: PathKey = tuple(err.absolute_path)
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        properties = (err.schema or {}).get("properties", {}) if isinstance(err.schema, dict) else {}
        extra = [k for k in err.instance if k not in properties]
        return (*path, extra[0]) if extra else None
    return path if path and isinstance(path[-1], str) else None


def _empty_before(doc: Document, parent: PathKey, key: str, keys: list[str], col: int) -> str | None:
    """`key:` is empty and the next key, at the same column, looks like its value."""
    i = keys.index(key)
    if i + 1 >= len(keys):
        return None
    after = keys[i + 1]
    span = doc.key_spans.get((*parent, after))
    if span is None or span[1] != col or after in _known_keys():
        return None
    return (
        f"`{key}:` is empty and the keys after it (line {span[0]}, `{after}:`) are at its column; "
        f"indent them deeper than column {col} to make them its value"
    )


def misplaced(doc: Document, path: PathKey) -> str | None:
    key, parent = path[-1], path[:-1]
    container = doc.get(parent)
    span = doc.key_spans.get(path)
    if not isinstance(key, str) or not isinstance(container, dict) or key not in container or span is None:
        return None
    keys = list(container)
    line, col = span[0], span[1]
    if container[key] is None:
        found = _empty_before(doc, parent, key, keys, col)
        if found:
            return found
    i = keys.index(key)
    if i == 0:
        return None
    above = keys[i - 1]
    above_span = doc.key_spans.get((*parent, above))
    if above_span is None or above_span[1] != col or above_span[0] >= line:
        return None
    value = container[above]
    if value is None:
        return (
            f"`{above}:` (line {above_span[0]}) has no value and `{key}` is at its column; "
            f"if `{key}` belongs to `{above}`, indent it deeper than column {col}"
        )
    if isinstance(value, dict) and value and key in _known_keys() and key not in _keys_at(parent):
        first = next(iter(value))
        first_span = doc.key_spans.get((*parent, above, first))
        if first_span and first_span[0] > above_span[0]:  # a block mapping below `above:`
            return (
                f"`{key}` is indented as an entry of its own (column {col}); if it belongs to `{above}` "
                f"(line {above_span[0]}), indent it like `{first}:` (column {first_span[1]})"
            )
    return None


GENERIC_HINTS = ("allowed keys", "keep exactly one of")


def refine(diag: Diagnostic, err: Any, doc: Document) -> Diagnostic:
    """diag with an indentation hint in place of a generic one (or none), when its key looks misplaced."""
    if diag.hint and not diag.hint.startswith(GENERIC_HINTS):
        return diag
    path = _entry(err)
    hint = misplaced(doc, path) if path else None
    return dataclasses.replace(diag, hint=hint) if hint else diag
