"""Prometheus' checks after parsing (types, argument counts, empty selectors), each at the node it names.

The order is Prometheus': children before their parent for binary, unary and subquery expressions,
a call's argument count before its arguments, so the first problem found is the one promtool prints
first.
"""

from __future__ import annotations

import re

from generator.promql_ast import Node, Problem
from generator.promql_functions import FUNCTIONS
from generator.promql_lex import go_quote

DOCUMENTED = {"vector": "instant vector", "matrix": "range vector", "scalar": "scalar", "string": "string"}
COMPARISONS = {"==", "!=", "<=", "<", ">=", ">"}
SET_OPERATORS = {"and", "or", "unless"}


class _Found(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _fail(pos: int, message: str) -> _Found:
    return _Found(Problem(message, pos))


def _expect(node: Node, want: str, context: str) -> None:
    got = _check(node)
    if got != want:
        raise _fail(node.pos, f"expected type {DOCUMENTED[want]} in {context}, got {DOCUMENTED[got]}")


def _matches_empty(op: str, value: str) -> bool:
    try:
        empty = re.fullmatch(value, "") is not None if op in ("=~", "!~") else value == ""
    except re.error:
        return False
    return empty if op in ("=", "=~") else not empty


def _selector(node: Node) -> None:
    if node.name:
        for label, _op, value in node.matchers:
            if label == "__name__":
                raise _fail(node.pos, f"metric name must not be set twice: {go_quote(node.name)} or {go_quote(value)}")
        return
    if all(_matches_empty(op, value) for _, op, value in node.matchers):
        raise _fail(node.pos, "vector selector must contain at least one non-empty matcher")


def _call(node: Node) -> None:
    sig = FUNCTIONS.get(node.name, None)
    if sig is None:
        return
    count, name = len(node.children), go_quote(node.name)
    if sig.variadic == 0 and count != len(sig.args):
        raise _fail(node.pos, f"expected {len(sig.args)} argument(s) in call to {name}, got {count}")
    least = len(sig.args) - 1
    if sig.variadic != 0 and count < least:
        raise _fail(node.pos, f"expected at least {least} argument(s) in call to {name}, got {count}")
    if sig.variadic > 0 and count > least + sig.variadic:
        raise _fail(node.pos, f"expected at most {least + sig.variadic} argument(s) in call to {name}, got {count}")
    for i, arg in enumerate(node.children):
        if i >= len(sig.args) and sig.variadic == 0:
            break
        _expect(arg, sig.args[min(i, len(sig.args) - 1)], f"call to function {name}")


def _binary(node: Node) -> None:
    lhs, rhs = node.children
    lt, rt = _check(lhs), _check(rhs)
    op = node.name
    if node.bool_ and op not in COMPARISONS:
        raise _fail(node.op_pos, "bool modifier can only be used on comparison operators")
    if op in COMPARISONS and not node.bool_ and lt == rt == "scalar":
        raise _fail(node.op_pos, "comparisons between scalars must use BOOL modifier")
    for label in node.labels:
        if node.on and label in node.include:
            raise _fail(node.op_pos, f"label {go_quote(label)} must not occur in ON and GROUP clause at once")
    for side, t in ((lhs, lt), (rhs, rt)):
        if t not in ("scalar", "vector"):
            raise _fail(side.pos, "binary expression must contain only scalar and instant vector types")
    if lt != "vector" or rt != "vector":
        if node.labels:
            raise _fail(node.pos, "vector matching only allowed between instant vectors")
    elif op in SET_OPERATORS and node.card != "one-to-one":
        raise _fail(node.pos, f"no grouping allowed for {go_quote(op)} operation")
    if "scalar" in (lt, rt) and op in SET_OPERATORS:
        raise _fail(node.pos, f"set operator {go_quote(op)} not allowed in binary scalar expression")


def _aggregate(node: Node) -> None:
    args = node.children
    param: Node | None = None
    inner: Node | None = args[0] if args else None
    if node.name in ("topk", "bottomk", "quantile", "count_values", "limitk", "limit_ratio"):
        if len(args) != 2:
            return
        param, inner = args
    if inner is not None:
        _expect(inner, "vector", "aggregation expression")
    if param is not None:
        _expect(param, "string" if node.name == "count_values" else "scalar", "aggregation parameter")


def _check(node: Node) -> str:
    kind = node.kind
    if kind == "selector":
        _selector(node)
    elif kind == "call":
        _call(node)
    elif kind == "binary":
        _binary(node)
    elif kind == "aggregate":
        _aggregate(node)
    elif kind in ("paren", "matrix"):
        _check(node.children[0])
    elif kind == "unary":
        t = _check(node.children[0])
        if t not in ("scalar", "vector"):
            allowed = "unary expression only allowed on expressions of type scalar or instant vector"
            raise _fail(node.pos, f"{allowed}, got {go_quote(DOCUMENTED[t])}")
    elif kind == "subquery":
        t = _check(node.children[0])
        if t != "vector":
            raise _fail(node.pos, f"subquery is only allowed on instant vector, got {t} instead")
    return node.type


def check(tree: Node) -> Problem | None:
    try:
        _check(tree)
    except _Found as found:
        return found.problem
    return None
