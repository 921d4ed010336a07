"""Exit codes and output of the command line: 0 ok, 1 check/test failed, 2 invalid spec or usage."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from tests.conftest import EXAMPLES, MINIMAL_SPEC, run_monspec


def test_validate_examples_prints_its_summary_line() -> None:
    proc = run_monspec("validate", *map(str, EXAMPLES))
    assert proc.returncode == 0
    assert proc.stdout == ""
    m = re.fullmatch(
        r"(\d+) spec file\(s\) valid: (\d+) indicator\(s\), (\d+) alert\(s\), (\d+) warning\(s\)\n", proc.stderr
    )
    assert m, proc.stderr
    assert int(m.group(1)) == len(EXAMPLES)
    assert int(m.group(2)) == sum(len(yaml.safe_load(p.read_text()).get("indicators") or {}) for p in EXAMPLES)
    assert int(m.group(3)) > int(m.group(2))
    assert int(m.group(4)) == 0


def test_summary_counts_warnings_and_quiet_silences_it(tmp_path: Path) -> None:
    spec = tmp_path / "s.yml"
    spec.write_text(MINIMAL_SPEC + "alerts:\n  Raw: {expr: 'depth > 1', severity: critical}\n")
    proc = run_monspec("validate", str(spec))
    assert proc.returncode == 0
    assert proc.stderr.endswith("1 spec file(s) valid: 1 indicator(s), 2 alert(s), 1 warning(s)\n"), proc.stderr
    quiet = run_monspec("validate", "--quiet", str(spec))
    assert quiet.returncode == 0 and quiet.stdout == ""
    assert "warning [alerts/untested]" in quiet.stderr and "valid:" not in quiet.stderr
    good = tmp_path / "good.yml"
    good.write_text(MINIMAL_SPEC)
    for args in (["validate", "-q", str(good)], ["generate", "-q", str(good), "--out", str(tmp_path / "out")]):
        silent = run_monspec(*args)
        assert (silent.returncode, silent.stdout, silent.stderr) == (0, "", ""), args
    check = run_monspec("generate", "--check", "--quiet", str(good), "--out", str(tmp_path / "out"))
    assert (check.returncode, check.stdout, check.stderr) == (0, "", "")


def test_json_report_redirected_to_a_file_is_parseable(tmp_path: Path) -> None:
    """`validate --format json spec.yml > report.json`, through a shell, as CI runs it."""
    spec = tmp_path / "s.yml"
    spec.write_text(MINIMAL_SPEC.replace("{metric: depth}", "{metric: depht}"))
    report = tmp_path / "report.json"
    proc = run_monspec("validate", "--format", "json", str(spec))
    report.write_text(proc.stdout)
    assert proc.returncode == 2 and proc.stderr == ""
    [item] = json.loads(report.read_text())
    assert (item["code"], item["line"], item["severity"]) == ("metrics/unknown", 6, "error")
    (tmp_path / "g.yml").write_text(MINIMAL_SPEC)
    ok = run_monspec("validate", "--format", "json", str(tmp_path / "g.yml"))
    assert ok.returncode == 0 and json.loads(ok.stdout) == []
    assert ok.stderr.startswith("1 spec file(s) valid:")


def test_check_diff_on_stdout_and_status_on_stderr(tmp_path: Path) -> None:
    spec = tmp_path / "s.yml"
    spec.write_text(MINIMAL_SPEC)
    out = tmp_path / "out"
    wrote = run_monspec("generate", str(spec), "--out", str(out))
    assert wrote.stdout == "" and wrote.stderr.startswith("wrote ")
    spec.write_text(MINIMAL_SPEC.replace("critical: 10", "critical: 20"))
    stale = run_monspec("generate", "--check", str(spec), "--out", str(out))
    assert stale.returncode == 1
    assert stale.stdout.startswith("--- ") and "+    expr: job:depth:max > 20" in stale.stdout
    assert stale.stderr.startswith(f"{out} is stale")
    as_json = run_monspec("generate", "--check", "--format", "json", str(spec), "--out", str(out))
    assert as_json.returncode == 1 and json.loads(as_json.stdout) == []
    assert "+    expr: job:depth:max > 20" in as_json.stderr


def test_missing_spec_is_usage_error(tmp_path: Path) -> None:
    proc = run_monspec("validate", str(tmp_path / "nope.yml"))
    assert proc.returncode == 2
    assert "no such spec file" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_no_arguments_is_usage_error() -> None:
    proc = run_monspec("generate")
    assert proc.returncode == 2
    assert "Missing argument" in proc.stderr


def test_warnings_do_not_fail(tmp_path: Path) -> None:
    spec = tmp_path / "s.yml"
    alert = "{expr: 'other_metric > 1', severity: critical, external_metrics: [other_metric]}"
    spec.write_text(MINIMAL_SPEC + f"alerts:\n  Raw: {alert}\n")
    proc = run_monspec("validate", "--format", "parsable", str(spec))
    assert proc.returncode == 0
    assert "warning [alerts/untested]" in proc.stdout
    assert proc.stderr.startswith("1 warning(s)") or "0 error(s), 1 warning(s)" in proc.stderr


def test_undeclared_metric_in_an_expression_is_an_error_unless_external(tmp_path: Path) -> None:
    spec = tmp_path / "s.yml"
    spec.write_text(MINIMAL_SPEC + "alerts:\n  Raw: {expr: 'rate(other_metric[5m]) > 1', severity: critical}\n")
    proc = run_monspec("validate", "--format", "parsable", str(spec))
    assert proc.returncode == 2
    assert f"{spec}:8:21: error [promql/undeclared-metric] alert 'Raw' expr reads 'other_metric'" in proc.stdout
    for marker in ("true", "[other_metric]"):
        alert = f"{{expr: 'rate(other_metric[5m]) > 1', severity: critical, external_metrics: {marker}}}"
        spec.write_text(MINIMAL_SPEC + f"alerts:\n  Raw: {alert}\n")
        assert run_monspec("validate", str(spec)).returncode == 0, marker


def test_unwritable_output_is_reported_without_traceback(tmp_path: Path) -> None:
    spec = tmp_path / "s.yml"
    spec.write_text(MINIMAL_SPEC)
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    proc = run_monspec("generate", str(spec), "--out", str(blocker / "out"))
    assert proc.returncode == 2
    assert proc.stderr.startswith("error:")
    assert "Traceback" not in proc.stderr


def test_generate_writes_header_naming_the_service(tmp_path: Path) -> None:
    spec = tmp_path / "s.yml"
    spec.write_text(MINIMAL_SPEC)
    out = tmp_path / "out"
    proc = run_monspec("generate", "s.yml", "--out", "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rules = (out / "svc" / "prometheus" / "rules.yml").read_text()
    assert rules.startswith("# Code generated by monspec from the spec of service svc. DO NOT EDIT.\n")
    assert sorted(p.name for p in (out / "svc" / "prometheus").iterdir()) == [
        "prometheus.yml",
        "rules.test.yml",
        "rules.yml",
    ]
