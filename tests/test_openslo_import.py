"""`monspec import --openslo`: public OpenSLO v1 documents become specs that compile and pass promtool."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, run_monspec

DATA = ROOT / "tests" / "data" / "openslo"
# file -> (service, objective, target, window) the import must produce
PUBLIC = {
    "openslo-web-availability.yaml": ("web", "web_availability", 0.995, "7d"),
    "openslo-sdk-foo-slo.yaml": ("foo", "foo_slo", 0.98, "30d"),
    "osko-loki-read-errors.yaml": ("logging", "logging_query_frontend_error_rate", 0.99, "28d"),
}


def test_every_public_document_is_cited() -> None:
    readme = (DATA / "README.md").read_text()
    files = sorted(p.name for p in DATA.glob("*.yaml"))
    assert files == sorted(PUBLIC)
    for name in files:
        line = next(row for row in readme.splitlines() if f"`{name}`" in row)
        assert "https://github.com/" in line and "/blob/" in line


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_document_imports_and_generates(promtool: str, tmp_path: Path, name: str) -> None:
    service, key, target, window = PUBLIC[name]
    spec = tmp_path / "spec.yml"
    proc = run_monspec("import", "--openslo", str(DATA / name), "-o", str(spec))
    assert proc.returncode == 0, proc.stderr
    data = yaml.safe_load(spec.read_text())
    assert data["service"]["name"] == service
    slo = data["objectives"]["slos"][key]
    assert (slo["target"], slo["window"]) == (target, window)
    assert "ratio" in slo and "total" in slo["ratio"]
    out = tmp_path / "out"
    gen = run_monspec("generate", str(spec), "--out", str(out))
    assert gen.returncode == 0, gen.stderr
    rules = out / service / "prometheus" / "rules.yml"
    check = subprocess.run([promtool, "check", "rules", str(rules)], capture_output=True, text=True, check=False)
    assert check.returncode == 0 and "SUCCESS" in check.stdout, check.stdout + check.stderr
    alerts = {r["alert"] for g in yaml.safe_load(rules.read_text())["groups"] for r in g["rules"] if "alert" in r}
    camel = "".join(w.capitalize() for w in key.split("_"))
    assert {f"{camel}BudgetBurnPage", f"{camel}BudgetBurnTicket", f"{camel}ObjectiveAbsent"} <= alerts


def test_notes_say_what_did_not_map() -> None:
    proc = run_monspec("import", "--openslo", str(DATA / "openslo-web-availability.yaml"))
    assert proc.returncode == 0, proc.stderr
    head = [line for line in proc.stdout.splitlines() if line.startswith("#")]
    assert any("calendar window (1w) becomes a rolling 7d window" in line for line in head)
    assert any("Timeslices becomes Occurrences" in line for line in head)
    assert any("assumes job='web'" in line for line in head)


SLI_AND_LATENCY = """
apiVersion: openslo/v1
kind: SLI
metadata: {name: fast-requests}
spec:
  ratioMetric:
    counter: true
    good:
      metricSource:
        type: Prometheus
        spec:
          query: 'sum(rate(http_request_duration_seconds_bucket{job="api", le="0.3", route!="/health"}[{{.window}}]))'
    total:
      metricSource:
        type: Prometheus
        spec: {query: 'sum(rate(http_request_duration_seconds_count{job="api", route!="/health"}[{{ .window }}]))'}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: api-latency}
spec:
  service: api
  indicatorRef: fast-requests
  timeWindow: [{duration: 1M, isRolling: true}]
  objectives: [{target: 0.99}]
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: api-errors}
spec:
  service: api
  indicator:
    spec:
      ratioMetric:
        bad:
          metricSource:
            type: Prometheus
            spec: {query: 'sum(increase(http_requests_total{job="api", code=~"5.."}[1h]))'}
        total: {metricSource: {type: Prometheus, spec: {query: 'sum(increase(http_requests_total{job="api"}[1h]))'}}}
  timeWindow: [{duration: 4w, isRolling: true}]
  objectives: [{targetPercent: 99.9}]
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: queue-lag}
spec:
  service: api
  indicator:
    spec:
      thresholdMetric: {metricSource: {type: Prometheus, spec: {query: 'max(kafka_lag{job="api"})'}}}
  timeWindow: [{duration: 30d, isRolling: true}]
  objectives: [{op: lte, value: 100, target: 0.95}]
"""


def test_sli_reference_latency_bad_events_and_threshold(promtool: str, tmp_path: Path) -> None:
    from generator.importers.openslo import import_openslo

    imported = import_openslo(SLI_AND_LATENCY)
    spec = imported.spec
    assert spec["service"] == {"name": "api", "job": "api"}
    slos = spec["objectives"]["slos"]
    assert slos["api_latency"]["latency"] == {
        "metric": {"metric": "http_request_duration_seconds", "filter": {"route": {"ne": "/health"}}},
        "le": "0.3",
    }
    assert slos["api_latency"]["window"] == "30d"
    assert spec["metrics"]["http_request_duration_seconds"]["type"] == "histogram"
    assert slos["api_errors"]["ratio"]["bad"] == {"metric": "http_requests_total", "filter": {"code": {"match": "5.."}}}
    assert slos["api_errors"]["target"] == pytest.approx(0.999)
    assert slos["api_errors"]["window"] == "28d"
    assert spec["indicators"]["queue_lag"]["thresholds"] == {"warning": 100.0}
    assert spec["indicators"]["queue_lag"]["direction"] == "above"
    path = tmp_path / "api.yml"
    path.write_text(imported.text("api.openslo.yaml"))
    out = tmp_path / "out"
    gen = run_monspec("generate", str(path), "--out", str(out))
    assert gen.returncode == 0, gen.stderr
    check = subprocess.run(
        [promtool, "check", "rules", str(out / "api" / "prometheus" / "rules.yml")], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("apiVersion: v1\nkind: Pod\n", "no OpenSLO v1 documents"),
        (
            "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\nspec:\n  service: s\n  indicator:\n    spec:\n"
            "      ratioMetric:\n        good: {metricSource: {type: Datadog, spec: {query: 'a'}}}\n"
            "        total: {metricSource: {type: Datadog, spec: {query: 'b'}}}\n  objectives: [{target: 0.9}]\n",
            "metric source type Datadog is not Prometheus",
        ),
        (
            "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\nspec:\n  service: s\n  indicatorRef: nope\n"
            "  objectives: [{target: 0.9}]\n",
            "indicatorRef nope names no SLI document",
        ),
        (
            "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\nspec:\n  service: s\n  indicator:\n    spec:\n"
            "      ratioMetric:\n        good: {metricSource: {type: Prometheus, spec: {query: 'a / b'}}}\n"
            "        total: {metricSource: {type: Prometheus, spec: {query: 'b'}}}\n  objectives: [{target: 0.9}]\n",
            "reads 2 series selectors",
        ),
    ],
    ids=["not-openslo", "datadog", "dangling-ref", "two-selectors"],
)
def test_unusable_documents_exit_2_with_a_reason(tmp_path: Path, text: str, message: str) -> None:
    src = tmp_path / "in.yaml"
    src.write_text(text)
    out = tmp_path / "spec.yml"
    proc = run_monspec("import", "--openslo", str(src), "-o", str(out))
    assert proc.returncode == 2
    assert "error [import/openslo]" in proc.stderr and message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()
