"""thresholds/order: thresholds grow with severity in the indicator's direction.

Severities are declared most severe first. For `direction: above` a more severe level must have
a strictly higher threshold; for `below` a strictly lower one. Otherwise the less severe alert
could never fire alone and inhibition would silence the wrong one.

Pass::

    auth_failure_ratio: {..., thresholds: {warning: 0.05, critical: 0.15}}

Fail::

    auth_failure_ratio: {..., thresholds: {warning: 0.15, critical: 0.05}}
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import Any

from generator.checks import _spec
from generator.diagnostics import Diagnostic, error
from generator.load import Document

NAME = "thresholds/order"


def _value(raw: Any) -> float | None:
    v = raw.get("value") if isinstance(raw, dict) else raw
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def check(doc: Document) -> Iterator[Diagnostic]:
    ranks = {name: i for i, name in enumerate(_spec.section(doc, "severities"))}
    for _, spec, path in _spec.indicators(doc):
        direction = spec.get("direction", "above")
        levels = [(ranks[s], s, _value(raw)) for s, raw in spec.get("thresholds", {}).items() if s in ranks]
        # The schema keeps values finite and within +-1e300; order is all that is left to check.
        levels = sorted((lv for lv in levels if lv[2] is not None), key=lambda lv: lv[0])
        for (_, severe, sv), (_, mild, mv) in pairwise(levels):
            assert sv is not None and mv is not None
            ok = sv > mv if direction == "above" else sv < mv
            if not ok:
                word = "above" if direction == "above" else "below"
                yield error(
                    NAME,
                    f"thresholds.{severe} ({sv:g}) must be {word} thresholds.{mild} ({mv:g}) "
                    f"for a{'n' if direction == 'above' else ''} '{direction}' indicator",
                    doc.span((*path, "thresholds", severe)),
                    f"{severe} is declared more severe than {mild} under `severities`; swap the values"
                    + ("" if "direction" in spec else ", or set `direction: below`"),
                )
