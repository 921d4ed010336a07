"""End to end: a seed example's generated rules, prometheus.yml and alertmanager.yml in a real
Prometheus and a real Alertmanager, synthetic metrics crossing each severity's threshold, and the
notifications caught on a local webhook.

Every wait is a deadline computed from the intervals the test spec sets (scrape + evaluation +
`for` + group_wait, plus a fixed allowance for process start-up), polled, never a guessed sleep.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.compile import compile_specs
from generator.model import Model
from generator.model.indicators import AlertRule, GaugeQuery, Indicator
from generator.targets.promtool_tests import crossing_value, safe_value
from tests.conftest import ROOT, _tool, run_monspec
from tests.stack import Notification, Stack, fast_spec

EXAMPLE = ROOT / "spec" / "examples" / "security-platform.yml"
STARTUP_ALLOWANCE_S = 20.0


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    _tool("prometheus")
    _tool("prometheus-alertmanager")
    s = Stack(tmp_path)
    try:
        yield s
    finally:
        s.close()
        assert all(p.poll() is not None for p in s.processes), "a server outlived the test"


def gauge_series(ind: Indicator, job: str) -> tuple[str, dict[str, str]]:
    assert isinstance(ind.query, GaugeQuery)
    sel = ind.query.selector
    labels = {"job": job, **{b: "e2e" for b in ind.by}}
    for m in sel.matchers:
        assert m.op == "=", "the e2e picks gauges with equality filters only"
        labels[m.label] = m.value
    return sel.metric.name, labels


def pick(model: Model) -> tuple[Indicator, list[tuple[Indicator, int]]]:
    """One gauge indicator with two levels (for inhibition), and one gauge per other severity."""
    gauges = [i for i in model.indicators if isinstance(i.query, GaugeQuery) and i.thresholds]
    top = model.severities[0]
    sibling = next(i for i in gauges if len(i.thresholds) >= 2 and i.thresholds[0].severity == top)
    others: list[tuple[Indicator, int]] = []
    for sev in model.severities[1:]:
        taken = [sibling, *(i for i, _ in others)]
        ind = next(i for i in gauges if i not in taken and any(t.severity == sev for t in i.thresholds))
        others.append((ind, next(n for n, t in enumerate(ind.thresholds) if t.severity == sev)))
    return sibling, others


def alerts_in(notes: list[Notification], name: str, status: str) -> set[str]:
    return {
        n.receiver_path.strip("/")
        for n in notes
        for a in n.payload["alerts"]
        if a["labels"]["alertname"] == name and a["status"] == status
    }


def expected_receivers(model: Model, rule: AlertRule) -> set[str]:
    assert model.routing is not None
    return set(model.routing.receivers_for({"alertname": rule.name, **dict(rule.labels)}))


def test_alerts_reach_exactly_their_receivers_inhibition_and_resolution(stack: Stack, tmp_path: Path) -> None:
    spec = fast_spec(yaml.safe_load(EXAMPLE.read_text()), stack)
    spec_path = tmp_path / EXAMPLE.name
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False))
    out = tmp_path / "out"
    proc = run_monspec("generate", str(spec_path), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    result = compile_specs([spec_path], render=False)
    (model,) = result.models
    routing = model.routing
    assert routing is not None

    sibling, others = pick(model)
    crit, inhibited = sibling.thresholds[0].alert, sibling.thresholds[1].alert
    driven: list[AlertRule] = [crit] + [ind.thresholds[level].alert for ind, level in others]

    name, labels = gauge_series(sibling, model.service.job)
    stack.exporter.set(name, labels, crossing_value(sibling, 0))  # past both levels: both fire
    for ind, level in others:
        n, lbl = gauge_series(ind, model.service.job)
        stack.exporter.set(n, lbl, crossing_value(ind, level))

    service = model.service.name
    stack.start(out / service / "prometheus" / "prometheus.yml", out / service / "alertmanager" / "alertmanager.yml")

    def bound_s(rule: AlertRule) -> float:
        scrape, evaluation = model.service.scrape.interval_ms, model.prometheus.evaluation_interval_ms
        wait = routing.root.timing.group_wait_ms or 0
        return (scrape + evaluation + rule.for_ms + wait) / 1000

    deadline = max(bound_s(r) for r in driven) + STARTUP_ALLOWANCE_S
    want = {r.name: expected_receivers(model, r) for r in driven}
    assert all(want.values())
    notes = stack.sink.wait_for(
        lambda ns: all(alerts_in(ns, alert, "firing") >= receivers for alert, receivers in want.items()),
        deadline,
    )

    # The less severe sibling reached Alertmanager and is held back by the inhibition rule.
    query = urllib.parse.quote(f'alertname="{inhibited.name}"')
    end = time.monotonic() + deadline
    inhibited_state: list[dict[str, Any]] = []
    while time.monotonic() < end and not inhibited_state:
        inhibited_state = stack.get(stack.alertmanager_port, f"/api/v2/alerts?filter={query}")
        time.sleep(0.1)
    assert inhibited_state, stack.logs()
    assert inhibited_state[0]["status"]["state"] == "suppressed"
    assert inhibited_state[0]["status"]["inhibitedBy"]
    # While its sibling fires, the inhibited alert reaches nobody, also after a further group interval.
    group_interval_s = (routing.root.timing.group_interval_ms or 0) / 1000
    time.sleep(2 * group_interval_s)  # a bound from the spec: two flushes of every group
    assert alerts_in(stack.sink.snapshot(), inhibited.name, "firing") == set()

    # Resolve the most severe alert: its receivers are told.
    stack.exporter.set(name, labels, safe_value(sibling.thresholds[-1].value, sibling.direction, sibling.inclusive))
    resolve_deadline = (
        model.service.scrape.interval_ms
        + model.prometheus.evaluation_interval_ms
        + (routing.root.timing.group_interval_ms or 0)
    ) / 1000 + STARTUP_ALLOWANCE_S
    notes = stack.sink.wait_for(lambda ns: alerts_in(ns, crit.name, "resolved") >= want[crit.name], resolve_deadline)

    for alert, receivers in want.items():
        assert alerts_in(notes, alert, "firing") == receivers, (alert, receivers)
    assert alerts_in(notes, crit.name, "resolved") == want[crit.name]
    assert alerts_in(notes, inhibited.name, "firing") == set()
    for n in notes:
        for a in n.payload["alerts"]:
            if a["status"] == "firing":
                assert a["annotations"]["summary"] and a["annotations"]["runbook_url"].startswith("https://")
