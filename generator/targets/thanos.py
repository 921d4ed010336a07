"""Thanos Ruler: a Prometheus rule file, groups split to the configured size.

Thanos Ruler evaluates against Store APIs that may be partly unavailable; each group's
`partial_response_strategy` (warn: evaluate with what answered, abort: fail the evaluation)
is written when the spec chooses one, else Thanos' default (abort) applies.
"""

from __future__ import annotations

from typing import Any

from generator import conventions as conv
from generator.model import Model
from generator.targets import Output
from generator.targets._rule_groups import split_groups
from generator.targets.prometheus import rule_groups


def render(model: Model) -> list[Output]:
    assert model.output is not None
    rulers = model.output.rulers
    groups: list[dict[str, Any]] = split_groups(rule_groups(model), rulers.max_rules_per_group)
    if rulers.partial_response_strategy:
        groups = [{**g, "partial_response_strategy": rulers.partial_response_strategy} for g in groups]
    return [Output(conv.thanos_rules_path(model.service.name), "yaml", {"groups": groups}, model.source)]
