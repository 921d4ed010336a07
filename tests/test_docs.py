"""docs/ (spec.md and one page per section) documents every key of the language the schema defines."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from tests.conftest import ROOT


def keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for name, sub in (node.get("properties") or {}).items():
            yield name
            yield from keys(sub)
        for key in ("$defs", "additionalProperties", "items"):
            value = node.get(key)
            if isinstance(value, dict):
                if key == "$defs":
                    for sub in value.values():
                        yield from keys(sub)
                else:
                    yield from keys(value)
        for key in ("oneOf", "anyOf", "allOf"):
            for sub in node.get(key) or []:
                yield from keys(sub)


def test_every_schema_key_is_documented() -> None:
    schema = json.loads((ROOT / "spec" / "monspec.schema.json").read_text())
    doc = "\n".join(p.read_text() for p in sorted((ROOT / "docs").glob("*.md")))
    names = set(keys(schema))
    assert len(names) > 60
    missing = sorted(n for n in names if not re.search(rf"`{re.escape(n)}[`:]", doc))
    assert missing == []


def test_schema_describes_every_key() -> None:
    schema = json.loads((ROOT / "spec" / "monspec.schema.json").read_text())

    def walk(node: Any, path: str) -> Iterator[str]:
        if isinstance(node, dict):
            for name, sub in (node.get("properties") or {}).items():
                if isinstance(sub, dict) and "description" not in sub and "$ref" not in sub:
                    yield f"{path}.{name}"
                yield from walk(sub, f"{path}.{name}")
            for key in ("$defs",):
                for name, sub in (node.get(key) or {}).items():
                    yield from walk(sub, f"#{name}")

    assert list(walk(schema, "")) == []


def test_indicator_kinds_match_the_schema() -> None:
    from generator.vocabulary import INDICATOR_KINDS

    schema = json.loads((ROOT / "spec" / "monspec.schema.json").read_text())
    one_of = schema["$defs"]["indicator"]["oneOf"]
    assert tuple(branch["required"][0] for branch in one_of) == INDICATOR_KINDS
