"""What docs/*.md shows of generated output is what monspec generates.

Each example spec in the docs is compiled, and each output block (an excerpt of a generated file,
a list of files, what `monspec import` prints) is compared with the real output; see
tests/doc_examples.py for the markers. A block that shows generated output without a marker
fails the last test, so a new claim cannot go untested.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, run_monspec
from tests.doc_examples import Block, blocks, excerpt_mismatch, merge, select, unmarked_blocks

BLOCKS = blocks()
EXAMPLES = {b.args[0]: b for b in BLOCKS if b.kind == "example"}
# Top-level keys of generated files: a block holding one shows output and must be checked.
GENERATED_KEYS = {"groups", "route", "receivers", "inhibit_rules", "scrape_configs", "rule_files", "tests"}
GENERATED_KEYS |= {"evaluation_interval", "templating", "panels", "filebeat.inputs", "positions", "clients"}


def _spec(source: str) -> dict:
    if source in EXAMPLES:
        block = EXAMPLES[source]
        own = yaml.safe_load(block.body)
        base = next((a.split("=", 1)[1] for a in block.args[1:] if a.startswith("extends=")), None)
        return merge(_spec(base), own) if base else own
    return yaml.safe_load((ROOT / source).read_text("utf-8"))


@cache
def _generated(source: str, tmp: str) -> Path:
    root = Path(tmp) / source.replace("/", "_")
    root.mkdir(parents=True, exist_ok=True)
    spec = root / "spec.yml"
    spec.write_text(yaml.safe_dump(_spec(source), sort_keys=False, allow_unicode=True), "utf-8")
    proc = run_monspec("generate", str(spec), "--out", str(root / "out"))
    assert proc.returncode == 0, f"{source}: {proc.stderr}"
    return root / "out"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("docs"))


def _load(path: Path) -> object:
    text = path.read_text("utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


def _ids(kind: str) -> list[Block]:
    return [b for b in BLOCKS if b.kind == kind]


def test_the_docs_have_examples_and_outputs() -> None:
    assert len(_ids("example")) >= 5 and len(_ids("output")) >= 10
    for block in _ids("output") + _ids("files"):
        source = block.args[0]
        assert source in EXAMPLES or (ROOT / source).is_file(), f"{block.where}: no example or spec {source!r}"


@pytest.mark.parametrize("block", _ids("example"), ids=lambda b: b.where)
def test_example_specs_are_valid(block: Block, scratch: str) -> None:
    _generated(block.args[0], scratch)


@pytest.mark.parametrize("block", _ids("output"), ids=lambda b: b.where)
def test_output_blocks_are_what_is_generated(block: Block, scratch: str) -> None:
    exact = "--exact" in block.args  # the whole value, not an excerpt
    source, file, *query = (a for a in block.args if a != "--exact")
    path = _generated(source, scratch) / file
    assert path.is_file(), f"{block.where}: {file} is not generated"
    if block.lang not in ("yaml", "json"):
        assert block.body in path.read_text("utf-8"), f"{block.where}: not verbatim in {file}"
        return
    header = [line for line in block.body.splitlines() if line.startswith("# Code generated")]
    if header:
        assert path.read_text("utf-8").splitlines()[0] == header[0], f"{block.where}: the header differs"
    actual = select(_load(path), query[0] if query else "")
    shown = yaml.safe_load(block.body)
    why = (None if shown == actual else f"{shown!r} in the docs, {actual!r} generated") if exact else None
    why = why or (None if exact else excerpt_mismatch(shown, actual))
    assert why is None, f"{block.where}: {why}"


@pytest.mark.parametrize("block", _ids("files"), ids=lambda b: b.where)
def test_file_lists_are_what_is_generated(block: Block, scratch: str) -> None:
    out = _generated(block.args[0], scratch)
    prefix = block.args[1] if len(block.args) > 1 else ""
    listed = sorted(line.strip() for line in block.body.splitlines() if line.strip())
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert listed == [w for w in written if w.startswith(prefix)], block.where


@pytest.mark.parametrize("block", _ids("import-output"), ids=lambda b: b.where)
def test_import_output_is_what_import_prints(block: Block, tmp_path: Path) -> None:
    for given in _ids("import-input"):
        if given.doc == block.doc:
            (tmp_path / given.args[0]).write_text(given.body, "utf-8")
    proc = run_monspec("import", *block.args, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    why = excerpt_mismatch(yaml.safe_load(block.body), yaml.safe_load(proc.stdout))
    assert why is None, f"{block.where}: {why}"


def test_every_block_that_shows_output_is_checked() -> None:
    unchecked = []
    for doc, line, lang, body in unmarked_blocks():
        if lang not in ("yaml", "json", ""):
            continue
        try:
            data = yaml.safe_load(body)
        except yaml.YAMLError:
            continue
        if not isinstance(data, dict) or isinstance(data.get("groups"), dict):  # a spec's own `groups`
            data = {}
        if set(data) & GENERATED_KEYS or body.lstrip().startswith("# out/"):
            unchecked.append(f"docs/{doc}:{line}")
    assert unchecked == []
