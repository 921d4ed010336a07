"""Every limit on hostile input ends in one clear, positioned message (and never in a traceback).

Cases already in the invalid-spec corpus are not repeated here: alias-bomb (alias expansion),
too-deep and deep-flow-nesting (nesting), non-utf8-bytes (encoding), yaml11-scheme-no and
yaml11-inclusive-yes (YAML 1.1 booleans), number-too-many-digits (huge integers); nor the YAML 1.2
scalar table of tests/test_loader.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from generator import schema
from generator.compile import compile_specs
from generator.diagnostics import CompileError
from generator.load import MAX_FILE_BYTES, Document, load_file, load_text
from tests.conftest import MINIMAL_SPEC


def _messages(text: str) -> list[str]:
    try:
        doc = load_text(text, "s.yml")
    except CompileError as exc:
        return [f"{d.span}: [{d.code}] {d.message}" for d in exc.diagnostics]
    return [f"{d.span}: [{d.code}] {d.message}" for d in schema.validate(doc)]


def test_file_size(tmp_path: Path) -> None:
    spec = tmp_path / "big.yml"
    spec.write_bytes(MINIMAL_SPEC.encode() + b"#" * (MAX_FILE_BYTES - len(MINIMAL_SPEC) + 1))
    with pytest.raises(CompileError) as exc:
        load_file(spec, "big.yml")
    [diag] = exc.value.diagnostics
    assert f"{diag.span}: [{diag.code}] {diag.message}" == (
        "big.yml:1:1: [load/too-large] the spec is 10,485,761 bytes, more than the 10,485,760 allowed"
    )


def test_huge_file_is_not_read_whole(tmp_path: Path) -> None:
    """A 64 GiB sparse file is refused after reading at most the limit (it would not fit in memory)."""
    spec = tmp_path / "sparse.yml"
    with open(spec, "wb") as fh:
        fh.truncate(64 * 1024**3)
    with pytest.raises(CompileError) as exc:
        load_file(spec, "sparse.yml")
    assert exc.value.diagnostics[0].message == ("the spec is 68,719,476,736 bytes, more than the 10,485,760 allowed")


def test_number_of_indicators() -> None:
    """More than 10,000 indicators is several specs' worth (see bench/ for how 10,000 compile).

    The indicators' own shape is not what is tested (and checking 10,001 of them is slow), so
    the real schema is used with their bodies left unchecked.
    """
    full = json.loads(schema.schema_text())
    assert full["properties"]["indicators"]["maxProperties"] == 10_000
    full["properties"]["indicators"]["additionalProperties"] = True
    base = yaml.safe_load(MINIMAL_SPEC)
    data = {**base, "indicators": {f"i{n}": {} for n in range(10_001)}}
    doc = Document("s.yml", "", data, {(): (1, 1, 1, 1)}, {})
    [diag] = [schema.describe(e, doc) for e in Draft202012Validator(full).iter_errors(data)]
    assert (diag.code, diag.message, diag.hint) == (
        "schema/too-long",
        "indicators has 10,001 entries, more than the 10,000 allowed",
        "split the service into several specs",
    )


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "  depth2: {gauge: {metric: depth}, thresholds: {critical: 10}, description: '" + "d" * 8193 + "'}\n",
            "s.yml:7:77: [schema/too-long] indicators.depth2.description has 8,193 characters, "
            "more than the 8,192 allowed",
        ),
        (
            "  raw: {expr: 'up" + " " * 16_383 + "', thresholds: {critical: 10}}\n",
            "s.yml:7:15: [schema/too-long] indicators.raw.expr has 16,385 characters, more than the 16,384 allowed",
        ),
        (
            "  " + "n" * 101 + ": {gauge: {metric: depth}, thresholds: {critical: 10}}\n",
            "s.yml:7:3: [schema/too-long] indicators: the name '"
            + "n" * 40
            + "... (101 characters)' is longer than the 100 characters allowed",
        ),
        (
            "  lab: {gauge: {metric: depth}, thresholds: {critical: 10}, labels: {" + "l" * 201 + ": x}}\n",
            "s.yml:7:70: [schema/too-long] indicators.lab.labels: the name '"
            + "l" * 40
            + "... (201 characters)' is longer than the 200 characters allowed",
        ),
        (
            "  val: {gauge: {metric: depth}, thresholds: {critical: 10}, labels: {team: '" + "v" * 1025 + "'}}\n",
            "s.yml:7:76: [schema/too-long] indicators.val.labels.team has 1,025 characters, "
            "more than the 1,024 allowed",
        ),
    ],
    ids=["description", "expression", "indicator-name", "label-name", "label-value"],
)
def test_string_lengths(extra: str, expected: str) -> None:
    assert expected in _messages(MINIMAL_SPEC + extra)


def test_metric_name_length() -> None:
    text = MINIMAL_SPEC.replace("metrics: {depth: {type: gauge}}", "metrics: {" + "m" * 201 + ": {type: gauge}}")
    assert _messages(text)[0] == (
        "s.yml:4:11: [schema/too-long] metrics: the name '" + "m" * 40 + "... (201 characters)' is longer "
        "than the 200 characters allowed"
    )


def test_messages_stay_on_one_line() -> None:
    """A value with a newline is shown escaped: each diagnostic is one `file:line:col:` line."""
    text = MINIMAL_SPEC.replace("service: {name: svc, job: svc}", 'service: {name: "s\\nv\\u2028c", job: svc}')
    [msg] = _messages(text)
    assert msg == "s.yml:2:17: [schema/pattern] service.name: 's\\nv\\u2028c' is not valid here"


def test_bom_is_accepted_and_positions_unchanged(tmp_path: Path) -> None:
    spec = tmp_path / "bom.yml"
    spec.write_bytes(b"\xef\xbb\xbf" + MINIMAL_SPEC.replace("version: 1", "version: 2").encode())
    result = compile_specs([spec])
    [diag] = result.diagnostics
    assert (diag.span.line, diag.span.col, diag.code) == (1, 10, "schema/const") if diag.span else False
    spec.write_bytes(b"\xef\xbb\xbf" + MINIMAL_SPEC.encode())
    assert compile_specs([spec]).ok


@pytest.mark.parametrize(
    ("bom", "name"), [(b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"), (b"\xff\xfe\x00\x00", "UTF-32")]
)
def test_utf16_and_utf32_are_named(tmp_path: Path, bom: bytes, name: str) -> None:
    spec = tmp_path / "wide.yml"
    codec = {"UTF-16": "utf-16-le" if bom == b"\xff\xfe" else "utf-16-be", "UTF-32": "utf-32-le"}[name]
    spec.write_bytes(bom + MINIMAL_SPEC.encode(codec))
    with pytest.raises(CompileError) as exc:
        load_file(spec, "wide.yml")
    [diag] = exc.value.diagnostics
    assert (diag.code, diag.message, diag.hint) == (
        "load/encoding",
        f"the spec is {name} encoded, not UTF-8",
        "save the file as UTF-8",
    )


def test_yaml11_surprises_end_to_end(tmp_path: Path) -> None:
    """`on`/`no` stay strings, 1e3 and 0777 are the decimal numbers they look like, 12:30 is no duration."""
    spec = tmp_path / "s.yml"
    spec.write_text(
        MINIMAL_SPEC.replace("{critical: 10}", "{critical: 1e3}, labels: {enabled: on, paged: no}")
        + "  octal: {gauge: {metric: depth}, thresholds: {critical: 0777}}\n"
    )
    result = compile_specs([spec])
    assert result.ok, result.diagnostics
    rules = yaml.safe_load(result.files["svc/prometheus/rules.yml"])
    alerts = {r["alert"]: r for g in rules["groups"] for r in g["rules"] if "alert" in r}
    assert alerts["DepthCritical"]["expr"].endswith("> 1000")
    assert alerts["OctalCritical"]["expr"].endswith("> 777")
    assert (alerts["DepthCritical"]["labels"]["enabled"], alerts["DepthCritical"]["labels"]["paged"]) == ("on", "no")
    spec.write_text(MINIMAL_SPEC.replace("{critical: 10}", "{critical: 10}, for: 12:30"))
    [diag] = compile_specs([spec]).diagnostics
    assert (diag.code, diag.message) == ("schema/duration", "indicators.depth.for: '12:30' is not a valid duration")
