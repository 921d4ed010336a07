"""Prometheus rule files read as Prometheus reads them, keeping where each rule is written.

Used twice: by `monspec import` on the user's files, and by the round-trip check on what monspec
generated from the imported spec. A PrometheusRule object (the Prometheus Operator's CRD) is read
through its `spec`, since kube-prometheus and most Helm charts ship rules only in that form.
Errors carry `file:line:col` so a broken input is found without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import promql_parser as pp
import yaml

RULE_KEYS = frozenset({"alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"})
GROUP_KEYS = frozenset({"name", "interval", "rules", "limit", "query_offset"})


class RuleFileError(Exception):
    """The file is not a Prometheus rule file; `where` is `file:line:col` (or just the file)."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


@dataclass(frozen=True)
class Rule:
    kind: str  # "alert" or "record"
    name: str
    expr: str
    where: str
    duration: str = ""  # `for`, as written
    keep_firing_for: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleGroup:
    name: str
    where: str
    interval: str = ""
    rules: tuple[Rule, ...] = ()
    ignored: tuple[str, ...] = ()  # group keys monspec cannot express (limit, query_offset)


def _where(source: str, node: yaml.Node) -> str:
    return f"{source}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"


def _mapping(node: yaml.Node, source: str, what: str) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        raise RuleFileError(_where(source, node), f"{what} must be a mapping")
    out: dict[str, yaml.Node] = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            raise RuleFileError(_where(source, key), f"{what} has a key that is not a string")
        if key.value in out:
            raise RuleFileError(_where(source, key), f"{what} has the key '{key.value}' twice")
        out[key.value] = value
    return out


def _string(node: yaml.Node, source: str, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise RuleFileError(_where(source, node), f"{what} must be a string")
    return str(node.value)


def _strings(node: yaml.Node | None, source: str, what: str) -> dict[str, str]:
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")):
        return {}
    return {k: _string(v, source, f"{what}.{k}") for k, v in _mapping(node, source, what).items()}


def _rule(node: yaml.Node, source: str, group: str) -> Rule:
    keys = _mapping(node, source, f"a rule of group '{group}'")
    for key, value in keys.items():
        if key not in RULE_KEYS:
            raise RuleFileError(_where(source, value), f"unknown rule key '{key}' in group '{group}'")
    kinds = [k for k in ("alert", "record") if k in keys]
    if len(kinds) != 1:
        raise RuleFileError(_where(source, node), f"a rule of group '{group}' needs exactly one of `alert` or `record`")
    kind = kinds[0]
    name = _string(keys[kind], source, kind)
    if "expr" not in keys:
        raise RuleFileError(_where(source, node), f"rule '{name}' has no `expr`")
    expr_node = keys["expr"]
    expr = _string(expr_node, source, "expr")
    try:
        pp.parse(expr)
    except ValueError as exc:
        raise RuleFileError(_where(source, expr_node), f"rule '{name}': expr is not valid PromQL: {exc}") from exc
    if kind == "record" and ({"for", "keep_firing_for", "annotations"} & keys.keys()):
        raise RuleFileError(_where(source, node), f"recording rule '{name}' has alert-only keys")
    return Rule(
        kind=kind,
        name=name,
        expr=expr,
        where=_where(source, keys[kind]),
        duration=_string(keys["for"], source, "for") if "for" in keys else "",
        keep_firing_for=_string(keys["keep_firing_for"], source, "keep_firing_for")
        if "keep_firing_for" in keys
        else "",
        labels=_strings(keys.get("labels"), source, "labels"),
        annotations=_strings(keys.get("annotations"), source, "annotations"),
    )


def read_rule_file(text: str, source: str) -> list[RuleGroup]:
    """The groups of one rule file (or PrometheusRule object); RuleFileError says where it is not one."""
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise RuleFileError(where, f"not valid YAML: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise RuleFileError(source, f"not valid YAML: {exc}") from exc
    docs = [n for n in nodes if n is not None]
    if len(docs) != 1:
        raise RuleFileError(source, f"a rule file holds one YAML document, this one holds {len(docs)}")
    top = _mapping(docs[0], source, "a rule file")
    if "spec" in top and "groups" not in top:  # a PrometheusRule object
        top = _mapping(top["spec"], source, "spec")
    if "groups" not in top:
        raise RuleFileError(_where(source, docs[0]), "not a Prometheus rule file: no top-level `groups`")
    groups_node = top["groups"]
    if not isinstance(groups_node, yaml.SequenceNode):
        raise RuleFileError(_where(source, groups_node), "`groups` must be a list")
    groups: list[RuleGroup] = []
    for g in groups_node.value:
        keys = _mapping(g, source, "a rule group")
        if "name" not in keys:
            raise RuleFileError(_where(source, g), "a rule group has no `name`")
        name = _string(keys["name"], source, "name")
        unknown = sorted(set(keys) - GROUP_KEYS)
        if unknown:
            raise RuleFileError(_where(source, keys[unknown[0]]), f"unknown key '{unknown[0]}' in group '{name}'")
        rules_node = keys.get("rules")
        rules: list[Rule] = []
        if rules_node is not None and not (isinstance(rules_node, yaml.ScalarNode) and rules_node.value == ""):
            if not isinstance(rules_node, yaml.SequenceNode):
                raise RuleFileError(_where(source, rules_node), f"`rules` of group '{name}' must be a list")
            rules = [_rule(r, source, name) for r in rules_node.value]
        groups.append(
            RuleGroup(
                name=name,
                where=_where(source, keys["name"]),
                interval=_string(keys["interval"], source, "interval") if "interval" in keys else "",
                rules=tuple(rules),
                ignored=tuple(k for k in ("limit", "query_offset") if k in keys),
            )
        )
    return groups
