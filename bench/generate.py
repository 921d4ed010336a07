"""Generation speed and memory at N = 100, 1,000 and 10,000 indicators, beside the floor below them.

    python bench/generate.py [N ...]      (`make bench` runs it, then bench/latency.py)

For each N (bench/synth.py: two thresholds, labels, a panel, a route and a log counter per
indicator) it prints wall time and peak memory of `monspec validate` and of `monspec generate`
(all targets; CPU time too, steadier on a shared machine), each in its own process, and the
floor: PyYAML's C dumper alone serialising the same output documents. It prints the growth from
1,000 to 10,000, `monspec validate` start-up on the smallest seed example (bytecode compiled, as
installed), and checks the largest output with `promtool check rules`, so a fast path can never
emit something the tests would refuse. Figures only; nothing is asserted.
"""

from __future__ import annotations

import compileall
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from synth import synth  # noqa: E402

SIZES = (100, 1000, 10_000)
TARGETS = {"wall_10k_s": 1.5, "peak_10k_mib": 400, "growth": 12, "startup_s": 0.3}


def run(args: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, peak RSS (MiB) of this child alone, exit code, stderr."""
    wall, _, peak, rc, err = run_timed(args)
    return wall, peak, rc, err


def run_timed(args: list[str]) -> tuple[float, float, float, int, str]:
    """Wall seconds, CPU seconds (user + system), peak RSS (MiB) of this child alone, exit code, stderr."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), err


def floor(spec: Path) -> tuple[float, int]:
    """PyYAML's C dumper alone over the documents `generate` writes (seconds, documents)."""
    import yaml

    from generator.compile import compile_specs
    from generator.targets import all_targets

    (model,) = compile_specs([spec], render=False).models
    documents = [o.content for t in all_targets().values() for o in t(model) if o.format in ("yaml", "json")]
    start = time.perf_counter()
    for d in documents:
        yaml.dump(d, Dumper=yaml.CSafeDumper, sort_keys=False, default_flow_style=False, width=1_000_000)
    return time.perf_counter() - start, len(documents)


def main() -> None:
    sizes = tuple(int(a) for a in sys.argv[1:]) or SIZES
    monspec = [sys.executable, "-m", "generator.cli"]
    smallest = min((ROOT / "spec" / "examples").glob("*.yml"), key=lambda p: p.stat().st_size)
    # An installed monspec has its bytecode compiled (pip does it); a source tree run with
    # PYTHONDONTWRITEBYTECODE would otherwise compile every module on every start.
    compileall.compile_dir(ROOT / "generator", quiet=1)
    starts = [run_timed([*monspec, "validate", str(smallest)]) for _ in range(5)]
    print(
        f"monspec validate {smallest.name}: {min(s[0] for s in starts):.3f} s wall from process start, "
        f"{min(s[1] for s in starts):.3f} s CPU (best of 5; target < {TARGETS['startup_s']} s)"
    )
    startup = min(s[0] for s in starts)
    generate_wall: dict[int, float] = {}
    generate_peak: dict[int, float] = {}
    floor_wall: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="monspec-bench-") as tmp:
        for n in sizes:
            spec = Path(tmp) / f"synth-{n}.yml"
            spec.write_text(synth(n))
            out = Path(tmp) / f"out-{n}"
            v_wall, v_peak, v_rc, v_err = run([*monspec, "validate", str(spec)])
            g_wall, g_cpu, g_peak, g_rc, g_err = run_timed([*monspec, "generate", str(spec), "--out", str(out)])
            if v_rc or g_rc:
                print(f"N={n}: validate exit {v_rc}, generate exit {g_rc}\n{v_err[-2000:]}{g_err[-2000:]}")
                continue
            generate_wall[n] = g_wall
            generate_peak[n] = g_peak
            files = [p for p in out.rglob("*") if p.is_file()]
            size = sum(p.stat().st_size for p in files) / 2**20
            f_wall, docs = floor(spec)
            floor_wall[n] = f_wall
            print(
                f"N={n:>6}: generate {g_wall:6.2f} s ({g_cpu:.2f} s CPU), peak {g_peak:5.0f} MiB "
                f"({len(files)} files, {size:.0f} MiB) | "
                f"validate {v_wall:5.2f} s, peak {v_peak:4.0f} MiB | "
                f"floor: PyYAML C dumper alone on the {docs} documents {f_wall:6.2f} s"
            )
            if n == max(sizes) and shutil.which("promtool"):
                proc = subprocess.run(
                    ["promtool", "check", "rules", str(out / "synth" / "prometheus" / "rules.yml")],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                found = [line.strip() for line in proc.stdout.splitlines() if "rules found" in line]
                print(f"         promtool check rules on N={n}: exit {proc.returncode} {' '.join(found)}")
    verdicts = [("validate start-up", startup, TARGETS["startup_s"], "s")]
    if 10_000 in generate_wall:
        verdicts += [
            ("generate N=10,000 wall", generate_wall[10_000], TARGETS["wall_10k_s"], "s"),
            ("generate N=10,000 peak", generate_peak[10_000], TARGETS["peak_10k_mib"], "MiB"),
            ("generate N=10,000 vs the PyYAML floor", generate_wall[10_000], floor_wall[10_000], "s"),
        ]
    if 1000 in generate_wall and 10_000 in generate_wall:
        verdicts.append(("growth time(10,000) / time(1,000)", generate_wall[10_000] / generate_wall[1000], 12, "x"))
    print("targets:")
    for what, value, target, unit in verdicts:
        print(f"  {what}: {value:.2f} {unit} (target < {target:g} {unit}): {'met' if value < target else 'NOT met'}")


if __name__ == "__main__":
    main()
