"""Detection latency: from the moment a metric crosses a page-level threshold to the notification.

    python bench/latency.py [--runs 3] [--interval 2s] [--hold 4s] [--group-wait 2s]

Starts a real Prometheus and Alertmanager on 127.0.0.1 (free ports) per run, loaded with the
files monspec generates from spec/examples/security-platform.yml set to the given intervals, sets
the gauge of its most severe two-level indicator past the threshold, and times the webhook
notification. Prints each run next to the bound scrape + evaluation + `for` + group_wait (the
worst case of the pipeline's waits) and the floor `for` + group_wait (what no run can beat).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.compile import compile_specs  # noqa: E402
from generator.model.durations import parse_duration  # noqa: E402
from generator.model.indicators import GaugeQuery  # noqa: E402
from generator.targets.promtool_tests import crossing_value  # noqa: E402
from tests.conftest import run_monspec  # noqa: E402
from tests.stack import Stack, fast_spec  # noqa: E402

EXAMPLE = ROOT / "spec" / "examples" / "security-platform.yml"


def one_run(interval: str, hold: str, group_wait: str) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory(prefix="monspec-latency-") as tmp:
        work = Path(tmp)
        stack = Stack(work)
        try:
            spec = fast_spec(yaml.safe_load(EXAMPLE.read_text()), stack, interval=interval, hold=hold)
            for timing in [spec["routing"], *spec["routing"]["severities"].values()]:
                timing["group_wait"] = group_wait
            path = work / EXAMPLE.name
            path.write_text(yaml.safe_dump(spec, sort_keys=False))
            proc = run_monspec("generate", str(path), "--out", str(work / "out"))
            if proc.returncode != 0:
                raise SystemExit(proc.stderr)
            (model,) = compile_specs([path], render=False).models
            assert model.routing is not None
            top = model.severities[0]
            ind = next(
                i
                for i in model.indicators
                if isinstance(i.query, GaugeQuery) and i.thresholds and i.thresholds[0].severity == top
            )
            assert isinstance(ind.query, GaugeQuery)
            rule = ind.thresholds[0].alert
            sel = ind.query.selector
            labels = {"job": model.service.job, **{b: "bench" for b in ind.by}}
            labels.update({m.label: m.value for m in sel.matchers})
            name = model.service.name
            stack.start(
                work / "out" / name / "prometheus" / "prometheus.yml",
                work / "out" / name / "alertmanager" / "alertmanager.yml",
            )
            # Let Prometheus scrape the empty exporter a few times so the run starts in steady state.
            time.sleep(3 * model.service.scrape.interval_ms / 1000)
            crossed = time.monotonic()
            stack.exporter.set(sel.metric.name, labels, crossing_value(ind, 0))
            notes = stack.sink.wait_for(
                lambda ns: any(
                    a["labels"]["alertname"] == rule.name and a["status"] == "firing"
                    for n in ns
                    for a in n.payload["alerts"]
                ),
                120,
            )
            arrived = min(
                n.received for n in notes if any(a["labels"]["alertname"] == rule.name for a in n.payload["alerts"])
            )
            wait_ms = parse_duration(group_wait)
            bound = (
                model.service.scrape.interval_ms + model.prometheus.evaluation_interval_ms + rule.for_ms + wait_ms
            ) / 1000
            floor = (rule.for_ms + wait_ms) / 1000
            return arrived - crossed, bound, floor
        finally:
            stack.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--interval", default="2s", help="scrape and evaluation interval")
    parser.add_argument("--hold", default="4s", help="the alert's `for`")
    parser.add_argument("--group-wait", default="2s")
    args = parser.parse_args()
    print(
        f"detection latency, page-level alert; scrape = evaluation = {args.interval}, for = {args.hold}, "
        f"group_wait = {args.group_wait}"
    )
    measured = []
    for i in range(args.runs):
        latency, bound, floor = one_run(args.interval, args.hold, args.group_wait)
        measured.append(latency)
        print(
            f"  run {i + 1}: {latency:6.2f} s   (floor for+group_wait {floor:.2f} s, "
            f"bound scrape+eval+for+group_wait {bound:.2f} s)"
        )
    print(f"  median {statistics.median(measured):.2f} s, max {max(measured):.2f} s over {args.runs} runs")


if __name__ == "__main__":
    main()
