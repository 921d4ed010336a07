"""Hostile input through the real CLI: nothing crashes, nothing hangs, out/ is never half-written.

`make test` runs the short hypothesis profile (deterministic, a few hundred inputs); `make fuzz`
selects the `fuzz` profile (random, over 20,000 inputs) and prints the counts at the end. See
tests/fuzzing.py for what each input must satisfy.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import fuzzing
from tests.fuzzing import EXAMPLE_SEEDS, SMALL_SEEDS, Arena, mutated_spec, random_document

FORMATS = st.sampled_from(["parsable", "human", "json"])


def budget(share: float) -> int:
    """This test's part of the profile's max_examples (the profiles live in tests/conftest.py)."""
    return max(10, int(settings.default.max_examples * share))


def promtool_tests_sampled() -> int:
    return 3 if settings.default.max_examples < 1000 else 60


@pytest.fixture
def arena() -> Iterator[Arena]:
    a = Arena(fuzzing.scratch_root())
    try:
        yield a
    finally:
        fuzzing.cleanup(a)


def test_mutated_small_specs(arena: Arena, promtool: str) -> None:
    @settings(max_examples=budget(0.40))
    @given(spec=mutated_spec(SMALL_SEEDS), fmt=FORMATS)
    def run(spec: bytes, fmt: str) -> None:
        arena.run([spec], fmt)

    run()
    arena.prove(promtool, promtool_tests_sampled())


def test_mutated_examples(arena: Arena, promtool: str) -> None:
    @settings(max_examples=budget(0.06))
    @given(spec=mutated_spec(EXAMPLE_SEEDS), fmt=FORMATS)
    def run(spec: bytes, fmt: str) -> None:
        arena.run([spec], fmt)

    run()
    arena.prove(promtool, promtool_tests_sampled())


def test_several_specs_at_once(arena: Arena, promtool: str) -> None:
    """Specs compiled together: duplicate services, one bad spec among good ones."""

    @settings(max_examples=budget(0.08))
    @given(specs=st.lists(mutated_spec(SMALL_SEEDS), min_size=2, max_size=3), fmt=FORMATS)
    def run(specs: list[bytes], fmt: str) -> None:
        arena.run(specs, fmt)

    run()
    arena.prove(promtool, promtool_tests_sampled())


def test_random_documents(arena: Arena) -> None:
    @settings(max_examples=budget(0.46))
    @given(spec=random_document(), fmt=FORMATS)
    def run(spec: bytes, fmt: str) -> None:
        arena.run([spec], fmt)

    run()
