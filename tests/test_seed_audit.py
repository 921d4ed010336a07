"""Each seed guide, element by element (docs/seeds/): every faithful and changed row holds in out/.

The rows are data (docs/seeds/<seed>.yml); the tables people read are rendered from them, so a
table cannot say something the test does not check. A faithful row proves, from the committed
out/, that the generated file does what the guide says; a changed row proves what it does instead
(and the reason is the spec's own). A missing row must say why it is not monitoring configuration;
a row that waits for another branch's general mechanism names that branch. There is no verdict
for "changed wrongly": such an element is a bug, fixed in the spec or the compiler.
"""

from __future__ import annotations

import pytest

from tests import seed_audit as audit

SEEDS = list(audit.SEEDS.values())


def _rows() -> list[object]:
    return [
        pytest.param(seed, e, id=f"{seed.key}-{e.number}")
        for seed in SEEDS
        for e in audit.elements(seed)
        if e.verdict in ("faithful", "changed")
    ]


@pytest.mark.parametrize("seed", SEEDS, ids=lambda s: s.key)
def test_table_is_rendered_from_the_data(seed: audit.Seed) -> None:
    assert seed.table_path.exists(), f"{seed.table_path.name} missing: run python -m tests.seed_audit"
    assert seed.table_path.read_text(encoding="utf-8") == audit.render(seed), (
        f"{seed.table_path.name} is stale: run python -m tests.seed_audit"
    )


@pytest.mark.parametrize("seed", SEEDS, ids=lambda s: s.key)
def test_rows_are_well_formed(seed: audit.Seed) -> None:
    rows = audit.elements(seed)
    assert len(rows) >= 30, "an audit lists every element of its guide"
    for e in rows:
        where = f"{seed.key} row {e.number} ({e.element})"
        assert e.verdict in audit.VERDICTS, f"{where}: verdict {e.verdict!r}"
        assert e.quote, f"{where}: no quote of the guide"
        if e.verdict in ("faithful", "changed"):
            assert e.checks, f"{where}: a {e.verdict} row needs a check against out/"
            assert e.spec and e.out, f"{where}: a {e.verdict} row names its spec key and output file"
        if e.verdict in ("changed", "missing", "depends"):
            assert len(e.reason) > 20, f"{where}: a {e.verdict} row says why"
        if e.verdict == "depends":
            assert e.branch in audit.BRANCHES, f"{where}: depends on which branch?"
            assert not e.checks, f"{where}: checked once its branch lands, not before"
        for path in e.spec:
            audit.spec_line(seed, path)  # raises when the spec has no such key


@pytest.mark.parametrize("seed", SEEDS, ids=lambda s: s.key)
def test_guide_lines_quote_the_guide(seed: audit.Seed) -> None:
    folder = audit.guides_dir()
    if folder is None:
        pytest.skip("the seed guides (shared/seeds) are not on this machine")
    lines = (folder / seed.guide_file).read_text(encoding="utf-8").splitlines()
    for e in audit.elements(seed):
        first, last = audit.guide_lines(e.guide)
        assert 1 <= first <= last <= len(lines), f"{seed.key} row {e.number}: lines {e.guide}"
        text = "\n".join(lines[first - 1 : last])
        assert e.quote in text, f"{seed.key} row {e.number}: {e.quote!r} is not at lines {e.guide}"


@pytest.mark.parametrize(("seed", "element"), _rows())
def test_row_holds_in_out(seed: audit.Seed, element: audit.Element) -> None:
    problems = [p for c in element.checks for p in audit.run_check(seed.service, c)]
    assert problems == [], f"{element.element}: {problems}"
