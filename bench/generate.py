"""Generation speed and memory over synthetic specs, plus `monspec validate` start-up time.

Prints figures; asserts nothing (timing belongs here, not in tests). `make bench` runs it.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from synth import synth  # noqa: E402

SIZES = (100, 1000)


def run(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS MiB of the child, exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, check=False)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024, proc.returncode


def main() -> None:
    monspec = [sys.executable, "-m", "generator.cli"]
    smallest = min((ROOT / "spec" / "examples").glob("*.yml"), key=lambda p: p.stat().st_size)
    wall, _, rc = run([*monspec, "validate", str(smallest)])
    print(f"validate {smallest.name}: {wall:.3f} s wall from process start, exit {rc}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in SIZES:
            spec = Path(tmp) / f"synth-{n}.yml"
            spec.write_text(synth(n))
            v_wall, v_peak, v_rc = run([*monspec, "validate", str(spec)])
            g_wall, g_peak, g_rc = run([*monspec, "generate", str(spec), "--out", str(Path(tmp) / f"out-{n}")])
            print(
                f"N={n:>6}: validate {v_wall:.2f} s, peak RSS so far {v_peak:.0f} MiB (exit {v_rc}); "
                f"generate {g_wall:.2f} s, peak RSS so far {g_peak:.0f} MiB (exit {g_rc})"
            )


if __name__ == "__main__":
    main()
