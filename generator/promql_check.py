"""PromQL as Prometheus' own grammar sees it (promql-parser), plus the facts the checks need from it."""

from __future__ import annotations

from dataclasses import dataclass

import promql_parser as pp


@dataclass(frozen=True, slots=True)
class Parsed:
    result_type: str  # vector | scalar | matrix | string
    metric_names: tuple[str, ...]


def _type(node: object) -> str:
    if isinstance(node, pp.NumberLiteral):
        return "scalar"
    if isinstance(node, pp.StringLiteral):
        return "string"
    if isinstance(node, pp.MatrixSelector | pp.SubqueryExpr):
        return "matrix"
    if isinstance(node, pp.ParenExpr | pp.UnaryExpr):
        return _type(node.expr)
    if isinstance(node, pp.BinaryExpr):
        return "scalar" if _type(node.lhs) == _type(node.rhs) == "scalar" else "vector"
    if isinstance(node, pp.Call):
        return str(node.func.return_type).rsplit(".", 1)[-1].lower()
    return "vector"


def parse(expr: str) -> Parsed:
    """Raises ValueError with the parser's message when expr is not valid PromQL."""
    tree = pp.parse(expr)
    names: list[str] = []

    def visit(node: object) -> None:
        if isinstance(node, pp.VectorSelector):
            if node.name:
                names.append(node.name)
            else:
                for m in node.matchers.matchers:
                    if m.name == "__name__" and str(m.op).endswith("Equal") and "Not" not in str(m.op):
                        names.append(m.value)

    pp.walk(tree, visit)
    return Parsed(_type(tree), tuple(dict.fromkeys(names)))
