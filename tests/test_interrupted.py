"""SIGKILL `monspec generate` anywhere: out/ is always the old complete tree or the new one.

A real subprocess compiles several large synthetic specs (bench/synth.py) and is killed at a
seeded random moment: half of the kills at any point of the run, half while the new tree is being
written (once its staging directory appears), where a non-atomic writer would leave a mix. The
next run then removes what the killed one left behind. 5 kills in `make test`, 50 in `make fuzz`.
"""

from __future__ import annotations

import importlib.util
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from hypothesis import settings

from generator.compile import compile_specs
from generator.write import write_tree
from tests.conftest import ROOT
from tests.fuzzing import TALLY, tree

SEED = 20261123
SERVICES = 8
INDICATORS = 10

_synth_spec = importlib.util.spec_from_file_location("synth", ROOT / "bench" / "synth.py")
assert _synth_spec is not None and _synth_spec.loader is not None
synth = importlib.util.module_from_spec(_synth_spec)
_synth_spec.loader.exec_module(synth)


def _write_specs(folder: Path, version: int) -> list[Path]:
    """SERVICES specs; version 2 relabels every alert, so the two trees differ in every rules file."""
    folder.mkdir()
    paths = []
    for i in range(SERVICES):
        text = synth.synth(INDICATORS).replace("name: synth, job: synth", f"name: synth{i}, job: synth{i}")
        if version == 2:
            text = text.replace("labels: {component: c", "labels: {component: v2-c")
        path = folder / f"synth{i}.yml"
        path.write_text(text)
        paths.append(path)
    return paths


def _start(specs: list[Path], out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "generator.cli", "generate", *map(str, specs), "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _staging(parent: Path) -> set[str]:
    return {name for name in os.listdir(parent) if name.startswith(".out.new-")}


def _staging_appears(parent: Path, before: set[str], proc: subprocess.Popen[bytes], limit: float) -> bool:
    """Wait until this run's staging tree exists (earlier kills leave theirs until a run completes)."""
    end = time.monotonic() + limit
    while time.monotonic() < end and proc.poll() is None:
        if _staging(parent) - before:
            return True
        time.sleep(0.0005)
    return False


def test_sigkill_leaves_old_or_new_tree(tmp_path: Path) -> None:
    kills = 5 if settings.default.max_examples < 1000 else 50
    rng = random.Random(SEED)
    specs = {1: _write_specs(tmp_path / "v1", 1), 2: _write_specs(tmp_path / "v2", 2)}
    known = {v: compile_specs(paths).files for v, paths in specs.items()}
    assert known[1] != known[2] and all(known.values())
    parent = tmp_path / "work"
    parent.mkdir()
    out = parent / "out"
    write_tree(out, known[1])

    started = time.monotonic()
    proc = _start(specs[2], out)
    assert proc.wait(timeout=300) == 0, proc.stderr.read() if proc.stderr else ""
    full = time.monotonic() - started
    assert tree(out) == known[2]
    current = 2

    for n in range(kills):
        target = 1 if current == 2 else 2
        before = _staging(parent)
        proc = _start(specs[target], out)
        try:
            if n % 2 == 0:
                time.sleep(rng.uniform(0, full))
            elif _staging_appears(parent, before, proc, full * 3):
                time.sleep(rng.uniform(0, 0.05))
            if _staging(parent) - before:
                TALLY.kills_writing += 1
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait(timeout=60)
            if proc.stderr:
                proc.stderr.close()
        got = tree(out)
        assert got in (known[1], known[2]), f"kill {n}: out/ is neither tree ({len(got)} files)"
        current = 1 if got == known[1] else 2
        TALLY.kills += 1
        if current == target:
            TALLY.kills_new += 1
        else:
            TALLY.kills_old += 1

    # The next complete run replaces out/ and clears the staging trees the kills left behind.
    final = 1 if current == 2 else 2
    proc = _start(specs[final], out)
    assert proc.wait(timeout=300) == 0
    assert tree(out) == known[final]
    assert os.listdir(parent) == ["out"]
