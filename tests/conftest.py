"""Shared fixtures: the repository layout and the real tools the generated files are proven with."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "spec" / "examples").glob("*.yml"))
OUT = ROOT / "out"

# The smallest spec that compiles to something: one gauge indicator with one threshold.
MINIMAL_SPEC = """version: 1
service: {name: svc, job: svc}
severities: {critical: {}}
metrics: {depth: {type: gauge}}
indicators:
  depth: {gauge: {metric: depth}, thresholds: {critical: 10}}
"""


def run_monspec(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} is not installed: `make test` installs it (apt-get install prometheus "
            "prometheus-alertmanager); the generated files cannot be proven without it"
        )
    return path


@pytest.fixture(scope="session")
def promtool() -> str:
    return _tool("promtool")


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """spec/examples compiled fresh into a scratch out/ (independent of the committed one)."""
    out = tmp_path_factory.mktemp("gen") / "out"
    proc = run_monspec("generate", *map(str, EXAMPLES), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


# Hypothesis profiles: `monspec` (the default, deterministic so `make test` never flakes) and
# `fuzz` (random, selected by `make fuzz` with --hypothesis-profile=fuzz). The fuzz tests take a
# share of max_examples each (tests/test_fuzz.py); tests that set max_examples keep their own.
settings.register_profile(
    "monspec",
    max_examples=240,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("MONSPEC_FUZZ_EXAMPLES", "20500")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.load_profile("monspec")


_STARTED = time.monotonic()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from tests.fuzzing import TALLY

    if TALLY.inputs or TALLY.kills:
        terminalreporter.write_line(f"{TALLY.line()} in {time.monotonic() - _STARTED:.0f}s")
        report = os.environ.get("MONSPEC_FUZZ_TALLY")
        if report:  # tests/run_fuzz.py adds up the tallies of its parallel sessions
            with open(report, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(dataclasses.asdict(TALLY)) + "\n")
