"""Regenerate tests/invalid/*.expected from the current compiler.

Run from anywhere, after a diagnostic message has been changed on purpose:

    python tests/regen_invalid.py            # every case
    python tests/regen_invalid.py NAME ...   # only these cases (file stem or directory name)
    python tests/regen_invalid.py --check    # write nothing; list the cases whose output changed

A case is either tests/invalid/<name>.yml (one spec) or a directory tests/invalid/<name>/ whose
*.yml files are compiled together (for problems that need several specs, such as two specs
defining one service). Its expected output is tests/invalid/<name>.expected: the exact stderr of

    monspec validate --format human <spec>...

run from the repository root. A case that compiles cleanly (exit 0) is not an invalid spec, so no
.expected is written for it; neither is one for a run that crashes (a traceback, or an exit code
other than 2): that is a compiler bug to fix, not a message to record. Either makes this script
exit 1. Always review `git diff tests/invalid` before committing the result.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INVALID = ROOT / "tests" / "invalid"
EXIT_INVALID = 2


@dataclass(frozen=True)
class Case:
    name: str
    specs: tuple[str, ...]  # paths relative to ROOT, as the diagnostics print them

    @property
    def expected(self) -> Path:
        return INVALID / f"{self.name}.expected"


def cases() -> list[Case]:
    """Every case under tests/invalid, sorted by name."""
    found: list[Case] = []
    for entry in sorted(INVALID.iterdir()):
        if entry.is_file() and entry.suffix == ".yml":
            found.append(Case(entry.stem, (entry.relative_to(ROOT).as_posix(),)))
        elif entry.is_dir() and not entry.name.startswith((".", "__")):
            specs = tuple(p.relative_to(ROOT).as_posix() for p in sorted(entry.glob("*.yml")))
            found.append(Case(entry.name, specs))
    return sorted(found, key=lambda c: c.name)


def monspec(*args: str) -> subprocess.CompletedProcess[bytes]:
    """Run the compiler of this checkout from the repository root (so paths print relative)."""
    return subprocess.run(
        [sys.executable, "-m", "generator.cli", *args], cwd=ROOT, capture_output=True, timeout=120, check=False
    )


def validate(case: Case, fmt: str = "human") -> subprocess.CompletedProcess[bytes]:
    return monspec("validate", "--format", fmt, *case.specs)


def refusal(case: Case, proc: subprocess.CompletedProcess[bytes]) -> str | None:
    """Why this output must not become an .expected, or None when it may."""
    output = proc.stdout + proc.stderr
    if not case.specs:
        return "the case directory holds no .yml file"
    if proc.returncode == 0:
        return "the spec is valid (monspec exited 0); make it invalid or delete the case"
    if b"Traceback" in output:
        return f"monspec crashed (exit {proc.returncode}, traceback); that is a compiler bug"
    if proc.returncode != EXIT_INVALID:
        return f"monspec exited {proc.returncode}, not {EXIT_INVALID}; that is a compiler bug"
    if not proc.stderr:
        return "monspec printed no diagnostic"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate tests/invalid/*.expected from the current compiler.")
    parser.add_argument("names", nargs="*", help="cases to regenerate (default: all)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if any .expected is stale")
    args = parser.parse_args(argv)

    everything = cases()
    by_name = {c.name: c for c in everything}
    unknown = [n for n in args.names if n not in by_name]
    if unknown:
        where = INVALID.relative_to(ROOT)
        parser.error(f"no such case: {', '.join(unknown)} (cases live in {where})")
    selected = [by_name[n] for n in args.names] if args.names else everything

    failed = stale = written = 0
    for case in selected:
        proc = validate(case)
        why = refusal(case, proc)
        if why:
            failed += 1
            print(f"REFUSED  {case.name}: {why}", file=sys.stderr)
            if proc.stderr:
                shown = proc.stderr.decode("utf-8", "replace").strip()
                print("         " + shown.replace("\n", "\n         "), file=sys.stderr)
            continue
        current = case.expected.read_bytes() if case.expected.exists() else None
        if current == proc.stderr:
            continue
        stale += 1
        if args.check:
            print(f"STALE    {case.name}", file=sys.stderr)
            continue
        case.expected.write_bytes(proc.stderr)
        written += 1
        print(f"{'updated' if current is not None else 'created':8} {case.expected.relative_to(ROOT)}")

    if not args.names:
        names = {c.name for c in everything}
        for orphan in sorted(INVALID.glob("*.expected")):
            if orphan.stem not in names:
                failed += 1
                print(f"ORPHAN   {orphan.relative_to(ROOT)} has no spec; delete it", file=sys.stderr)

    verb = "stale" if args.check else "written"
    count = stale if args.check else written
    print(f"{len(selected)} case(s): {count} {verb}, {failed} refused", file=sys.stderr)
    return 1 if failed or (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
