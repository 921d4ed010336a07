"""Hostile text in a spec stays data: it cannot break out of PromQL, Go templates, YAML or JSON,
and names cannot steer files out of the output directory.

Each test generates from a spec full of quotes, backslashes, newlines, `$`, `{{ }}` and YAML
syntax, parses the output back with the consumers' grammars (promql-parser, YAML, promtool) and
compares the values with what the spec said.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import promql_parser as pp
import pytest
import yaml

from generator import write
from generator.compile import compile_specs
from generator.promql_check import parse as parse_promql

JOB = 'sh"op\\ {x} \n$1 `}'
TEAM = 'pay"ments\\ \n $x }} #: - &a'
REGEX = '5"..\\d|}\n'
TITLE = "Errors }} {{ \" ' \\ ${HOME}"
SUMMARY = 'Quote " back \\ newline \n dollar $value {{ "{{" }} done'
NOTE = "line1\nline2: value # not a comment\n- not a list\n---\n..."

HOSTILE = {
    "version": 1,
    "service": {"name": "shop", "title": "Shop {{ $value }} $HOME", "job": JOB, "labels": {"team": TEAM}},
    "defaults": {
        "runbook_url": "https://runbooks.example.com/{runbook}",
        "grafana_url": "https://grafana.example.com/{{x}}",
    },
    "severities": {"critical": {}},
    "metrics": {"req_total": {"type": "counter", "labels": ["code"]}},
    "indicators": {
        "errors": {
            "title": TITLE,
            "rate": {"metric": {"metric": "req_total", "filter": {"code": {"match": REGEX}}}, "window": "5m"},
            "runbook": "x{{ y",
            "thresholds": {"critical": 1},
            "summary": SUMMARY,
            "annotations": {"note": NOTE},
            "labels": {"tier": 'a"}b'},
            "absent": True,
        },
        "plain": {"rate": {"metric": "req_total", "window": "5m"}, "thresholds": {"critical": 1}},
    },
}


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    spec = folder / "hostile.yml"
    spec.write_text(json.dumps(HOSTILE))  # JSON is YAML: the strings arrive exactly as written here
    result = compile_specs([spec])
    assert result.ok, result.diagnostics
    out = folder / "out"
    write.write_tree(out, result.files)
    return out / "shop" / "prometheus"


def _rules(out: Path) -> dict[str, dict]:
    doc = yaml.safe_load((out / "rules.yml").read_text("utf-8"))
    return {r.get("alert") or r["record"]: r for g in doc["groups"] for r in g["rules"]}


def _matchers(expr: str) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}

    def visit(node: object) -> None:
        if isinstance(node, pp.VectorSelector):
            for m in node.matchers.matchers:
                found[m.name] = (str(m.op), m.value)

    pp.walk(pp.parse(expr), visit)
    return found


def test_promql_matchers_keep_values_exactly(hostile_out: Path) -> None:
    rules = _rules(hostile_out)
    record = next(r for name, r in rules.items() if name.endswith(":rate5m") and "errors" in name)
    parse_promql(record["expr"])
    matchers = _matchers(record["expr"])
    assert matchers["job"][1] == JOB
    assert matchers["code"][1] == REGEX
    assert set(matchers) == {"job", "code"}, "a value broke out of its matcher"


def test_annotations_and_labels_round_trip(hostile_out: Path) -> None:
    alert = _rules(hostile_out)["ErrorsCritical"]
    assert alert["annotations"]["summary"] == SUMMARY
    assert alert["annotations"]["note"] == NOTE
    assert alert["labels"]["team"] == TEAM
    assert alert["labels"]["tier"] == 'a"}b'
    # Literal text is escaped for Go's template engine, never passed through as an action.
    assert alert["annotations"]["runbook_url"] == 'https://runbooks.example.com/x{{ "{{" }} y'
    assert '{{ "{{" }}x}}' in alert["annotations"]["dashboard_url"]
    assert '{{ "{{" }}' in alert["annotations"]["description"]  # the title's braces


def test_prometheus_yml_keeps_job_name(hostile_out: Path) -> None:
    config = yaml.safe_load((hostile_out / "prometheus.yml").read_text("utf-8"))
    assert config["scrape_configs"][0]["job_name"] == JOB


def test_promtool_accepts_and_proves_hostile_output(hostile_out: Path, promtool: str) -> None:
    for args in (
        ["check", "rules", "rules.yml"],
        ["check", "config", "--syntax-only", "prometheus.yml"],
        ["test", "rules", "rules.test.yml"],
    ):
        proc = subprocess.run([promtool, *args], cwd=hostile_out, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_yaml_strings_a_yaml12_reader_would_retype_are_quoted() -> None:
    text = write.dump_yaml({"a": "1e3", "b": "0o17", "c": "on", "d": "-1e-3", "e": "plain"})
    assert text == "a: '1e3'\nb: '0o17'\nc: 'on'\nd: '-1e-3'\ne: plain\n"


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        ("../evil", "schema/pattern", "service.name: '../evil' is not valid here"),
        ("/etc", "schema/pattern", "service.name: '/etc' is not valid here"),
        (".", "schema/pattern", "service.name: '.' is not valid here"),
        (
            "nul",
            "names/file-name",
            "service.name names a folder under the output directory, but 'nul' is a device name reserved on Windows",
        ),
        (
            "lpt1",
            "names/file-name",
            "service.name names a folder under the output directory, but 'lpt1' is a device name reserved on Windows",
        ),
    ],
)
def test_service_names_cannot_escape_out(tmp_path: Path, name: str, code: str, message: str) -> None:
    spec = tmp_path / "s.yml"
    spec.write_text(json.dumps({**HOSTILE, "service": {"name": name, "job": "j"}}))
    result = compile_specs([spec])
    assert [(d.code, d.message) for d in result.diagnostics if d.severity.name == "ERROR"] == [(code, message)]
    assert result.files == {}


@pytest.mark.parametrize(
    ("rel", "why"),
    [
        ("../outside.yml", "'..' is not a file name"),
        ("a/../../outside.yml", "'..' is not a file name"),
        ("/etc/passwd", "it is absolute"),
        ("C:/x.yml", "it is absolute"),
        ("a/./b.yml", "'.' is not a file name"),
        ("a//b.yml", "'' is not a file name"),
        ("a\\..\\b.yml", "'a\\..\\b.yml' contains a path separator"),
        ("svc/CON.yml", "'CON.yml' is a device name reserved on Windows"),
        ("svc/a\x00b", "the name contains a control character"),
    ],
)
def test_writer_refuses_paths_outside_out(tmp_path: Path, rel: str, why: str) -> None:
    out = tmp_path / "out"
    write.write_tree(out, {"keep.yml": b"old\n"})
    with pytest.raises(write.UnsafeOutputPath) as exc:
        write.write_tree(out, {"ok.yml": b"x\n", rel: b"evil\n"})
    assert str(exc.value) == f"refusing to write {rel!r} under the output directory: {why}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert [p.name for p in out.iterdir()] == ["keep.yml"]


def test_writer_refuses_symlinked_escape(tmp_path: Path) -> None:
    """Even a path that is plain text but resolves elsewhere (a symlink in the way) is refused."""
    staging = tmp_path / "staging"
    staging.mkdir()
    (staging / "link").symlink_to(tmp_path)
    with pytest.raises(write.UnsafeOutputPath, match="resolves outside the output directory"):
        write._inside(staging, "link/escaped.yml")
