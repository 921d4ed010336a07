"""Alerts told apart by name and severity: a warning and a critical may share a name, as mixins do.

promtool compares every alert of a name at once, so the generated tests must expect the siblings
together; the catalog, the routing table and runbook links must keep them apart too.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from generator import conventions as conv
from generator.compile import compile_specs
from generator.vocabulary import ALERT_NAME
from tests.conftest import ROOT

SPEC = """\
version: 1
service: {name: cache, job: cache}
severities:
  critical: {priority: P1}
  warning: {priority: P2}
defaults:
  runbook_url: "https://runbooks.example.com/cache/{alert}"
metrics:
  cache_connections: {type: gauge}
  cache_max_connections: {type: gauge}
  cache_errors_total: {type: counter}
indicators:
  connections:
    gauge: {metric: cache_connections}
    thresholds:
      warning: {value: 80, alert: CacheConnectionsHigh(>80%), for: 5m}
      critical: {value: 95, alert: CacheConnectionsHigh(>80%), for: 1m}
  errors:
    rate: {metric: cache_errors_total, window: 5m}
    thresholds:
      warning: {value: 1, alert: CacheErrors}
  errors_burst:
    rate: {metric: cache_errors_total, window: 1m}
    thresholds:
      critical: {value: 10, alert: CacheErrors}
alerts:
  CacheFullWarning:
    alert: CacheFull
    expr: cache_connections / cache_max_connections > 0.9
    severity: warning
  CacheFullCritical:
    alert: CacheFull
    expr: cache_connections / cache_max_connections > 0.99
    severity: critical
"""


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    root = tmp_path_factory.mktemp("shared")
    spec = root / "cache.yml"
    spec.write_text(SPEC)
    result = compile_specs([spec])
    assert result.ok, [str(d) for d in result.diagnostics]
    for path, content in result.files.items():
        target = root / "out" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return root / "out", result.files


def _promtool_test(promtool: str, prometheus_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool, "test", "rules", "rules.test.yml"],
        cwd=prometheus_dir,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_rules_keep_both_alerts_of_a_name(compiled: tuple[Path, dict[str, bytes]]) -> None:
    _, files = compiled
    rules = yaml.safe_load(files[conv.rules_path("cache")])
    alerts = [(r["alert"], r["labels"]["severity"]) for g in rules["groups"] for r in g["rules"] if "alert" in r]
    for name in ("CacheConnectionsHigh(>80%)", "CacheErrors", "CacheFull"):
        assert sorted(s for n, s in alerts if n == name) == ["critical", "warning"], alerts


def test_generated_tests_expect_siblings_together_and_pass(
    promtool: str, compiled: tuple[Path, dict[str, bytes]]
) -> None:
    out, files = compiled
    tests = yaml.safe_load(files[conv.rules_test_path("cache")])
    together = [
        sorted(e["exp_labels"]["severity"] for e in case["exp_alerts"])
        for group in tests["tests"]
        for case in group.get("alert_rule_test", [])
        if case["alertname"] == "CacheConnectionsHigh(>80%)"
    ]
    # Crossing the critical level: the critical (for 1m) fires alone first, then both.
    assert ["critical"] in together and ["critical", "warning"] in together and [] in together
    proc = _promtool_test(promtool, out / "cache" / "prometheus")
    assert proc.returncode == 0 and "SUCCESS" in proc.stdout, proc.stdout + proc.stderr


def test_a_wrong_sibling_fails_the_generated_tests(promtool: str, compiled: tuple[Path, dict[str, bytes]]) -> None:
    """The merged expectations are not vacuous: move the warning's threshold and they fail."""
    out, _ = compiled
    prom = out / "cache" / "prometheus"
    rules = prom / "rules.yml"
    original = rules.read_text()
    try:
        broken = original.replace("job:connections:max > 80", "job:connections:max > 90")
        assert broken != original
        rules.write_text(broken)
        proc = _promtool_test(promtool, prom)
        assert proc.returncode != 0
        assert "CacheConnectionsHigh(>80%)" in proc.stdout + proc.stderr
    finally:
        rules.write_text(original)


def test_catalog_and_runbooks_tell_siblings_apart(compiled: tuple[Path, dict[str, bytes]]) -> None:
    _, files = compiled
    catalog = files[conv.catalog_path("cache")].decode()
    headings = [line for line in catalog.splitlines() if line.startswith("### Cache")]
    assert len(headings) == len(set(headings)) == 6, headings
    assert "### CacheErrors warning" in headings and "### CacheErrors critical" in headings
    assert "(#cacheconnectionshigh80-critical)" in catalog
    rules = yaml.safe_load(files[conv.rules_path("cache")])
    urls = {r["annotations"]["runbook_url"] for g in rules["groups"] for r in g["rules"] if "alert" in r}
    assert "https://runbooks.example.com/cache/CacheConnectionsHigh%28%3E80%25%29" in urls


def test_routing_table_has_a_row_per_sibling(compiled: tuple[Path, dict[str, bytes]]) -> None:
    _, files = compiled
    table = yaml.safe_load(files[conv.routes_test_path("cache")])
    rows = [r for r in table["tests"] if r["labels"].get("alertname") == "CacheFull"]
    assert sorted(r["labels"]["severity"] for r in rows) == ["critical", "warning"]


def test_vocabulary_pattern_is_the_schema_pattern() -> None:
    import json

    schema = json.loads((ROOT / "spec" / "monspec.schema.json").read_text())
    assert schema["$defs"]["alert_name"]["pattern"] == ALERT_NAME.pattern
    for ok in ("HighErrorRate", "MysqlTooManyConnections(>80%)", "Disk 90% full", "a.b/c:d"):
        assert ALERT_NAME.match(ok), ok
    for bad in ('Quote"d', "{{ $value }}", "Trailing ", "9Lives", "back`tick", ""):
        assert not ALERT_NAME.match(bad), bad
