"""The fast emitter writes exactly what PyYAML's dumper writes (or declines), on real and random data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import yaml_fast
from generator.compile import compile_specs
from generator.targets import all_targets
from generator.write import dump_yaml
from tests.conftest import EXAMPLES

TRICKY = [
    "yes",
    "No",
    "on",
    "OFF",
    "null",
    "~",
    "true",
    "0777",
    "1e3",
    "12:30",
    "2024-01-01",
    "-",
    "- x",
    "? x",
    ": x",
    "a: b",
    "a #b",
    "#x",
    "'q'",
    '"d"',
    "{a}",
    "[a]",
    "x:",
    "x: ",
    " lead",
    "trail ",
    "tab\there",
    "multi\nline",
    "multi\nline\n",
    "multi\n\nline\n\n",
    "\nleading",
    "trailing \nspace",
    "ünïcode",
    "a'b",
    "job:metric:rate5m",
    "P1",
    ".inf",
    ".5",
    "-1",
    "+1",
    "0x1F",
    "1_000",
    "@at",
    "`tick",
    "%pct",
    "!bang",
    "&amp",
    "*star",
    "|pipe",
    ">gt",
    "x\r\ny",
    "",
    "ok",
    "a,b",
    "a]b",
    "{{ $value }}",
]


def same(data: Any) -> None:
    try:
        fast = yaml_fast.emit(data)
    except yaml_fast.Unsupported:
        return  # declined: the writer uses PyYAML, so the output is the same by construction
    assert fast == dump_yaml(data)


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_scalars_as_values_keys_and_items(text: str) -> None:
    same({"k": text, "list": [text, {"inner": text}]})
    if "\n" not in text and text:
        same({text: 1, "nested": {text: [text]}})


def test_every_generated_document_is_emitted_fast_and_identically() -> None:
    result = compile_specs(EXAMPLES, render=False)
    documents = [o for m in result.models for t in all_targets().values() for o in t(m) if o.format == "yaml"]
    assert documents
    for o in documents:
        assert yaml_fast.emit(o.content) == dump_yaml(o.content), o.path


scalars = st.one_of(
    st.text(max_size=30),
    st.sampled_from(TRICKY),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.none(),
)
keys = st.one_of(st.text(min_size=1, max_size=20), st.sampled_from([t for t in TRICKY if t and "\n" not in t]))
documents = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, documents, min_size=1, max_size=5))
def test_random_documents_match_pyyaml(data: dict[str, Any]) -> None:
    same(data)


def test_declines_rather_than_differs_on_long_keys(tmp_path: Path) -> None:
    with pytest.raises(yaml_fast.Unsupported):
        yaml_fast.emit({"k" * 200: 1})


def test_large_documents_are_joined_in_chunks_identically() -> None:
    tests = {"tests": [{"name": f"t{i}", "values": ["1+0x10", "5"], "labels": {"a": "b"}} for i in range(3000)]}
    assert yaml_fast.emit(tests).count("\n") > 2 * yaml_fast._CHUNK
    assert yaml_fast.emit(tests) == dump_yaml(tests)
