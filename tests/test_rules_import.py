"""`monspec import RULES...`: public rule files round-trip through a spec into equivalent rules.

For every file in tests/data/rules: import, generate, `promtool check rules`, then compare the
regenerated rules with the file (generator/importers/equivalence.py says what "equivalent" ignores:
labels and annotations monspec adds where the original has none, and the recording rules it adds
for threshold indicators, inlined). Every file round-trips with no difference: mixins' warning and
critical alerts of one name stay one name (alerts are told apart by name and severity), and names
such as `MysqlTooManyConnections(>80%)` are kept as written.
"""

from __future__ import annotations

import posixpath
import subprocess
from pathlib import Path

import pytest
import yaml

from generator import conventions as conv
from generator.compile import compile_specs
from generator.importers.cli_import import ImportFailed, rules
from generator.importers.equivalence import differences, normalised
from generator.importers.rule_files import read_rule_file
from tests.conftest import ROOT, run_monspec

DATA = ROOT / "tests" / "data" / "rules"
FILES = sorted(p.name for p in DATA.iterdir() if p.suffix in (".yml", ".yaml"))


def test_every_file_is_cited_and_there_are_ten_projects() -> None:
    readme = (DATA / "README.md").read_text()
    assert len(FILES) >= 10
    for name in FILES:
        row = next(line for line in readme.splitlines() if f"`{name}`" in line)
        assert "https://github.com/" in row and "/blob/" in row and ("Apache-2.0" in row or "CC BY 4.0" in row)
    projects = {line.split("|")[2].split(",")[0].split("(")[0].strip() for line in readme.splitlines()[7:]}
    assert len(projects) >= 10, projects


@pytest.mark.parametrize("name", FILES)
def test_public_rule_file_round_trips(promtool: str, tmp_path: Path, name: str) -> None:
    done = rules([DATA / name], None, None)
    spec = tmp_path / "spec.yml"
    spec.write_text(done.text)
    result = compile_specs([spec])
    assert result.ok, [str(d) for d in result.diagnostics]
    # Metrics the expressions read are declared: the only warnings left are untested free-form alerts.
    assert {d.code for d in result.diagnostics} <= {"alerts/untested"}
    service = yaml.safe_load(done.text)["service"]["name"]
    rules_yml = tmp_path / "rules.yml"
    rules_yml.write_bytes(result.files[conv.rules_path(service)])
    check = subprocess.run([promtool, "check", "rules", str(rules_yml)], capture_output=True, text=True, check=False)
    assert check.returncode == 0 and "SUCCESS" in check.stdout, check.stdout + check.stderr
    # The generated unit tests pass too, alerts that share a name (warning and critical) included.
    units = [p for p in (conv.rules_test_path(service), conv.rules_long_test_path(service)) if p in result.files]
    for path in units:
        (tmp_path / posixpath.basename(path)).write_bytes(result.files[path])
    if units:
        names = [posixpath.basename(p) for p in units]
        unit = subprocess.run(
            [promtool, "test", "rules", *names], cwd=tmp_path, capture_output=True, text=True, check=False
        )
        assert unit.returncode == 0 and unit.stdout.count("SUCCESS") == len(names), (unit.stdout + unit.stderr)[-3000:]
    original = read_rule_file((DATA / name).read_text(), name)
    regenerated = read_rule_file(rules_yml.read_text(), "rules.yml")
    assert differences(original, regenerated) == []
    assert done.warnings == []
    # Every original alert and recording rule is in the spec, as an indicator threshold, a free-form
    # alert or a recording indicator: the counts add up.
    data = yaml.safe_load(done.text)
    thresholds = sum(len(i.get("thresholds", {})) for i in data.get("indicators", {}).values())
    records = sum("thresholds" not in i for i in data.get("indicators", {}).values())
    alerts = [r for g in original for r in g.rules if r.kind == "alert"]
    assert thresholds + len(data.get("alerts", {})) == len(alerts)
    assert records == len({r.name for g in original for r in g.rules if r.kind == "record"})


def test_thresholds_of_one_expression_become_one_indicator() -> None:
    text = """groups:
- name: api
  rules:
  - alert: ErrorsHigh
    expr: sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) >= 0.05
    for: 10m
    labels: {severity: warning, team: api}
    annotations: {summary: Errors above 5%, runbook_url: https://runbooks.example.com/errors}
  - alert: ErrorsCritical
    expr: sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) >= 0.2
    labels: {severity: critical, team: api, priority: P0}
  - alert: DiskLow
    expr: node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.1
    labels: {severity: page}
  - record: instance:requests:rate5m
    expr: sum by (instance) (rate(http_requests_total[5m]))
  - alert: Compound
    expr: up == 0 and on() vector(1)
"""
    from generator.importers.prometheus_rules import import_rules

    imported = import_rules([("api.yml", read_rule_file(text, "api.yml"))], "api")
    spec = imported.spec
    assert list(spec["severities"]) == ["page", "critical", "warning", "none"]
    errors = spec["indicators"]["errors_high"]
    assert errors["inclusive"] is True and "direction" not in errors
    assert errors["thresholds"]["warning"] == {
        "value": 0.05,
        "alert": "ErrorsHigh",
        "for": "10m",
        "summary": "Errors above 5%",
        "labels": {"team": "api"},
        "annotations": {"runbook_url": "https://runbooks.example.com/errors"},
    }
    assert errors["thresholds"]["critical"] == {
        "value": 0.2,
        "alert": "ErrorsCritical",
        "for": "0s",
        "priority": "P0",
        "labels": {"team": "api"},
    }
    disk = spec["indicators"]["disk_low"]
    assert disk["direction"] == "below" and disk["thresholds"]["page"]["value"] == 0.1
    assert spec["indicators"]["instance_requests_rate5m"] == {
        "record": "instance:requests:rate5m",
        "expr": "sum by (instance) (rate(http_requests_total[5m]))",
        "group": "api",
    }
    assert spec["alerts"]["Compound"]["severity"] == "none"
    assert spec["metrics"] == {
        "http_requests_total": {"type": "counter"},
        "node_filesystem_avail_bytes": {"type": "gauge"},
        "node_filesystem_size_bytes": {"type": "gauge"},
    }


def test_reserved_labels_are_kept_where_the_language_can_and_named_where_not() -> None:
    text = """groups:
- name: g
  rules:
  - alert: A
    expr: x > 1
    labels: {severity: warning, service: checkout, priority: high, indicator: latency}
  - alert: B
    expr: y > 1
    labels: {severity: Critical, service: checkout}
    keep_firing_for: 5m
"""
    from generator.importers.prometheus_rules import import_rules

    imported = import_rules([("g.yml", read_rule_file(text, "g.yml"))], "fallback")
    assert imported.spec["service"]["name"] == "checkout"  # one value on every alert: kept as service.name
    notes = "\n".join(imported.notes)
    assert "A: label priority='high' is not P0-P9" in notes
    assert "A: label indicator='latency' is set by monspec" in notes
    assert "B: severity 'Critical' is not a monspec severity name" in notes
    assert "B: keep_firing_for 5m" in notes


def test_equivalence_sees_a_changed_expression_label_and_for() -> None:
    before = read_rule_file(
        "groups: [{name: g, rules: [{alert: A, expr: 'x > 1', for: 5m, labels: {team: a}}]}]", "a.yml"
    )
    after = read_rule_file(
        "groups: [{name: g, rules: [{alert: A, expr: 'x > 2', for: 300s, labels: {team: b, service: s}}]}]", "b.yml"
    )
    assert differences(before, after) == [
        "alert A: expression 'x > 1.0' became 'x > 2.0'",
        "alert A: label team: 'a' became 'b'",
    ]
    assert normalised("job:a:value >= 3", {"job:a:value": "sum(rate(x[5m]))"}) == normalised("sum(rate(x[5m]))>=3")


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("kind: Pod\nmetadata: {name: x}\n", "bad.yml:1:1", "not a Prometheus rule file: no top-level `groups`"),
        ("groups:\n  - name: g\n    rules: [\n", "bad.yml:4:1", "not valid YAML"),
        (
            "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: rate(x[5m]\n",
            "bad.yml:5:11",
            "rule 'A': expr is not valid PromQL: unclosed left parenthesis",
        ),
        ("groups:\n- name: g\n  rules:\n  - alert: A\n    exp: x\n", "bad.yml:5:10", "unknown rule key 'exp'"),
    ],
)
def test_bad_input_exits_2_with_a_position(tmp_path: Path, text: str, where: str, message: str) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(text)
    proc = run_monspec("import", "bad.yml", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.startswith(f"{where}: error [import/rules] {message}"), proc.stderr
    with pytest.raises(ImportFailed):
        rules([bad], None, None)


def test_cli_writes_the_spec_and_refuses_two_kinds_of_input(tmp_path: Path) -> None:
    out = tmp_path / "spec.yml"
    proc = run_monspec("import", str(DATA / "mixin-prometheus-alerts.yaml"), "--service", "prometheus", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "threshold indicators" in proc.stderr and "round trip" not in proc.stderr
    assert yaml.safe_load(out.read_text())["service"] == {"name": "prometheus", "job": "prometheus"}
    both = run_monspec("import", str(DATA / "mixin-prometheus-alerts.yaml"), "--openslo", str(out))
    assert both.returncode == 2 and "one kind of input per run" in both.stderr
    none = run_monspec("import")
    assert none.returncode == 2 and "one kind of input per run" in none.stderr


def test_the_example_of_docs_import_md_is_what_the_import_prints(tmp_path: Path) -> None:
    doc = (ROOT / "docs" / "import.md").read_text()
    rules_text = doc.split("```yaml\n# rules.yml\n", 1)[1].split("```", 1)[0]
    shown = doc.split("<!-- import-output: rules.yml --service api -->\n```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "rules.yml").write_text(rules_text)
    proc = run_monspec("import", "rules.yml", "--service", "api", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == shown
    assert "round trip" not in proc.stderr


def test_a_prometheus_rule_object_imports_like_its_groups(tmp_path: Path) -> None:
    plain = (DATA / "mixin-memcached-alerts.yaml").read_text()
    groups = yaml.safe_load(plain)["groups"]
    crd = {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule", "metadata": {"name": "memcached"}}
    (tmp_path / "rule.yaml").write_text(yaml.safe_dump({**crd, "spec": {"groups": groups}}))
    (tmp_path / "plain.yaml").write_text(plain)
    from_crd = rules([tmp_path / "rule.yaml"], "memcached", None)
    from_file = rules([tmp_path / "plain.yaml"], "memcached", None)
    assert yaml.safe_load(from_crd.text) == yaml.safe_load(from_file.text)
    assert from_crd.warnings == from_file.warnings


def test_a_service_name_that_is_not_one_is_refused() -> None:
    proc = run_monspec("import", str(DATA / "mixin-memcached-alerts.yaml"), "--service", "My Cache")
    assert proc.returncode == 2 and "--service 'My Cache' is not a service name" in proc.stderr
