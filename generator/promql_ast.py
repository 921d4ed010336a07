"""The few facts about a PromQL expression's nodes that Prometheus' error positions depend on."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Problem:
    message: str
    pos: int  # offset in the expression, in characters


@dataclass(slots=True)
class Node:
    kind: str  # number string selector matrix subquery call aggregate binary paren unary
    pos: int
    type: str  # scalar vector matrix string
    children: list[Node] = field(default_factory=list)
    name: str = ""  # function, aggregation op, binary op, unary op, metric name
    op_pos: int = 0
    matchers: list[tuple[str, str, str]] = field(default_factory=list)
    offset: bool = False
    at: bool = False
    bool_: bool = False
    on: bool = False
    labels: list[str] = field(default_factory=list)
    include: list[str] = field(default_factory=list)
    card: str = "one-to-one"
