"""Grafana Mimir / Cortex ruler: one namespace file as `mimirtool rules load` reads it.

The rules are those of rules.yml, in groups no longer than `output.rulers.max_rules_per_group`:
a Mimir ruler shards whole groups over its replicas, so a group is the unit of scale-out, and
Mimir rejects groups above its per-tenant `ruler_max_rules_per_rule_group` limit.
"""

from __future__ import annotations

from generator import conventions as conv
from generator.model import Model
from generator.targets import Output
from generator.targets._rule_groups import split_groups
from generator.targets.prometheus import rule_groups


def render(model: Model) -> list[Output]:
    assert model.output is not None  # rendered only when the model asks for the profile
    rulers = model.output.rulers
    groups = split_groups(rule_groups(model), rulers.max_rules_per_group)
    content = {"namespace": rulers.mimir_namespace, "groups": groups}
    return [Output(conv.mimir_rules_path(model.service.name, rulers.mimir_namespace), "yaml", content, model.source)]
