"""Where a PromQL expression is wrong, in Prometheus' words: the offset and message promtool reports.

promql-parser stays the judge of validity (generator/promql_check.py); it is asked here only after
it has refused an expression, because its grammar errors carry no position ("invalid promql query").
This module re-reads the expression with Prometheus' grammar: a lexer (generator/promql_lex.py), a
recursive-descent parser that names an unexpected token in the context that Prometheus' parser's
error rules give it ("in grouping opts", "in label matching", "in aggregation", ...), and the type
checks Prometheus runs after parsing (generator/promql_types.py), each placed at the node
Prometheus places it at. tests/test_promql_locate.py holds it to promtool's columns.
"""

from __future__ import annotations

import math
import re

from generator import promql_lex as lex
from generator.promql_ast import Node, Problem
from generator.promql_functions import FUNCTIONS
from generator.promql_lex import Token, go_quote
from generator.promql_literals import duration_problem, number_problem, unquote, value
from generator.promql_types import check


class _Syntax(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


PRECEDENCE = {"or": 1, "and": 2, "unless": 2, "==": 3, "!=": 3, "<=": 3, "<": 3, ">=": 3, ">": 3}
PRECEDENCE |= {"+": 4, "-": 4, "*": 5, "/": 5, "%": 5, "atan2": 5, "^": 6}
METRIC_WORDS = {lex.IDENT, lex.METRIC_IDENT, "by", "without", "offset", "start", "end"}
METRIC_WORDS |= lex.AGGREGATORS | lex.SET_OPERATORS
LABEL_WORDS = {lex.IDENT, lex.METRIC_IDENT} | lex.WORDS
PARAMETRIC = {"topk", "bottomk", "count_values", "quantile", "limitk", "limit_ratio"}
MATCH_OPS = {"=", "!=", "=~", "!~"}
_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens, self.lex_error = lex.tokens(text)
        self.i = 0
        self.problems: list[Problem] = []
        self.context: list[str] = []

    # --- tokens --------------------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token:
        index = self.i + ahead
        if index >= len(self.tokens):
            assert self.lex_error is not None
            raise _Syntax(Problem(self.lex_error.message, self.lex_error.pos))
        return self.tokens[index]

    def take(self) -> Token:
        token = self.peek()
        self.i += 1
        return token

    def unexpected(self, token: Token, context: str | None = None, expected: str = "") -> _Syntax:
        """Prometheus' "unexpected X in C, expected E"; without a rule of its own, the enclosing one's."""
        where = context if context is not None else (self.context[-1] if self.context else "")
        message = f"unexpected {token.describe()}" + (f" in {where}" if where else "")
        message += f", expected {expected}" if expected and context is not None else ""
        return _Syntax(Problem(message, token.pos))

    def note(self, pos: int, message: str) -> None:
        self.problems.append(Problem(message, pos))

    # --- expressions ---------------------------------------------------------------------------

    def parse(self) -> Node:
        node = self.expr(0)
        if self.peek().kind != lex.EOF:
            raise self.unexpected(self.peek())
        return node

    def expr(self, min_prec: int) -> Node:
        node = self.unary()
        while True:
            token = self.peek()
            prec = PRECEDENCE.get(token.kind)
            if prec is None or prec < min_prec:
                return node
            self.take()
            node = self.binary(node, token, prec)

    def binary(self, lhs: Node, op: Token, prec: int) -> Node:
        node = Node("binary", lhs.pos, "vector", name=op.kind, op_pos=op.pos)
        if self.peek().kind == "bool":
            self.take()
            node.bool_ = True
        if self.peek().kind in ("on", "ignoring"):
            node.on = self.take().kind == "on"
            node.labels = self.grouping()
            if self.peek().kind in ("group_left", "group_right"):
                node.card = "many-to-one" if self.take().kind == "group_left" else "one-to-many"
                if self.peek().kind == "(":
                    node.include = self.grouping()
        rhs = self.expr(prec if op.kind == "^" else prec + 1)
        node.children = [lhs, rhs]
        node.type = "scalar" if lhs.type == rhs.type == "scalar" else "vector"
        return node

    def unary(self) -> Node:
        token = self.peek()
        if token.kind not in ("+", "-"):
            return self.postfix(self.primary())
        self.take()
        operand = self.expr(PRECEDENCE["^"])
        if operand.kind == "number":
            operand.pos = token.pos
            return operand
        return Node("unary", token.pos, operand.type, [operand], name=token.kind)

    def primary(self) -> Node:
        token = self.peek()
        kind = token.kind
        if kind == lex.NUMBER:
            self.take()
            problem = number_problem(token.text)
            if problem:
                self.note(token.pos, problem)
            return Node("number", token.pos, "scalar")
        if kind == lex.STRING:
            self.take()
            return Node("string", token.pos, "string")
        if kind == "(":
            self.take()
            inner = self.expr(0)
            if self.peek().kind != ")":
                raise self.unexpected(self.peek())
            self.take()
            return Node("paren", token.pos, inner.type, [inner])
        if kind in lex.AGGREGATORS and self.peek(1).kind in ("(", "by", "without"):
            return self.aggregate()
        if kind == lex.IDENT and self.peek(1).kind == "(":
            return self.call()
        if kind in METRIC_WORDS or kind == "{":
            return self.selector()
        raise self.unexpected(token)

    def selector(self) -> Node:
        token = self.peek()
        node = Node("selector", token.pos, "vector")
        if token.kind != "{":
            self.take()
            node.name = token.text
        if self.peek().kind == "{":
            node.matchers = self.label_matchers()
        return node

    def label_matchers(self) -> list[tuple[str, str, str]]:
        self.take()
        found: list[tuple[str, str, str]] = []
        if self.peek().kind == "}":
            self.take()
            return found
        while True:
            name = self.peek()
            if name.kind != lex.IDENT:
                raise self.unexpected(name, "label matching", 'identifier or "}"')
            self.take()
            op = self.peek()
            if op.kind not in MATCH_OPS:
                raise self.unexpected(op, "label matching", "label matching operator")
            self.take()
            value = self.peek()
            if value.kind != lex.STRING:
                raise self.unexpected(value, "label matching", "string")
            self.take()
            found.append((name.text, op.kind, unquote(value.text)))
            if self.list_ends("}", "label matching"):
                return found

    def list_ends(self, closer: str, context: str) -> bool:
        """Consume a list separator; a trailing comma before the closer is allowed, as in PromQL."""
        after = self.peek()
        if after.kind == closer or (after.kind == "," and self.peek(1).kind == closer):
            self.i += 1 if after.kind == closer else 2
            return True
        if after.kind != ",":
            raise self.unexpected(after, context, f'"," or "{closer}"')
        self.take()
        return False

    def grouping(self) -> list[str]:
        if self.peek().kind != "(":
            raise self.unexpected(self.peek(), "grouping opts", '"("')
        self.take()
        labels: list[str] = []
        if self.peek().kind == ")":
            self.take()
            return labels
        while True:
            label = self.peek()
            if label.kind not in LABEL_WORDS:
                raise self.unexpected(label, "grouping opts", "label")
            self.take()
            if not _LABEL.match(label.text):
                self.note(label.pos, f"unexpected {label.describe()} in grouping opts, expected label")
            labels.append(label.text)
            if self.list_ends(")", "grouping opts"):
                return labels

    def arguments(self) -> list[Node]:
        """A call's or an aggregation's parenthesised arguments (the "(" is next)."""
        if self.peek().kind != "(":
            raise self.unexpected(self.peek())
        self.take()
        args: list[Node] = []
        if self.peek().kind == ")":
            self.take()
            return args
        while True:
            args.append(self.expr(0))
            token = self.peek()
            if token.kind == "," and self.peek(1).kind == ")":
                self.note(token.pos, "trailing commas not allowed in function call args")
                self.i += 2
                return args
            if token.kind == ")":
                self.take()
                return args
            if token.kind != ",":
                raise self.unexpected(token)
            self.take()

    def call(self) -> Node:
        name = self.take()
        args = self.arguments()
        signature = FUNCTIONS.get(name.text)
        if signature is None:
            self.note(name.pos, f"unknown function with name {go_quote(name.text)}")
        returns = signature.returns if signature else "vector"
        return Node("call", name.pos, returns, args, name=name.text)

    def aggregate(self) -> Node:
        op = self.take()
        node = Node("aggregate", op.pos, "vector", name=op.kind)
        self.context.append("aggregation")
        grouped = self.peek().kind in ("by", "without")
        if grouped:
            self.take()
            node.labels = self.grouping()
        args = self.arguments()
        if not grouped and self.peek().kind in ("by", "without"):
            self.take()
            node.labels = self.grouping()
        self.context.pop()
        wanted = 2 if op.kind in PARAMETRIC else 1
        if not args:
            self.note(op.pos, "no arguments for aggregate expression provided")
        elif len(args) != wanted:
            self.note(
                op.pos,
                f"wrong number of arguments for aggregate expression provided, expected {wanted}, got {len(args)}",
            )
        node.children = args
        return node

    # --- modifiers after an expression ---------------------------------------------------------

    def postfix(self, node: Node) -> Node:
        while True:
            kind = self.peek().kind
            if kind == "[":
                node = self.brackets(node)
            elif kind == "offset":
                self.take()
                self.offset(node)
            elif kind == "@":
                self.take()
                self.at(node)
            else:
                return node

    def duration(self) -> Token:
        token = self.take()
        problem = duration_problem(token.text)
        if problem:
            self.note(token.pos, problem)
        return token

    def brackets(self, node: Node) -> Node:
        bracket = self.take()
        if self.peek().kind != lex.DURATION:
            raise self.unexpected(self.peek(), "subquery selector", "duration")
        self.duration()
        token = self.peek()
        if token.kind == "]":
            self.take()
            reason = _range_refusal(node)
            if reason:
                self.note(bracket.pos, reason)
            return Node("matrix", node.pos, "matrix", [node])
        if token.kind != ":":
            raise self.unexpected(token, "subquery or range", '":" or "]"')
        self.take()
        if self.peek().kind == lex.DURATION:
            self.duration()
            if self.peek().kind != "]":
                raise self.unexpected(self.peek(), "subquery selector", '"]"')
        elif self.peek().kind != "]":
            raise self.unexpected(self.peek(), "subquery selector", 'duration or "]"')
        self.take()
        return Node("subquery", node.pos, "matrix", [node])

    def offset(self, node: Node) -> None:
        if self.peek().kind == "-":
            self.take()
        if self.peek().kind != lex.DURATION:
            raise self.unexpected(self.peek(), "offset", "duration")
        self.duration()
        target = _modified(node)
        if target is None:
            message = (
                "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"
            )
            self.note(node.pos, message if node.kind != "matrix" else "ranges only allowed for vector selectors")
        elif target.offset:
            self.note(node.pos, "offset may not be set multiple times")
        else:
            target.offset = True

    def at(self, node: Node) -> None:
        token = self.peek()
        if token.kind in ("start", "end") and self.peek(1).kind == "(" and self.peek(2).kind == ")":
            self.i += 3
        elif token.kind == lex.NUMBER or token.kind in ("+", "-"):
            if token.kind != lex.NUMBER:
                self.take()
            number = self.peek()
            if number.kind != lex.NUMBER:
                raise self.unexpected(number, "@", "timestamp")
            self.take()
            problem = number_problem(number.text)
            if problem:
                self.note(number.pos, problem)
            elif not math.isfinite(value(number.text)) or abs(value(number.text)) >= 2.0**63:
                self.note(node.pos, f"timestamp out of bounds for @ modifier: {value(number.text):f}")
        else:
            raise self.unexpected(token, "@", "timestamp")
        target = _modified(node)
        if target is None:
            message = "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery"
            self.note(node.pos, message if node.kind != "matrix" else "ranges only allowed for vector selectors")
        elif target.at:
            self.note(node.pos, "@ <timestamp> may not be set multiple times")
        else:
            target.at = True


def _modified(node: Node) -> Node | None:
    """The node an offset or @ modifier is stored on: a selector (also inside a range) or a subquery."""
    if node.kind in ("selector", "subquery"):
        return node
    if node.kind == "matrix" and node.children[0].kind == "selector":
        return node.children[0]
    return None


def _range_refusal(node: Node) -> str | None:
    if node.kind != "selector":
        return "ranges only allowed for vector selectors"
    if node.offset:
        return "no offset modifiers allowed before range"
    if node.at:
        return "no @ modifiers allowed before range"
    return None


def locate(expr: str) -> Problem | None:
    """The first error Prometheus reports for expr, or None when this reading finds none."""
    parser = _Parser(expr)
    try:
        tree = parser.parse()
    except _Syntax as exc:
        return parser.problems[0] if parser.problems else exc.problem
    except (IndexError, AssertionError, RecursionError):  # a reading it cannot finish places nothing
        return None
    if parser.problems:
        return parser.problems[0]
    return check(tree)
