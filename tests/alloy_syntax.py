"""A small parser of Grafana Alloy's configuration syntax, for tests.

Written from the syntax reference (grafana/alloy docs/sources/get-started/configuration-syntax/
syntax.md): a file is a body of attributes (`name = expr`) and blocks (`name.path "label" { body }`);
expressions here are strings (Go escapes), numbers, true/false/null, lists, objects
(`{ key = value, "key" = value }`) and dotted references (`loki.write.default.receiver`).
Comments are `//` and `/* */`. Anything else is a ParseError with its line, so a malformed
generated file fails the tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r]+|//[^\n]*|/\*.*?\*/)
  | (?P<nl>\n)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<raw>`[^`]*`)
  | (?P<number>-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>[{}\[\](),=.])
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", '"': '"'}


class ParseError(ValueError):
    pass


@dataclass
class Block:
    name: str
    label: str | None
    attrs: dict[str, Any] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    line: int = 0

    def all(self, name: str) -> list[Block]:
        return [b for b in self.blocks if b.name == name]


@dataclass(frozen=True)
class Ref:
    path: str


def unquote(text: str, line: int) -> str:
    out, i = [], 1
    while i < len(text) - 1:
        ch = text[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", text[i + 2 : i + 4]):
            out.append(chr(int(text[i + 2 : i + 4], 16)))
            i += 4
        elif nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[i + 2 : i + 6]):
            out.append(chr(int(text[i + 2 : i + 6], 16)))
            i += 6
        else:
            raise ParseError(f"line {line}: invalid escape \\{nxt} in string")
    return "".join(out)


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str, int]] = []
        line, pos = 1, 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m:
                raise ParseError(f"line {line}: unexpected character {text[pos]!r}")
            kind = m.lastgroup or ""
            if kind == "nl":
                self.tokens.append(("nl", "\n", line))
            elif kind != "ws":
                self.tokens.append((kind, m.group(), line))
            line += m.group().count("\n")
            pos = m.end()
        self.tokens.append(("eof", "", line))
        self.i = 0

    def peek(self, skip_nl: bool = True) -> tuple[str, str, int]:
        j = self.i
        while skip_nl and self.tokens[j][0] == "nl":
            j += 1
        return self.tokens[j]

    def next(self, skip_nl: bool = True) -> tuple[str, str, int]:
        while skip_nl and self.tokens[self.i][0] == "nl":
            self.i += 1
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, value: str) -> None:
        kind, text, line = self.next()
        if text != value or kind not in ("punct",):
            raise ParseError(f"line {line}: expected {value!r}, found {text!r}")

    def body(self, end: str) -> Block:
        block = Block("", None)
        while True:
            kind, text, line = self.peek()
            if (end == "eof" and kind == "eof") or (end == "}" and text == "}" and kind == "punct"):
                return block
            if kind != "ident":
                raise ParseError(f"line {line}: expected an attribute or block name, found {text!r}")
            name = self.dotted()
            kind, text, line = self.peek()
            if text == "=":
                self.next()
                if "." in name:
                    raise ParseError(f"line {line}: attribute name {name!r} cannot be dotted")
                if name in block.attrs:
                    raise ParseError(f"line {line}: attribute {name!r} set twice")
                block.attrs[name] = self.expr()
                self.end_of_statement()
            else:
                label = None
                if kind == "string":
                    label = unquote(self.next()[1], line)
                self.expect("{")
                inner = self.body("}")
                self.expect("}")
                self.end_of_statement()
                block.blocks.append(Block(name, label, inner.attrs, inner.blocks, line))

    def end_of_statement(self) -> None:
        kind, text, line = self.peek(skip_nl=False)
        if kind in ("nl", "eof") or text == "}":
            return
        raise ParseError(f"line {line}: expected a new line, found {text!r}")

    def dotted(self) -> str:
        parts = [self.next()[1]]
        while self.peek(skip_nl=False)[1] == ".":
            self.next()
            kind, text, line = self.next()
            if kind != "ident":
                raise ParseError(f"line {line}: expected a name after '.'")
            parts.append(text)
        return ".".join(parts)

    def expr(self) -> Any:
        kind, text, line = self.peek()
        if kind == "string":
            self.next()
            return unquote(text, line)
        if kind == "raw":
            self.next()
            return text[1:-1]
        if kind == "number":
            self.next()
            return float(text) if "." in text or "e" in text.lower() else int(text)
        if kind == "ident":
            if text in ("true", "false", "null"):
                self.next()
                return {"true": True, "false": False, "null": None}[text]
            return Ref(self.dotted())
        if text == "[":
            self.next()
            items = []
            while self.peek()[1] != "]":
                items.append(self.expr())
                if self.peek()[1] == ",":
                    self.next()
                elif self.peek()[1] != "]":
                    raise ParseError(f"line {self.peek()[2]}: expected ',' or ']' in list")
            self.next()
            return items
        if text == "{":
            self.next()
            obj: dict[str, Any] = {}
            while self.peek()[1] != "}":
                kkind, key, kline = self.next()
                if kkind == "string":
                    key = unquote(key, kline)
                elif kkind != "ident":
                    raise ParseError(f"line {kline}: expected an object key, found {key!r}")
                self.expect("=")
                if key in obj:
                    raise ParseError(f"line {kline}: object key {key!r} twice")
                obj[key] = self.expr()
                if self.peek()[1] == ",":
                    self.next()
                elif self.peek()[1] != "}":
                    raise ParseError(f"line {self.peek()[2]}: expected ',' or '}}' in object")
            self.next()
            return obj
        raise ParseError(f"line {line}: expected a value, found {text!r}")


def parse(text: str) -> Block:
    p = _Parser(text)
    root = p.body("eof")
    return root
