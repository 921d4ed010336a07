"""Offsets inside a YAML scalar map to the spec's text in every style YAML writes a string in."""

from __future__ import annotations

import yaml
from hypothesis import given
from hypothesis import strategies as st

from generator.load import load_text
from generator.load.scalar_offsets import offsets

STYLES = (None, '"', "'", "|", ">")


@given(
    st.text(alphabet=st.sampled_from([*list("ab {}()[]\"'\\:#,=~-\n\t"), "é", "\x07"]), min_size=1, max_size=40),
    st.sampled_from(STYLES),
)
def test_every_character_maps_to_its_source(value: str, style: str | None) -> None:
    text = yaml.dump({"expr": value}, default_style=style, allow_unicode=True, width=20)
    doc = load_text(text, "s.yml")
    loaded = doc.get(("expr",))
    line, col, end_line, end_col = doc.spans[("expr",)]
    lines = text.split("\n")
    first = sum(len(lines[i]) + 1 for i in range(line - 1)) + col - 1
    last = sum(len(lines[i]) + 1 for i in range(end_line - 1)) + end_col - 1
    where = offsets(text, first, last, loaded)
    if where is None:  # a corner the decoder does not model is reported as such, never guessed
        return
    assert len(where) == len(loaded) + 1
    assert where == sorted(where)
    for ch, pos in zip(loaded, where, strict=False):
        source = text[pos]
        escaped = source == "\\" and text[first] == '"'  # a double-quoted escape maps to its backslash
        assert source == ch or escaped or ch in " \n", (pos, ch)


def test_the_styles_of_one_expression() -> None:
    spec = (
        "a:\n"
        "  plain: sum(x) by instance\n"
        '  double: "sum(x{a=\\"b\\"}) by \\x69nstance"\n'
        "  single: 'sum(x{a=''b''}) by instance'\n"
        "  literal: |\n"
        "    sum(x)\n"
        "      by instance\n"
        "  folded: >-\n"
        "    sum(x)\n"
        "    by instance\n"
        "  multi: sum(x)\n"
        "    by instance\n"
    )
    doc = load_text(spec, "s.yml")
    lines = spec.split("\n")
    for key in ("plain", "double", "single", "literal", "folded", "multi"):
        value = doc.get(("a", key))
        start = value.index("nstance") - 1
        span = doc.inner_span(("a", key), start, start + 8)
        shown = lines[span.line - 1][span.col - 1 : span.end_col - 1]
        assert shown in ("instance", "\\x69nstance"), (key, span, shown)
