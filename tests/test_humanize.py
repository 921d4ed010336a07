"""monspec predicts Prometheus' rendering of annotations; promtool itself is the judge."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from generator.humanize import render_template
from generator.targets.promtool_tests import num

VALUES = [
    0.0,
    0.1,
    0.05,
    0.15,
    1.0,
    42.0,
    999.9,
    1000.0,
    1234.5678,
    2048.0,
    1e6,
    3.5e9,
    0.000123,
    0.5,
    59.0,
    61.0,
    3600.0,
    3700.5,
    90061.0,
    -2.5,
    1e-9,
    123456789.0,
    12.3456,
]
TEMPLATES = {
    "h": "{{ $value | humanize }}",
    "h1024": "{{ $value | humanize1024 }}",
    "pct": "{{ $value | humanizePercentage }}",
    "dur": "{{ $value | humanizeDuration }}",
    "raw": "{{ $value }}",
    "label": '{{ $labels.job }} {{ "{{" }}',
}


def test_python_rendering_matches_prometheus(promtool: str, tmp_path: Path) -> None:
    rules = {
        "groups": [
            {
                "name": "h",
                "rules": [
                    {"alert": f"V{i}", "expr": f"v{i} > -1e300", "annotations": TEMPLATES} for i in range(len(VALUES))
                ],
            }
        ]
    }
    tests = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [{"series": f'v{i}{{job="j"}}', "values": f"{num(v)}x3"} for i, v in enumerate(VALUES)],
                "alert_rule_test": [
                    {
                        "alertname": f"V{i}",
                        "eval_time": "1m",
                        "exp_alerts": [
                            {
                                "exp_labels": {"job": "j"},
                                "exp_annotations": {
                                    k: render_template(t, v, {"job": "j"}) for k, t in TEMPLATES.items()
                                },
                            }
                        ],
                    }
                    for i, v in enumerate(VALUES)
                ],
            }
        ],
    }
    (tmp_path / "rules.yml").write_text(yaml.safe_dump(rules))
    (tmp_path / "t.yml").write_text(yaml.safe_dump(tests))
    proc = subprocess.run(
        [promtool, "test", "rules", "t.yml"], cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr


def test_num_round_trips_without_exponent() -> None:
    for v in VALUES:
        text = num(v)
        assert "e" not in text.lower()
        assert float(text) == v
