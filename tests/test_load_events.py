"""Loading straight from libyaml's events gives the very Document the node path gives, or declines."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import load
from generator.diagnostics import CompileError
from tests.conftest import EXAMPLES, ROOT

INVALID = sorted((ROOT / "tests" / "invalid").glob("*.yml"))


def node_path(text: str) -> load.Document | list[str]:
    """The Document (or the diagnostics) of the node path alone."""
    events = load._load_events
    try:
        load._load_events = _decline  # type: ignore[assignment]
        return load.load_text(text, "spec.yml")
    except CompileError as exc:
        return [str(d) for d in exc.diagnostics]
    finally:
        load._load_events = events  # type: ignore[assignment]


def _decline(text: str, display: str) -> load.Document:
    raise load._Fallback


def assert_same(text: str) -> bool:
    """True when the event path took the document (and then built exactly what the node path builds)."""
    try:
        fast = load._load_events(text, "spec.yml")
    except (load._Fallback, load.yaml.YAMLError):
        return False
    slow = node_path(text)
    assert isinstance(slow, load.Document), slow
    assert repr(fast.data) == repr(slow.data)  # repr: NaN equals itself, and types show (1 vs 1.0 vs True)
    assert list(fast.spans.items()) == list(slow.spans.items())
    assert list(fast.key_spans.items()) == list(slow.key_spans.items())
    return True


@pytest.mark.parametrize("path", EXAMPLES + INVALID, ids=lambda p: p.stem)
def test_specs_load_identically(path: Path) -> None:
    try:
        text = load.read_text(path, path.name)
    except CompileError:
        return  # not text at all: never reaches either path
    taken = assert_same(text)
    if path in EXAMPLES:
        assert taken


def test_large_spec_takes_the_event_path() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from synth import synth

    assert assert_same(synth(300))


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "<<: {a: 1}\n",
        "a: 1\na: 2\n",
        "? [a]\n: 1\n",
        "",
        "# only a comment\n",
        "a: 1\n---\nb: 2\n",
        "a: " + "9" * 500 + "\n",
        "a: [" * 70 + "]" * 70 + "\n",
        "a: b: c\n",
    ],
)
def test_declines_what_the_node_path_reports(text: str) -> None:
    assert not assert_same(text)


SCALARS = ["1", "-2", "0o17", "0x1F", "1.5", ".inf", "-.Inf", ".nan", "1e3", "true", "False", "null", "~", ""]
SCALARS += ["x", "'q'", '"d"', "yes", "a b", "3.0", "+1", "007"]
scalar_text = st.sampled_from(SCALARS)
keys = st.sampled_from(["a", "b", "1", "true", "null", "k k", "'q'"])


def _yaml(node: object, indent: int = 0) -> str:
    pad = " " * indent
    if isinstance(node, dict):
        if not node:
            return "{}"
        return "".join(f"\n{pad}{k}: {_yaml(v, indent + 2)}" for k, v in node.items())
    if isinstance(node, list):
        if not node:
            return "[]"
        return "[" + ", ".join(_yaml(v) if not isinstance(v, dict) else "{}" for v in node) + "]"
    return str(node)


trees = st.recursive(
    scalar_text,
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(keys, children, max_size=3)),
    max_leaves=15,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(keys, trees, min_size=1, max_size=4))
def test_random_documents_load_identically(tree: dict[str, object]) -> None:
    assert_same(_yaml(tree).lstrip("\n") + "\n")
