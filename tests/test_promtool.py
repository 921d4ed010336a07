"""The generated files pass the real tools, and every alert is proven by a firing and a silent case."""

from __future__ import annotations

import posixpath
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import EXAMPLES, run_monspec

SERVICES = [p.stem for p in EXAMPLES]


def promtool_run(promtool: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([promtool, *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=600)


@pytest.mark.parametrize("service", SERVICES)
def test_check_rules(promtool: str, generated: Path, service: str) -> None:
    proc = promtool_run(promtool, "check", "rules", f"{service}/prometheus/rules.yml", cwd=generated)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS" in proc.stdout


@pytest.mark.parametrize("service", SERVICES)
def test_check_config(promtool: str, generated: Path, service: str) -> None:
    # --syntax-only: credentials files named by the spec do not exist on the test machine.
    proc = promtool_run(
        promtool, "check", "config", "--syntax-only", f"{service}/prometheus/prometheus.yml", cwd=generated
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def unit_test_files(root: Path, service: str) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in (root / service / "prometheus").glob("*.test.yml"))


@pytest.mark.parametrize("service", SERVICES)
def test_generated_unit_tests_pass(promtool: str, generated: Path, service: str) -> None:
    files = unit_test_files(generated, service)
    assert f"{service}/prometheus/rules.test.yml" in files
    proc = promtool_run(promtool, "test", "rules", *files, cwd=generated)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-5000:]
    assert proc.stdout.count("SUCCESS") == len(files)


def _cases(tests: dict) -> tuple[set[str], set[str]]:
    """(alerts with a firing case, alerts with a silent case) found in a promtool test file."""
    firing: set[str] = set()
    silent: set[str] = set()
    for group in tests["tests"]:
        for case in group.get("alert_rule_test", []):
            (firing if case["exp_alerts"] else silent).add(case["alertname"])
        for case in group.get("promql_expr_test", []):
            expr = case["expr"]
            if "ALERTS" not in expr or 'alertstate="firing"' not in expr:
                continue
            named = re.search(r'alertname="([^"]+)"', expr)
            if named and case["exp_samples"]:
                firing.add(named.group(1))
            for sample in case["exp_samples"]:
                firing.update(re.findall(r'alertname="([^"]+)"', sample["labels"]))
    return firing, silent


@pytest.mark.parametrize("service", SERVICES)
def test_every_alert_has_firing_and_silent_case(generated: Path, service: str) -> None:
    rules = yaml.safe_load((generated / service / "prometheus" / "rules.yml").read_text())
    alerts = {r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r}
    firing: set[str] = set()
    silent: set[str] = set()
    for rel in unit_test_files(generated, service):
        f, s = _cases(yaml.safe_load((generated / rel).read_text()))
        firing |= f
        silent |= s
    assert alerts, "the example defines no alerts"
    assert sorted(alerts - firing) == [], "alerts without a firing case"
    assert sorted(alerts - silent) == [], "alerts without a silent case"
    assert len(firing & alerts) == len(alerts) == len(silent & alerts)


def _mutate(generated: Path, tmp_path: Path, service: str, pattern: str, repl: str) -> Path:
    root = tmp_path / "out"
    shutil.copytree(generated, root)
    rules = root / service / "prometheus" / "rules.yml"
    text = rules.read_text()
    mutated, n = re.subn(pattern, repl, text, count=1, flags=re.M)
    assert n == 1, f"no match for {pattern!r}"
    rules.write_text(mutated)
    return root


MUTATIONS = [
    # (what breaks, pattern in rules.yml, replacement)
    ("comparison made inclusive", r"^(    expr: \S+ )> ", r"\1>= "),
    ("threshold moved", r"^(    expr: \S+ [<>]=? )(\d+(?:\.\d+)?)$", r"\g<1>0.0001"),
    ("for lengthened", r"^    for: (\d+)m$", r"    for: 1h"),
    ("severity label changed", r"^      severity: critical$", r"      severity: warning"),
    ("recording rule window changed", r"\[5m\]", r"[1h]"),
]


@pytest.mark.parametrize(("what", "pattern", "repl"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_generated_tests_catch_broken_rules(
    promtool: str, generated: Path, tmp_path: Path, what: str, pattern: str, repl: str
) -> None:
    """A test that cannot fail proves nothing: each hand-made defect must make promtool fail."""
    service = next(
        s for s in SERVICES if re.search(pattern, (generated / s / "prometheus" / "rules.yml").read_text(), re.M)
    )
    root = _mutate(generated, tmp_path, service, pattern, repl)
    # The mutations hit indicator rules; objective tests replay days of samples through their own
    # rules and have their mutations in tests/test_objectives.py.
    files = [f for f in unit_test_files(root, service) if "/objective-" not in f]
    proc = promtool_run(promtool, "test", "rules", *files, cwd=root)
    assert proc.returncode != 0, f"{what}: promtool still passed"
    assert "FAILED" in proc.stdout + proc.stderr


def test_monspec_test_command(promtool: str) -> None:
    proc = run_monspec("test", *map(str, EXAMPLES))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("ok  promtool test rules") >= len(EXAMPLES)
    assert "FAILED" not in proc.stdout


@pytest.mark.parametrize("service", SERVICES)
def test_check_config_full(promtool: str, generated: Path, tmp_path: Path, service: str) -> None:
    """The full check (rule files loaded, referenced files present), not just the syntax.

    Secrets are files on the Prometheus host; for the check they point at scratch files, and
    nothing else in the config is touched.
    """
    root = tmp_path / "out"
    shutil.copytree(generated, root)
    config_path = root / service / "prometheus" / "prometheus.yml"
    config = yaml.safe_load(config_path.read_text())
    for job in config["scrape_configs"]:
        for block, keys in (
            ("authorization", ("credentials_file",)),
            ("tls_config", ("ca_file", "cert_file", "key_file")),
        ):
            for key in keys:
                if key in job.get(block, {}):
                    stand_in = tmp_path / f"{block}-{key}"
                    stand_in.write_text("secret\n")
                    job[block][key] = str(stand_in)
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    proc = promtool_run(promtool, "check", "config", f"{service}/prometheus/prometheus.yml", cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "rule files found" in proc.stdout + proc.stderr


def _compile_and_write(tmp_path: Path, service: str, text: str) -> dict[str, bytes]:
    """Compile one spec, and write its Prometheus files (rules and unit tests) into tmp_path."""
    from generator.compile import compile_specs

    spec = tmp_path / f"{service}.yml"
    spec.write_text(text)
    result = compile_specs([spec])
    assert result.ok, [str(d) for d in result.diagnostics]
    for path, content in result.files.items():
        if path.startswith(f"{service}/prometheus/rules"):
            (tmp_path / posixpath.basename(path)).write_bytes(content)
    return result.files


def test_an_alert_held_for_a_week_is_tested_on_a_coarser_clock(promtool: str, tmp_path: Path) -> None:
    """`for: 1w` at a 30s clock would be 20,000 replays of every rule; the long file keeps it to hundreds."""
    from generator import conventions as conv
    from generator.model.durations import parse_duration

    files = _compile_and_write(
        tmp_path,
        "idle",
        "version: 1\n"
        "service: {name: idle, job: idle}\n"
        "severities: {info: {priority: P3}, warning: {priority: P2}}\n"
        "metrics: {cpu_idle_ratio: {type: gauge}, queue_depth: {type: gauge}}\n"
        "indicators:\n"
        "  underused: {gauge: {metric: cpu_idle_ratio}, thresholds: {info: {value: 0.8, for: 1w}}}\n"
        "  queue: {gauge: {metric: queue_depth}, thresholds: {warning: {value: 100, for: 5m}}}\n",
    )
    main = yaml.safe_load(files[conv.rules_test_path("idle")])
    long = yaml.safe_load(files[conv.rules_long_test_path("idle")])

    def steps(doc: dict) -> int:
        last = max(
            parse_duration(c["eval_time"])
            for g in doc["tests"]
            for k in ("alert_rule_test", "promql_expr_test")
            for c in g.get(k, [])
        )
        return last // parse_duration(doc["evaluation_interval"])

    assert all("underused" not in g["name"] for g in main["tests"])
    assert any("underused" in g["name"] and g.get("alert_rule_test") for g in long["tests"])
    assert steps(main) < 100 and steps(long) < 1000, (steps(main), steps(long))  # not 20,000
    proc = promtool_run(promtool, "test", "rules", "rules.test.yml", "rules.long.test.yml", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.count("SUCCESS") == 2, proc.stdout + proc.stderr


def test_an_empty_label_value_is_no_label_in_the_expected_alerts(promtool: str, tmp_path: Path) -> None:
    """Prometheus drops a label set to "" from the alert; the generated tests expect it absent (found by make fuzz)."""
    from generator import conventions as conv

    files = _compile_and_write(
        tmp_path,
        "blank",
        "version: 1\n"
        "service: {name: blank, job: blank, labels: {team: ''}}\n"
        "severities: {warning: {priority: P2}}\n"
        "metrics: {queue_depth: {type: gauge}}\n"
        "indicators:\n"
        "  queue: {gauge: {metric: queue_depth}, labels: {tier: ''}, thresholds: {warning: {value: 100, for: 1m}}}\n",
    )
    tests = yaml.safe_load(files[conv.rules_test_path("blank")])
    expected = [e for g in tests["tests"] for c in g.get("alert_rule_test", []) for e in c["exp_alerts"]]
    assert expected and all("team" not in e["exp_labels"] and "tier" not in e["exp_labels"] for e in expected)
    proc = promtool_run(promtool, "test", "rules", "rules.test.yml", cwd=tmp_path)
    assert proc.returncode == 0 and "SUCCESS" in proc.stdout, proc.stdout + proc.stderr
