"""Objectives in the model, in rules.yml and in their generated tests: labels routing relies on,
severity mapping, the excerpts the tests load, and tests that fail when the rules are wrong."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from generator.load import load_text
from generator.model.build import build
from tests.conftest import OUT

SPEC = """version: 1
service: {name: shop, job: shop, metric_prefix: shop_, labels: {team: web}}
severities: {critical: {priority: P1}, warning: {priority: P2}, info: {priority: P3}}
metrics:
  requests_total: {type: counter}
  errors_total: {type: counter}
objectives:
  %s
  slos:
    availability:
      ratio: {bad: errors_total, total: requests_total}
      target: 0.999
      owner: web-team
    checkout:
      ratio: {good: requests_total, total: requests_total}
      target: 0.99
      page: warning
      ticket: info
"""


def model(section: str = ""):  # type: ignore[no-untyped-def]
    return build(load_text(SPEC % section, "shop.yml"))


def test_default_severities_page_most_severe_ticket_next() -> None:
    m = model()
    availability = m.objectives[0]
    assert availability.page.rule.severity.name == "critical"
    assert availability.ticket.rule.severity.name == "warning"
    assert availability.absent.severity.name == "warning"
    checkout = m.objectives[1]
    assert (checkout.page.rule.severity.name, checkout.ticket.rule.severity.name) == ("warning", "info")


def test_section_overrides_severities() -> None:
    m = model("page: warning\n  ticket: info")
    assert (m.objectives[0].page.rule.severity.name, m.objectives[0].ticket.rule.severity.name) == ("warning", "info")


def test_every_objective_alert_carries_the_routing_labels() -> None:
    m = model()
    rules = {r.name: r for r in m.alert_rules()}
    for obj in m.objectives:
        for rule in obj.alert_rules():
            assert rules[rule.name] is rule, "objective alerts must be in Model.alert_rules()"
            labels = dict(rule.labels)
            assert labels["service"] == "shop" and labels["objective"] == obj.key and labels["team"] == "web"
            assert labels["priority"] == rule.severity.priority
            assert labels["severity"] == rule.severity.name
    assert dict(m.objectives[0].page.rule.labels)["owner"] == "web-team"


def test_windows_and_factors_follow_the_workbook() -> None:
    obj = model().objectives[0]
    page = [(w.long_ms // 60_000, w.short_ms // 60_000, w.factor) for w in obj.page.windows]
    ticket = [(w.long_ms // 60_000, w.short_ms // 60_000, w.factor) for w in obj.ticket.windows]
    assert page == [(60, 5, 14.4), (360, 30, 6.0)]
    assert ticket == [(1440, 120, 3.0), (4320, 360, 1.0)]
    assert obj.page.rule.expr == (
        "(job:shop_availability_errors:burnrate1h > 14.4 and job:shop_availability_errors:burnrate5m > 14.4) or "
        "(job:shop_availability_errors:burnrate6h > 6 and job:shop_availability_errors:burnrate30m > 6)"
    )
    windows = [w for w, _ in obj.ratio_records]
    assert [w // 60_000 for w in windows] == [5, 30, 60, 120, 360, 1440, 4320, 43200]


def test_long_windows_never_read_raw_series() -> None:
    obj = model().objectives[0]
    exprs = {r.record: r.expr for r in obj.records}
    for window_ms, record in obj.ratio_records:
        if window_ms > 6 * 3600_000:
            assert "rate(" not in exprs[record] and "sum_over_time(job:shop_availability_" in exprs[record]
    assert exprs[obj.budget_remaining_record] == "1 - job:shop_availability_errors:ratio_rate30d / 0.001"


def excerpts() -> list[Path]:
    return sorted(OUT.glob("*/prometheus/testdata/objective-*.rules.yml"))


def test_examples_have_objective_tests() -> None:
    services = {p.parts[-4] for p in excerpts()}
    assert services == {"moltbot", "express-api", "security-platform"}


@pytest.mark.parametrize("excerpt", excerpts(), ids=lambda p: f"{p.parts[-4]}/{p.name}")
def test_test_excerpt_is_verbatim_from_rules_yml(excerpt: Path) -> None:
    """The objective tests load an excerpt; it must be exactly the objective's rules in rules.yml."""
    rules = yaml.safe_load((excerpt.parents[1] / "rules.yml").read_text())
    groups = {g["name"]: g for g in rules["groups"]}
    subset = yaml.safe_load(excerpt.read_text())["groups"]
    assert subset
    for group in subset:
        full = groups[group["name"]]
        assert group["interval"] == full["interval"]
        positions = [full["rules"].index(rule) for rule in group["rules"]]  # ValueError if not verbatim
        assert positions == sorted(positions)
    test_file = excerpt.parents[1] / excerpt.name.replace(".rules.yml", ".test.yml")
    assert yaml.safe_load(test_file.read_text())["rule_files"] == [f"testdata/{excerpt.name}"]


MUTATIONS = [
    # (what breaks, pattern in the excerpt, replacement): each must make a generated test fail
    ("page factor too high: 14.4x no longer pages", r"burnrate1h > 14\.4", "burnrate1h > 20"),
    ("page factor too low: 10x pages", r"(burnrate1h > )14\.4( and \S+ > )14\.4", r"\g<1>9\g<2>9"),
    ("ticket without its short window", r" and job:\S+burnrate2h > 3\)", ")"),
    ("1d window derived over 2h", r"(ratio_rate1d\n    expr: [^\n]*?)\[1d\]([^\n]*?)\[1d\]", r"\1[2h]\2[2h]"),
    ("absent alert on the wrong record", r"absent\(job:(\S+)_events:rate5m\)", r"absent(job:\1_errors:rate1h)"),
]


@pytest.mark.parametrize(("what", "pattern", "repl"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_objective_tests_catch_broken_rules(promtool: str, tmp_path: Path, what: str, pattern: str, repl: str) -> None:
    source = OUT / "moltbot" / "prometheus"
    root = tmp_path / "prometheus"
    shutil.copytree(source, root)
    excerpt = root / "testdata" / "objective-gateway_uptime.rules.yml"
    text = excerpt.read_text()
    mutated, n = re.subn(pattern, repl, text, count=1)
    assert n == 1, f"no match for {pattern!r}"
    excerpt.write_text(mutated)
    ok = subprocess.run([promtool, "check", "rules", str(excerpt)], capture_output=True, text=True)
    assert ok.returncode == 0, f"{what}: the mutant must still be valid rules\n{ok.stdout}{ok.stderr}"
    proc = subprocess.run(
        [promtool, "test", "rules", "objective-gateway_uptime.test.yml"], cwd=root, capture_output=True, text=True
    )
    assert proc.returncode != 0, f"{what}: promtool still passed"
    assert "FAILED" in proc.stdout + proc.stderr
