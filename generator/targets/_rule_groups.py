"""Rule groups cut to a size a scaled-out ruler accepts, never separating a record from its readers.

Prometheus (and Mimir, Thanos, Loki rulers) evaluate the rules of one group in order, so an alert
placed after the record it reads compares the value recorded in the same evaluation. Across groups
nothing is guaranteed: groups run concurrently on their own schedules, and a ruler shards groups
over replicas. So rules that read each other form one indivisible unit (an indicator's record with
its alerts and escalated copies; an objective's chain of records with its burn-rate alerts), and
only whole units are packed into the parts of a split group.
"""

from __future__ import annotations

import re
from typing import Any

from generator import conventions as conv

_NAME = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")


def _units(rules: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rules joined (union-find) with every record of the group they read, in their original order."""
    parent = list(range(len(rules)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    recorded: dict[str, int] = {}
    for i, rule in enumerate(rules):
        for name in _NAME.findall(rule["expr"]):
            if name in recorded:
                parent[find(i)] = find(recorded[name])
        if "record" in rule:
            recorded.setdefault(rule["record"], i)
    members: dict[int, list[dict[str, Any]]] = {}
    for i, rule in enumerate(rules):
        members.setdefault(find(i), []).append(rule)
    # dict order is the order of each unit's first rule: records come first in a group
    return list(members.values())


def split_group(group: dict[str, Any], max_rules: int) -> list[dict[str, Any]]:
    """The group itself when small enough, else parts of whole units each at most `max_rules` long.

    A single unit longer than `max_rules` becomes a part of its own, over the limit: splitting it
    would let an alert read a record from another group (docs/output.md).
    """
    rules = group["rules"]
    if len(rules) <= max_rules:
        return [group]
    parts: list[list[dict[str, Any]]] = [[]]
    for unit in _units(rules):
        if parts[-1] and len(parts[-1]) + len(unit) > max_rules:
            parts.append([])
        parts[-1].extend(unit)
    return [
        {**group, "name": conv.split_group_name(group["name"], i + 1), "rules": part} for i, part in enumerate(parts)
    ]


def split_groups(groups: list[dict[str, Any]], max_rules: int) -> list[dict[str, Any]]:
    return [part for g in groups for part in split_group(g, max_rules)]
