"""The quoting filters of the text targets round-trip any string through the real parsers' rules."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.targets._templates import alloy_str, comment, go_template_literal, yaml_str
from tests.alloy_syntax import parse

TEXT = st.text(max_size=60)


@settings(max_examples=150, deadline=None)
@given(TEXT)
def test_yaml_str_round_trips(value: str) -> None:
    doc = yaml.safe_load(f"key: {yaml_str(value)}\nnext: 1\n")
    assert doc == {"key": value, "next": 1}


@settings(max_examples=150, deadline=None)
@given(TEXT)
def test_alloy_str_round_trips(value: str) -> None:
    root = parse(f'a "b" {{\n  x = {alloy_str(value)}\n  y = 1\n}}\n')
    assert root.blocks[0].attrs == {"x": value, "y": 1}


@settings(max_examples=150, deadline=None)
@given(TEXT)
def test_comment_stays_on_one_line(value: str) -> None:
    assert len(f"# {comment(value)}".splitlines()) == 1
    assert yaml.safe_load(f"# {comment(value)}\nk: 1\n") == {"k": 1}


def test_go_template_literal_wraps_only_template_text() -> None:
    assert go_template_literal("[EMAIL_REDACTED]") == "[EMAIL_REDACTED]"
    assert go_template_literal('{{ .Value }} "x"') == '{{ "{{ .Value }} \\"x\\"" }}'
