"""Rewrite the golden reports of tests/review/golden/ from the variants: `python tests/regen_review.py`.

Review the diff of the golden files like any output change: they are what a reviewer reads.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_review_diff import GOLDEN, pairs, report  # noqa: E402


def main() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for base, head in pairs():
        for fmt, suffix in (("markdown", ".md"), ("json", ".json")):
            (GOLDEN / f"{head.stem}{suffix}").write_text(report(base, head, fmt))
    print(f"wrote {len(pairs()) * 2} golden reports to {GOLDEN.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
