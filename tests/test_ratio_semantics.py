"""A ratio over several counters still has a value while one of them has no series yet.

A labelled counter appears only after its first increment. If the denominator were written as
`a + b`, failures / (failures + logins) would return nothing during a brute-force attack with no
successful login, and the alert meant for exactly that attack would never fire.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from tests.conftest import run_monspec

SPEC = """version: 1
service: {name: auth, job: auth}
severities: {critical: {}}
metrics:
  failures_total: {type: counter}
  logins_total: {type: counter}
indicators:
  failure_ratio:
    ratio: {numerator: failures_total, denominator: [failures_total, logins_total], window: 5m}
    thresholds: {critical: 0.5}
    for: 1m
"""


def test_ratio_with_missing_denominator_term_fires(promtool: str, tmp_path: Path) -> None:
    spec = tmp_path / "auth.yml"
    spec.write_text(SPEC)
    out = tmp_path / "out"
    assert run_monspec("generate", str(spec), "--out", str(out)).returncode == 0
    prom = out / "auth" / "prometheus"
    record = "job:failure_ratio:ratio_rate5m"
    tests = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": "30s",
        "tests": [
            {
                "interval": "15s",
                "input_series": [{"series": 'failures_total{job="auth", instance="a"}', "values": "0+10x80"}],
                "promql_expr_test": [
                    {
                        "expr": record,
                        "eval_time": "10m",
                        "exp_samples": [{"labels": f'{record}{{job="auth"}}', "value": 1}],
                    }
                ],
                "alert_rule_test": [
                    {
                        "alertname": "FailureRatioCritical",
                        "eval_time": "10m",
                        "exp_alerts": [
                            {
                                "exp_labels": {
                                    "job": "auth",
                                    "severity": "critical",
                                    "priority": "P1",
                                    "service": "auth",
                                    "indicator": "failure_ratio",
                                },
                                "exp_annotations": {
                                    "summary": "Failure ratio above 0.5",
                                    "description": "Failure ratio is 1 (critical threshold: above 0.5).",
                                },
                            }
                        ],
                    }
                ],
            }
        ],
    }
    (prom / "missing.test.yml").write_text(yaml.safe_dump(tests))
    proc = subprocess.run(
        [promtool, "test", "rules", "missing.test.yml"],
        cwd=prom,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
