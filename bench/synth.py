"""Print a synthetic spec of N indicators for the benchmarks.

    python bench/synth.py 1000 > /tmp/spec.yml

Each indicator has two thresholds, labels and a breakdown label, a panel on a dashboard board, a
route of its own, and a log counter beside it, so every target has N things to do.
"""

from __future__ import annotations

import sys

RECEIVERS = 10
PANELS_PER_ROW = 50


def synth(n: int) -> str:
    lines = [
        "version: 1",
        "service: {name: synth, job: synth, metric_prefix: synth_, labels: {team: bench}}",
        "severities: {critical: {priority: P1}, warning: {priority: P2}}",
        "metrics:",
    ]
    lines += [f"  m{i}_total: {{type: counter, labels: [route]}}" for i in range(n)]
    lines.append("indicators:")
    for i in range(n):
        lines += [
            f"  rate_{i}:",
            f"    rate: {{metric: m{i}_total, window: 5m}}",
            "    by: [route]",
            f"    labels: {{component: c{i % 17}}}",
            f"    thresholds: {{warning: {i + 1}, critical: {2 * (i + 1)}}}",
        ]
    lines += ["routing:", "  receivers:"]
    lines += [f"    team{r}: {{webhook: {{url: 'https://hooks.example.com/team{r}'}}}}" for r in range(RECEIVERS)]
    lines.append("  routes:")
    lines += [f"    - {{match: {{indicator: rate_{i}}}, receiver: team{i % RECEIVERS}}}" for i in range(n)]
    lines += ["dashboards:", "  boards:", "    all:", "      title: Every indicator", "      rows:"]
    for start in range(0, n, PANELS_PER_ROW):
        lines.append(f"        - title: Indicators {start}-{min(start + PANELS_PER_ROW, n) - 1}")
        lines.append("          panels:")
        lines += [f"            - {{indicator: rate_{i}}}" for i in range(start, min(start + PANELS_PER_ROW, n))]
    lines += [
        "logs:",
        "  sources:",
        "    app:",
        "      paths: [/var/log/synth/app.jsonl]",
        "      format: json",
        "      labels: [event]",
        "      count:",
    ]
    lines += [f"        ev{i}_total: {{where: {{event: [e{i}]}}}}" for i in range(n)]
    lines += ["  loki:", "    url: http://localhost:3100/loki/api/v1/push"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(synth(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
