"""`monspec diff`: golden reports for one kind of change at a time, weakening flagged where it should be.

tests/review/variants/ holds a spec (00-base.yml) and a chain of variants, each changing one kind of
thing: thresholds, `for`, alerts removed/renamed/added, a severity, routing, an inhibition, a time
interval, dashboards, logs, an objective. Each consecutive pair's report (markdown and JSON) is
compared with tests/review/golden/ (`python tests/regen_review.py` rewrites them), the JSON against
spec/diff.schema.json, and the subjects flagged as weakening against a table written from what
each change means for detection, not from the tool's output. The same report must come out of the
specs, of the out/ trees they generate, and of two git revisions.
"""

from __future__ import annotations

import itertools
import json
import subprocess
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import ROOT, run_monspec

VARIANTS = ROOT / "tests" / "review" / "variants"
GOLDEN = ROOT / "tests" / "review" / "golden"
SCHEMA = json.loads((ROOT / "spec" / "diff.schema.json").read_text())

# variant -> the (section, subject) pairs whose change weakens detection, from what the change means.
WEAKENED = {
    "01-thresholds": {("alerts", "ErrorRatioCritical critical")},  # 0.05 -> 0.08 on an 'above' indicator
    "02-for": {("alerts", "QueueWarning warning"), ("alerts", "QueueCritical critical")},  # 10m -> 15m
    "03-alerts": {("alerts", "PaymentFailuresWarning warning")},  # removed; the queue alerts are renamed
    "04-severity": {("alerts", "CheckoutDown warning")},  # critical -> warning: also no page any more
    "05-routing": {  # critical alerts no longer reach the team; the team's group_wait grows
        ("alerts", a)
        for a in (
            "ErrorRatioWarning warning",
            "ErrorRatioCritical critical",
            "QueueBacklogWarning warning",
            "QueueBacklogCritical critical",
            "AvailabilityBudgetBurnTicket warning",
            "AvailabilityBudgetBurnPage critical",
            "AvailabilityObjectiveAbsent warning",
            "CheckoutDown warning",
        )
    },
    "06-inhibition": {("inhibit_rules", 'alertname="CheckoutDown" mutes indicator="queue_backlog" on [service]')},
    "07-time-intervals": set(),
    "08-dashboards": set(),
    "09-logs": {("log_sources", "app")},  # a redaction, a kept level and a counter go
    "10-objectives": {("objectives", "availability")},  # 99.9 % -> 99.5 %
}


def pairs() -> list[tuple[Path, Path]]:
    files = sorted(VARIANTS.glob("*.yml"))
    return list(itertools.pairwise(files))


def report(base: Path, head: Path, fmt: str) -> str:
    proc = run_monspec("diff", base.name, head.name, "--format", fmt, cwd=VARIANTS)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_every_variant_has_its_expectation() -> None:
    assert [h.stem for _, h in pairs()] == sorted(WEAKENED)


@pytest.mark.parametrize(("base", "head"), pairs(), ids=[h.stem for _, h in pairs()])
def test_report_equals_golden_and_flags_what_weakens(base: Path, head: Path) -> None:
    text = report(base, head, "markdown")
    assert text == (GOLDEN / f"{head.stem}.md").read_text(), "run python tests/regen_review.py and review the diff"
    raw = report(base, head, "json")
    assert raw == (GOLDEN / f"{head.stem}.json").read_text()
    doc = json.loads(raw)
    jsonschema.validate(doc, SCHEMA)
    assert doc["summary"]["changes"] > 0
    flagged = {(c["section"], c["subject"]) for c in doc["changes"] if c["weakens"]}
    assert flagged == WEAKENED[head.stem]
    assert ("WARNING" in text) == bool(WEAKENED[head.stem])


def test_fail_on_weakening_exits_1() -> None:
    weak = run_monspec("diff", "00-base.yml", "01-thresholds.yml", "--fail-on-weakening", cwd=VARIANTS)
    assert weak.returncode == 1, weak.stderr
    fine = run_monspec("diff", "07-time-intervals.yml", "08-dashboards.yml", "--fail-on-weakening", cwd=VARIANTS)
    assert fine.returncode == 0, fine.stderr


def test_same_report_from_specs_out_trees_and_git_revisions(tmp_path: Path) -> None:
    base, head = VARIANTS / "04-severity.yml", VARIANTS / "05-routing.yml"
    want = [c for c in json.loads(report(base, head, "json"))["changes"]]
    trees = []
    for spec in (base, head):
        out = tmp_path / spec.stem
        proc = run_monspec("generate", str(spec), "--out", str(out))
        assert proc.returncode == 0, proc.stderr
        trees.append(out)
    from_trees = run_monspec("diff", str(trees[0]), str(trees[1]), "--format", "json")
    assert from_trees.returncode == 0, from_trees.stderr
    assert json.loads(from_trees.stdout)["changes"] == want

    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "-C", str(repo)]
    subprocess.run([*git, "init", "-q"], check=True)
    for spec in (base, head):
        (repo / "checkout.yml").write_text(spec.read_text())
        subprocess.run([*git, "add", "checkout.yml"], check=True)
        subprocess.run([*git, "commit", "-qm", spec.stem], check=True)
    from_git = run_monspec("diff", "HEAD~1", "HEAD", "checkout.yml", "--format", "json", cwd=repo)
    assert from_git.returncode == 0, from_git.stderr
    assert json.loads(from_git.stdout)["changes"] == want


def test_unreadable_sides_are_exit_2_with_a_reason(tmp_path: Path) -> None:
    proc = run_monspec("diff", "no-such-thing", str(VARIANTS / "00-base.yml"), cwd=tmp_path)
    assert proc.returncode == 2
    assert "neither a file, a directory nor a git revision" in proc.stderr
    bad = tmp_path / "bad.yml"
    bad.write_text("version: 1\nservice: {name: x}\n")
    proc = run_monspec("diff", str(bad), str(VARIANTS / "00-base.yml"))
    assert proc.returncode == 2
    assert "does not compile" in proc.stderr and "Traceback" not in proc.stderr
