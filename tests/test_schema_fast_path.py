"""The compiled schema (fast path for large specs) and jsonschema agree on what is valid."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from generator import schema
from generator.diagnostics import CompileError
from generator.load import load_file
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
def test_fast_and_full_validators_agree(path: Path) -> None:
    doc = load_file(path)
    assert len(LOADABLE) > len(EXAMPLES) + 50
    assert schema.fast_accepts(doc.data) == full_accepts(doc.data)


def test_large_spec_takes_the_fast_path_and_still_reports_errors(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from synth import synth

    text = synth(2000)
    assert len(text) > schema.FAST_PATH_BYTES
    good = tmp_path / "good.yml"
    good.write_text(text)
    assert list(schema.validate(load_file(good))) == []
    bad = tmp_path / "bad.yml"
    bad.write_text(text.replace("version: 1", "version: 1\nunknown_key: 1", 1))
    found = list(schema.validate(load_file(bad)))
    assert [d.code for d in found] == ["schema/unknown-key"]
