"""The invalid-spec corpus: every malformed spec is rejected with the exact diagnostic we promise.

Each case under tests/invalid (see tests/regen_invalid.py for the layout) must make
`monspec generate` exit 2, print exactly its .expected text on stderr, never a traceback, and leave
an existing output directory byte-for-byte untouched, with no staging directory left beside it.
When a message changes on purpose, run `python tests/regen_invalid.py` and review the diff.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("regen_invalid", Path(__file__).with_name("regen_invalid.py"))
assert _spec is not None and _spec.loader is not None
regen = importlib.util.module_from_spec(_spec)
sys.modules["regen_invalid"] = regen
_spec.loader.exec_module(regen)

ROOT: Path = regen.ROOT
INVALID: Path = regen.INVALID
CASES = regen.cases()
MIN_CASES = 30

# An output tree from an earlier run; a rejected spec must not touch a byte of it.
SENTINEL: dict[str, bytes] = {
    "README.txt": b"sentinel: written before the failing run\n",
    "shop/prometheus/rules.yml": b"# stale rules of a previous generate\ngroups: []\n",
    "shop/prometheus/blob.bin": bytes(range(256)),
}

# The head of one diagnostic: file:line:col: severity [code] message
HEAD = re.compile(
    r"^(?P<file>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning) "
    r"\[(?P<code>[a-z0-9-]+/[a-z0-9-]+)\] (?P<message>.+)$"
)
SUMMARY = re.compile(r"^\d+ error\(s\), \d+ warning\(s\)$")
HINT = "     = hint: "


def _snapshot(root: Path) -> tuple[dict[str, bytes], set[str]]:
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    dirs = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}
    return files, dirs


def _plant_sentinel(out: Path) -> None:
    for rel, data in SENTINEL.items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _diagnostics(expected: str) -> list[dict[str, str | None]]:
    """The diagnostics of a human-format .expected: head fields plus the hint, in order."""
    found: list[dict[str, str | None]] = []
    for line in expected.splitlines():
        m = HEAD.match(line)
        if m:
            found.append({**m.groupdict(), "hint": None})
        elif line.startswith(HINT) and found:
            found[-1]["hint"] = line[len(HINT) :]
    return found


def _case(name: str) -> regen.Case:
    return next(c for c in CASES if c.name == name)


# --- the corpus --------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_generate_rejects_spec_and_keeps_out(case: regen.Case, tmp_path: Path) -> None:
    regen_cmd = f"python tests/regen_invalid.py {case.name}"
    assert case.expected.is_file(), f"missing {case.expected.name}: run `{regen_cmd}`"
    expected = case.expected.read_bytes()
    out = tmp_path / "out"
    _plant_sentinel(out)
    before = _snapshot(out)
    inode = out.stat().st_ino

    proc = regen.monspec("generate", *case.specs, "--out", str(out))

    stdout, stderr = proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stdout + stderr, stderr
    assert proc.returncode == regen.EXIT_INVALID, stderr
    assert stderr == expected.decode("utf-8"), f"diagnostics of {case.name} changed; if on purpose, run `{regen_cmd}`"
    assert proc.stdout == b""
    assert _snapshot(out) == before, "the output tree was modified by a rejected spec"
    assert out.stat().st_ino == inode, "the output directory was replaced by a rejected spec"
    assert sorted(os.listdir(tmp_path)) == ["out"], "a staging directory was left beside out/"


def test_corpus_is_large_and_complete() -> None:
    assert len(CASES) >= MIN_CASES, f"only {len(CASES)} invalid-spec cases"
    specs = sorted(INVALID.glob("*.yml"))
    missing = [p.name for p in specs if not p.with_suffix(".expected").is_file()]
    assert not missing, f"specs without .expected: {missing}"
    names = {c.name for c in CASES}
    orphans = [p.name for p in INVALID.glob("*.expected") if p.stem not in names]
    assert not orphans, f".expected files without a spec: {orphans}"
    multi = [c for c in CASES if not (INVALID / f"{c.name}.yml").is_file()]
    assert all(len(c.specs) >= 2 for c in multi), "a directory case must hold at least two specs"
    assert any(multi), "the corpus has no multi-spec case (duplicate service across specs)"


def test_expected_files_are_diagnostics() -> None:
    """Every .expected holds at least one error at a position in its own spec, and ends with the summary."""
    for case in CASES:
        text = case.expected.read_text("utf-8")
        assert text.endswith("\n") and SUMMARY.match(text.splitlines()[-1]), case.name
        diags = _diagnostics(text)
        assert any(d["severity"] == "error" for d in diags), case.name
        assert {d["file"] for d in diags} <= set(case.specs), case.name


# --- other output formats ----------------------------------------------------------------------

PARSABLE_CASES = ["unknown-key-top-level", "several-semantic-errors-collected", "version-2"]


@pytest.mark.parametrize("name", PARSABLE_CASES)
def test_parsable_format(name: str) -> None:
    case = _case(name)
    proc = regen.validate(case, "parsable")
    assert proc.returncode == regen.EXIT_INVALID
    # The diagnostics are the result (standard output); the count line is a message (standard error).
    lines = proc.stdout.decode("utf-8").splitlines()
    assert SUMMARY.match(proc.stderr.decode("utf-8").strip())
    want = _diagnostics(case.expected.read_text("utf-8"))
    assert len(lines) == len(want)
    for line, d in zip(lines, want, strict=True):
        head = f"{d['file']}:{d['line']}:{d['col']}: {d['severity']} [{d['code']}] {d['message']}"
        assert line == head + (f" (hint: {d['hint']})" if d["hint"] else "")
        assert HEAD.match(line)


def test_parsable_format_exact_line() -> None:
    proc = regen.validate(_case("unknown-key-top-level"), "parsable")
    assert proc.stdout.decode("utf-8").splitlines()[0] == (
        "tests/invalid/unknown-key-top-level.yml:7:1: error [schema/unknown-key] "
        "the spec: unknown key 'indicator' (hint: did you mean 'indicators'?)"
    )


@pytest.mark.parametrize("name", ["several-errors-collected", "version-2"])
def test_json_format(name: str) -> None:
    case = _case(name)
    proc = regen.validate(case, "json")
    assert proc.returncode == regen.EXIT_INVALID
    assert proc.stderr == b""  # nothing but the JSON, and that on standard output
    got = json.loads(proc.stdout)
    want = _diagnostics(case.expected.read_text("utf-8"))
    assert isinstance(got, list) and len(got) == len(want)
    for item, d in zip(got, want, strict=True):
        assert {"file", "line", "column", "code", "message", "hint", "severity"} <= set(item)
        assert isinstance(item["line"], int) and isinstance(item["column"], int)
        fields = ("file", "line", "column", "severity", "code", "message", "hint")
        line, col = int(str(d["line"])), int(str(d["col"]))
        assert tuple(item[k] for k in fields) == (
            d["file"],
            line,
            col,
            d["severity"],
            d["code"],
            d["message"],
            d["hint"],
        )


def test_json_format_exact_fields() -> None:
    proc = regen.validate(_case("unknown-key-scrape"), "json")
    assert proc.returncode == regen.EXIT_INVALID
    [item] = json.loads(proc.stdout)
    assert {k: item[k] for k in ("file", "line", "column", "severity", "code", "message", "hint")} == {
        "file": "tests/invalid/unknown-key-scrape.yml",
        "line": 7,
        "column": 5,
        "severity": "error",
        "code": "schema/unknown-key",
        "message": "service.scrape: unknown key 'interal'",
        "hint": "did you mean 'interval'?",
    }


# --- known compiler bugs -----------------------------------------------------------------------
# Malformed specs the compiler does not yet reject with a positioned diagnostic, so they cannot join
# the corpus (regen_invalid.py refuses a spec that exits 0). Strict xfail: once a bug is fixed the
# test XPASSes and fails the run; then move the spec into tests/invalid/ and regenerate.
