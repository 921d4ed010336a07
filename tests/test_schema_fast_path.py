"""The schema compiled into closures (the path every valid spec takes) and jsonschema agree on what is valid."""

from __future__ import annotations

import copy
import random
import sys
from pathlib import Path
from typing import Any

import pytest

from generator import schema
from generator.diagnostics import CompileError
from generator.load import load_file
from generator.schema import compiled
from tests.conftest import EXAMPLES, ROOT

INVALID = sorted((ROOT / "tests" / "invalid").glob("*.yml"))


def loads(path: Path) -> bool:
    try:
        load_file(path)
    except CompileError:  # a load error (bad YAML, too deep...) never reaches the schema
        return False
    return True


LOADABLE = [p for p in EXAMPLES + INVALID if loads(p)]


def full_accepts(data: object) -> bool:
    return not any(True for _ in schema.validator().iter_errors(data))


@pytest.mark.parametrize("path", LOADABLE, ids=lambda p: p.stem)
def test_compiled_and_full_validators_agree(path: Path) -> None:
    doc = load_file(path)
    assert len(LOADABLE) > len(EXAMPLES) + 50
    assert schema.accepts(doc.data) == full_accepts(doc.data)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            found += _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found += _paths(v, (*path, i))
    return found


# Values of every JSON type and the edges the schema's keywords test (bool vs int, NaN, empties, length).
REPLACEMENTS: list[Any] = [
    None,
    True,
    0,
    1,
    1.0,
    -1,
    2.5,
    float("nan"),
    "",
    "x",
    "5m",
    "a" * 300,
    [],
    [1],
    {},
    {"k": 1},
]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_compiled_and_full_validators_agree_on_mutated_specs(path: Path) -> None:
    data = load_file(path).data
    rng = random.Random(path.stem)
    paths = [p for p in _paths(data) if p]
    disagree = []
    for _ in range(80):
        where = rng.choice(paths)
        mutated = copy.deepcopy(data)
        parent = mutated
        for part in where[:-1]:
            parent = parent[part]
        action = rng.random()
        if action < 0.15 and isinstance(parent, dict):
            del parent[where[-1]]
        elif action < 0.3 and isinstance(parent, dict):
            parent[f"{where[-1]}_x"] = parent[where[-1]]  # an unknown key beside a known one
        elif action < 0.4 and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[where[-1]]))  # a duplicate item
        else:
            parent[where[-1]] = rng.choice(REPLACEMENTS)
        if schema.accepts(mutated) != full_accepts(mutated):
            disagree.append(where)
    assert disagree == []


def test_compiler_refuses_keywords_it_does_not_know() -> None:
    with pytest.raises(compiled.Unsupported):
        compiled.compile_schema({"type": "object", "patternProperties": {"^a": {"type": "string"}}})
    with pytest.raises(compiled.Unsupported):
        compiled.compile_schema({"$ref": "https://example.com/other.json"})


def test_equality_follows_jsonschema() -> None:
    one_of = compiled.compile_schema({"enum": [1, "a", [True]]})
    assert [one_of(v) for v in (1, 1.0, True, "a", [True], [1])] == [True, True, False, True, True, False]
    unique = compiled.compile_schema({"type": "array", "uniqueItems": True})
    assert [unique(v) for v in ([1, True], [1, 1.0], [{"a": 1}, {"a": 1}], [[0], [False]])] == [
        True,
        False,
        False,
        True,
    ]


def test_large_spec_is_checked_fast_and_still_reports_errors(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from synth import synth

    good = tmp_path / "good.yml"
    good.write_text(synth(500))
    assert list(schema.validate(load_file(good))) == []
    bad = tmp_path / "bad.yml"
    bad.write_text(synth(500).replace("version: 1", "version: 1\nunknown_key: 1", 1))
    found = list(schema.validate(load_file(bad)))
    assert [d.code for d in found] == ["schema/unknown-key"]
