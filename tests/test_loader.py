"""The loader keeps every position and reads YAML the way a spec author means it."""

from __future__ import annotations

import pytest

from generator.diagnostics import CompileError
from generator.load import load_text


def test_positions_are_one_based_for_values_and_keys() -> None:
    doc = load_text("a:\n  b: [1, {c: x}]\n", "s.yml")
    span = doc.span(("a", "b", 1, "c"))
    assert (span.line, span.col) == (2, 14)
    key = doc.key_span(("a", "b"))
    assert (key.line, key.col) == (2, 3)
    assert doc.span(("a", "missing", 3)) == doc.span(("a",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v: no", "no"),
        ("v: on", "on"),
        ("v: yes", "yes"),
        ("v: 12:30", "12:30"),
        ("v: 1e3", 1000.0),
        ("v: 0777", 777),
        ("v: 0x1F", 31),
        ("v: true", True),
        ("v: ~", None),
        ("v: .inf", float("inf")),
        ("v: 1.5", 1.5),
        ("v: '5'", "5"),
    ],
)
def test_yaml_12_core_scalars(text: str, expected: object) -> None:
    assert load_text(text, "s.yml").data["v"] == expected


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("a: 1\nb:\n  c: 1\n  c: 2\n", "load/duplicate-key", 4),
        ("a: [1\n", "load/yaml", 2),
        ("a: !!python/object:os.system x\n", "load/unknown-tag", 1),
        ("", "load/empty", 1),
        ("a: &x 1\n<<: {b: 2}\n", "load/merge-key", 2),
    ],
)
def test_load_errors(text: str, code: str, line: int) -> None:
    with pytest.raises(CompileError) as exc:
        load_text(text, "s.yml")
    diag = exc.value.diagnostics[0]
    assert diag.code == code
    assert diag.span is not None and diag.span.line == line


def test_alias_expansion_is_bounded() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [{', '.join(['*a' + str(i - 1)] * 10)}]")
    with pytest.raises(CompileError) as exc:
        load_text("\n".join(lines) + "\n", "bomb.yml")
    assert exc.value.diagnostics[0].code == "load/too-large"
