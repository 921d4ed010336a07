"""Are two sets of Prometheus rules the same rules? The round-trip proof of `monspec import`.

Compared: every alert by name, alerts sharing a name paired by severity (expression in
promql-parser's normalised form, `for`, labels, annotations) and every recording rule by name
(expression). Not differences, and named here:
- the labels monspec adds to every alert when the original has none of that name
  (ADDED_LABELS: `severity`, `priority`, `service`, `indicator`), and the `summary` and
  `description` annotations it writes when the original has none (ADDED_ANNOTATIONS);
- the recording rules monspec adds for threshold indicators: an alert `<record> <op> <n>` whose
  record is one of them is compared with that record's expression inlined, the way Prometheus
  evaluates it (recording rules of a group run before its alerts, in the same cycle).
Group names and order are not compared (see docs/import.md).
"""

from __future__ import annotations

import promql_parser as pp

from generator.importers.rule_files import Rule, RuleGroup
from generator.model.durations import parse_duration

ADDED_LABELS = ("severity", "priority", "service", "indicator")
ADDED_ANNOTATIONS = ("summary", "description")
_COMPARISONS = (">", ">=", "<", "<=")


def normalised(expr: str, inline: dict[str, str] | None = None) -> str:
    """The expression as promql-parser prints it; `<record> <op> <n>` with an inlined record's text."""
    tree = pp.parse(expr)
    if isinstance(tree, pp.BinaryExpr) and str(tree.op) in _COMPARISONS and tree.modifier is None:
        lhs, rhs = tree.lhs, tree.rhs
        if isinstance(lhs, pp.VectorSelector) and inline and lhs.name in inline and len(lhs.matchers.matchers) == 0:
            lhs_text = pp.parse(inline[lhs.name]).prettify()
        else:
            lhs_text = lhs.prettify()
        if isinstance(rhs, pp.NumberLiteral):
            return f"{lhs_text} {tree.op} {float(rhs.val)!r}"
        if isinstance(rhs, pp.UnaryExpr) and isinstance(rhs.expr, pp.NumberLiteral):
            return f"{lhs_text} {tree.op} {-float(rhs.expr.val)!r}"
    return str(tree.prettify())


def _seconds(text: str) -> int:
    return parse_duration(text) if text else 0


def _rules(groups: list[RuleGroup], kind: str) -> dict[str, list[Rule]]:
    out: dict[str, list[Rule]] = {}
    for g in groups:
        for r in g.rules:
            if r.kind == kind:
                out.setdefault(r.name, []).append(r)
    return out


def differences(original: list[RuleGroup], regenerated: list[RuleGroup]) -> list[str]:
    """Every way the regenerated rules differ from the original ones; [] when they are equivalent."""
    found: list[str] = []
    before_rec, after_rec = _rules(original, "record"), _rules(regenerated, "record")
    before_alerts, after_alerts = _rules(original, "alert"), _rules(regenerated, "alert")
    for name, rules in sorted(before_rec.items()):
        theirs = after_rec.get(name, [])
        if not theirs:
            found.append(f"recording rule {name}: missing")
            continue
        ours = {normalised(r.expr) for r in theirs}
        for r in rules:
            if normalised(r.expr) not in ours:
                found.append(f"recording rule {name}: expression {r.expr.strip()!r} missing")
    added = {n: rs[0].expr for n, rs in after_rec.items() if n not in before_rec and len(rs) == 1}
    for name in sorted(set(after_rec) - set(before_rec) - set(added)):
        found.append(f"recording rule {name}: not in the original")
    for name, rules in sorted(before_alerts.items()):
        theirs = after_alerts.get(name, [])
        if len(theirs) != len(rules):
            found.append(f"alert {name}: {len(rules)} in the original, {len(theirs)} regenerated")
            continue
        for mine, other in zip(_paired(rules), _paired(theirs), strict=True):
            found += [f"alert {name}: {d}" for d in _alert_differences(mine, other, added)]
    for name in sorted(set(after_alerts) - set(before_alerts)):
        found.append(f"alert {name}: not in the original")
    return found


def _paired(rules: list[Rule]) -> list[Rule]:
    """Alerts of one name in a comparable order: by severity (monspec writes the least severe
    first, mixins often the most severe), then expression."""
    if len(rules) < 2:
        return rules
    return sorted(rules, key=lambda r: (r.labels.get("severity", ""), normalised(r.expr)))


def _alert_differences(mine: Rule, other: Rule, inline: dict[str, str]) -> list[str]:
    out: list[str] = []
    if normalised(mine.expr) != normalised(other.expr, inline):
        out.append(f"expression {normalised(mine.expr)!r} became {normalised(other.expr, inline)!r}")
    if _seconds(mine.duration) != _seconds(other.duration):
        out.append(f"for {mine.duration or '0s'} became {other.duration or '0s'}")
    if mine.keep_firing_for != other.keep_firing_for:
        out.append(f"keep_firing_for {mine.keep_firing_for or 'none'} became {other.keep_firing_for or 'none'}")
    for what, before, after, added in (
        ("label", mine.labels, other.labels, ADDED_LABELS),
        ("annotation", mine.annotations, other.annotations, ADDED_ANNOTATIONS),
    ):
        for key in sorted(set(before) | set(after)):
            if key not in before and key in added:
                continue
            if before.get(key) != after.get(key):
                out.append(f"{what} {key}: {before.get(key)!r} became {after.get(key)!r}")
    return out
