"""`make fuzz`: the fuzz profile's tests in parallel sessions, then one line of totals.

Each test runs in its own pytest process (they share nothing but the CPU), each session appends
its tally to a scratch file, and the totals and the wall time are printed at the end. Exit 1 if
any session failed; its output is printed, with hypothesis' shrunk failing input.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fuzzing import Tally  # noqa: E402

SESSIONS = [
    "tests/test_fuzz.py::test_mutated_small_specs",
    "tests/test_fuzz.py::test_mutated_examples",
    "tests/test_fuzz.py::test_several_specs_at_once",
    "tests/test_fuzz.py::test_random_documents",
    "tests/test_interrupted.py",
]


def main() -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="monspec-fuzz-tally-") as tmp:
        tally_file = Path(tmp) / "tally.jsonl"
        env = {**os.environ, "MONSPEC_FUZZ_TALLY": str(tally_file)}
        procs = [
            (
                target,
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "pytest",
                        "-q",
                        "-p",
                        "no:cacheprovider",
                        target,
                        "--hypothesis-profile=fuzz",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                ),
            )
            for target in SESSIONS
        ]
        failed = []
        for target, proc in procs:
            output, _ = proc.communicate()
            status = "ok" if proc.returncode == 0 else "FAILED"
            print(f"{status:>6}  {target}  ({output.strip().splitlines()[-1] if output.strip() else ''})")
            if proc.returncode != 0:
                failed.append((target, output))
        total = Tally()
        if tally_file.exists():
            for line in tally_file.read_text().splitlines():
                total.add(json.loads(line))
    for target, output in failed:
        print(f"\n===== {target} =====\n{output[-20000:]}")
    print(f"{total.line()} in {time.monotonic() - started:.0f}s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
