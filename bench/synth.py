"""Print a synthetic spec of N indicators (two thresholds, a breakdown label, labels each).

python bench/synth.py 1000 > /tmp/spec.yml
"""

from __future__ import annotations

import sys


def synth(n: int) -> str:
    lines = [
        "version: 1",
        "service: {name: synth, job: synth, metric_prefix: synth_, labels: {team: bench}}",
        "severities: {critical: {priority: P1}, warning: {priority: P2}}",
        "metrics:",
    ]
    for i in range(n):
        lines.append(f"  m{i}_total: {{type: counter, labels: [route]}}")
    lines.append("indicators:")
    for i in range(n):
        lines += [
            f"  rate_{i}:",
            f"    rate: {{metric: m{i}_total, window: 5m}}",
            "    by: [route]",
            f"    labels: {{component: c{i % 17}}}",
            f"    thresholds: {{warning: {i + 1}, critical: {2 * (i + 1)}}}",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(synth(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
