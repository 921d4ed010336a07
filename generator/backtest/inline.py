"""Recording-rule references replaced by the rules' own expressions, so an alert runs on raw history.

A changed or new recording rule has no stored history, and a stored one may be recorded by an older
definition than the one under review; only raw series reach into the past as they are. A reference
`r` to a recording rule becomes its expression with the rule's labels set (`label_replace`, as a
recording rule overrides them); a range over it, `r[1d]`, becomes a subquery of that expression at
the interval the rule's group runs at, which samples it where the rule would have recorded it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta

import promql_parser as pp

from generator.backtest.rules import RecordRule
from generator.model.promql import quote


class InlineError(ValueError):
    """An expression that cannot be rewritten over raw series; the message names the selector."""


def _duration(td: timedelta) -> str:
    return str(pp.display_duration(td))


def _modifiers(sel: pp.VectorSelector) -> str:
    out = ""
    if sel.offset is not None and sel.offset.total_seconds():
        out += f" offset {_duration(sel.offset)}"
    if sel.at is not None:
        out += f" @ {sel.at}"
    return out


def _matches(m: pp.Matcher, value: str) -> bool:
    op = m.op
    if op in (pp.MatchOp.Equal, pp.MatchOp.NotEqual):
        hit = value == m.value
        return hit if op == pp.MatchOp.Equal else not hit
    hit = re.fullmatch(m.value, value, re.DOTALL) is not None
    return hit if op == pp.MatchOp.Re else not hit


def _selected(sel: pp.VectorSelector, rules: tuple[RecordRule, ...]) -> tuple[RecordRule, ...]:
    """The definitions of a record that the selector's matchers keep, decided on their static labels."""
    kept = []
    for rule in rules:
        static = dict(rule.labels)
        ok = True
        for m in sel.matchers.matchers:
            if m.name == "__name__":
                continue
            if m.name not in static:
                raise InlineError(
                    f"{sel} selects recorded series by label {m.name!r}, which the recording rule does not set; "
                    "run the backtest with --records stored"
                )
            ok = ok and _matches(m, static[m.name])
        if ok:
            kept.append(rule)
    if not kept:
        raise InlineError(f"{sel} matches none of the definitions of recording rule {sel.name!r}")
    return tuple(kept)


class Inliner:
    """Rewrites expressions over the recording rules RECORDS (by record name), memoising each record."""

    def __init__(self, records: Mapping[str, tuple[RecordRule, ...]]) -> None:
        self._records = records
        self._done: dict[str, str] = {}
        self._busy: set[str] = set()

    def _definition(self, rule: RecordRule) -> str:
        text = f"({self.expr(rule.expr)})"
        for label, value in rule.labels:
            text = f"label_replace({text}, {quote(label)}, {quote(value)}, {quote('')}, {quote('')})"
        return text

    def _record(self, name: str, rules: tuple[RecordRule, ...]) -> str:
        key = name + "\x00" + "\x00".join(str(r.labels) for r in rules)
        if key not in self._done:
            if name in self._busy:
                raise InlineError(f"recording rule {name!r} refers to itself")
            self._busy.add(name)
            try:
                parts = [self._definition(r) for r in rules]
            finally:
                self._busy.discard(name)
            self._done[key] = parts[0] if len(parts) == 1 else "(" + " or ".join(parts) + ")"
        return self._done[key]

    def _absent(self, node: pp.Call) -> pp.Expr | None:
        """absent() of a recorded series takes its labels from the selector's equality matchers; absent() of
        the inlined expression must get the same labels, and no others from the expression's own selectors."""
        arg = node.args[0] if node.args else None
        if not isinstance(arg, pp.VectorSelector) or not self._records.get(arg.name or ""):
            return None
        inner = self._replace(arg)
        if inner is None:
            return None
        text = f"absent({inner} * 1)"
        equal: dict[str, str | None] = {}
        for m in arg.matchers.matchers:
            if m.op == pp.MatchOp.Equal and m.name != "__name__":
                equal[m.name] = m.value if m.name not in equal else None
        for label, value in sorted(equal.items()):
            if value is not None:
                text = f"label_replace({text}, {quote(label)}, {quote(value)}, {quote('')}, {quote('')})"
        return pp.parse(text)

    def _replace(self, node: pp.Expr) -> pp.Expr | None:
        if isinstance(node, pp.Call) and node.func.name == "absent":
            return self._absent(node)
        if isinstance(node, pp.MatrixSelector):
            sel = node.vector_selector
            rules = self._records.get(sel.name or "")
            if not rules or sel.name is None:
                return None
            kept = _selected(sel, rules)
            step = min(r.interval_s for r in kept)
            text = f"({self._record(sel.name, kept)})[{_duration(node.range)}:{step}s]{_modifiers(sel)}"
            return pp.parse(text)
        if isinstance(node, pp.VectorSelector):
            rules = self._records.get(node.name or "")
            if not rules or node.name is None:
                return None
            kept = _selected(node, rules)
            body = self._record(node.name, kept)
            if _modifiers(node):
                # An offset or @ applies to the recorded series: a zero-width subquery evaluates the
                # expression at exactly that shifted instant.
                step = min(r.interval_s for r in kept)
                body = f"last_over_time(({body})[{step}s:{step}s]{_modifiers(node)})"
            return pp.parse(body)
        return None

    def expr(self, text: str) -> str:
        """TEXT with every reference to a recording rule replaced; unchanged when it has none."""
        tree = pp.parse(text)
        return str(pp.transform(tree, pre_visit=self._replace))
