"""The fast JSON writer writes exactly what json.dumps(indent=2, sort_keys=True) writes, or declines."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import json_fast
from generator.compile import compile_specs
from generator.targets import all_targets
from tests.conftest import EXAMPLES


def reference(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)


def same(data: Any) -> None:
    try:
        fast = json_fast.dumps(data)
    except json_fast.Unsupported:
        return  # declined: the writer uses the json module, so the output is the same by construction
    assert fast == reference(data)


def test_every_generated_dashboard_is_written_fast_and_identically() -> None:
    result = compile_specs(EXAMPLES, render=False)
    documents = [o for m in result.models for t in all_targets().values() for o in t(m) if o.format == "json"]
    assert documents
    for o in documents:
        assert json_fast.dumps(o.content) == reference(o.content), o.path


@pytest.mark.parametrize(
    "data",
    [
        {},
        [],
        {"a": {}, "b": [], "c": [{}], "d": [[]]},
        {"z": 1, "a": 2, "é": 'ünïcode \u2028 \x00 " \\ /'},
        [float("nan"), float("inf"), float("-inf"), -0.0, 1e300, 1.5, 10**30, True, False, None],
        ("tuple", ("nested",)),
        "scalar",
        3,
    ],
)
def test_edges(data: Any) -> None:
    assert json_fast.dumps(data) == reference(data)


def test_declines_what_it_does_not_know() -> None:
    class Level(int):
        pass

    for data in ({1: "int key"}, {"k": Level(3)}, {"k": {1, 2}}):
        with pytest.raises(json_fast.Unsupported):
            json_fast.dumps(data)
    deep: Any = "leaf"
    for _ in range(100):
        deep = [deep]
    with pytest.raises(json_fast.Unsupported):
        json_fast.dumps(deep)


scalars = st.one_of(st.text(max_size=20), st.integers(), st.floats(), st.booleans(), st.none())
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.tuples(children, children),
        st.dictionaries(st.text(max_size=10), children, max_size=4),
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_random_documents_match_the_json_module(data: Any) -> None:
    same(data)


def test_large_documents_are_joined_in_chunks_identically() -> None:
    panels = {
        "panels": [{"id": i, "title": f"panel {i}", "targets": [{"expr": f'up{{i="{i}"}}'}]} for i in range(5000)]
    }
    assert json_fast.dumps(panels).count("\n") > 2 * json_fast._CHUNK
    assert json_fast.dumps(panels) == reference(panels)


def test_indented_falls_back_to_the_json_module() -> None:
    for data in ({1: "int key"}, {"k": [1, {"a": None}]}):
        assert json_fast.indented(data) == reference(data) + "\n"
