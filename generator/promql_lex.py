"""PromQL tokens with their offsets, as Prometheus' lexer cuts an expression.

promql-parser (generator/promql_check.py) decides whether an expression is valid, but it reports
grammar errors as "invalid promql query" with no position. This lexer and generator/promql_locate.py
find where the error is and word it as Prometheus does, so a diagnostic can underline the token
`promtool check rules` would name. The behaviour follows Prometheus 2.x's lexer (the version
promql-parser declares compatibility with): the same token kinds, the same error messages at the
same offsets. Offsets count characters of the expression.
"""

from __future__ import annotations

from dataclasses import dataclass

OPERATORS = {"+", "-", "*", "/", "%", "^", "==", "!=", "<", "<=", ">", ">=", "=~", "!~", "@"}
AGGREGATORS = {"avg", "bottomk", "count", "count_values", "group", "max", "min", "quantile", "stddev", "stdvar"}
AGGREGATORS |= {"sum", "topk", "limitk", "limit_ratio"}  # the last two: Prometheus 3, as promql-parser knows them
SET_OPERATORS = {"and", "or", "unless"}
KEYWORDS = {"bool", "by", "group_left", "group_right", "ignoring", "offset", "on", "without"}
PREPROCESSORS = {"start", "end"}
# Words the lexer turns into tokens of their own (kind = the lower-cased word), or into numbers.
WORDS = AGGREGATORS | SET_OPERATORS | KEYWORDS | PREPROCESSORS | {"atan2"}
NUMBER_WORDS = {"inf", "nan"}

# Token kinds: the operator or punctuation itself, a keyword word, or one of these.
IDENT, METRIC_IDENT, NUMBER, STRING, DURATION, EOF = (
    "identifier",
    "metric identifier",
    "number",
    "string",
    "duration",
    "eof",
)
PUNCTUATION = {"(", ")", "{", "}", "[", "]", ",", "=", ":"}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    pos: int

    def describe(self) -> str:
        """The token as Prometheus names it in "unexpected ..." messages."""
        if self.kind == EOF:
            return "end of input"
        if self.kind in PUNCTUATION or self.kind in PREPROCESSORS:
            return go_quote(self.text)
        if self.kind in KEYWORDS:
            return f"<{self.text}>"
        if self.kind in OPERATORS or self.kind in SET_OPERATORS or self.kind == "atan2":
            return f"<op:{self.text}>"
        if self.kind in AGGREGATORS:
            return f"<aggr:{self.text}>"
        shown = go_quote(self.text) if len(self.text) <= 10 else go_quote(self.text[:10]) + "..."
        return f"{self.kind} {shown}"


class LexError(Exception):
    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


def go_quote(text: str, quote: str = '"') -> str:
    """Go's %q of a string (or, with quote="'", of a rune)."""
    out = []
    for ch in text:
        if ch == "\\" or ch == quote:
            out.append("\\" + ch)
        elif ch in "\n\t\r\a\b\f\v":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r", "\a": "\\a", "\b": "\\b", "\f": "\\f", "\v": "\\v"}[ch])
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x10000:
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x80 else f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return quote + "".join(out) + quote


def _rune(ch: str | None) -> str:
    return go_quote(ch if ch is not None else "\ufffd", "'")


def _is_alpha(ch: str | None) -> bool:
    return ch is not None and (ch == "_" or "a" <= ch <= "z" or "A" <= ch <= "Z")


def _is_digit(ch: str | None) -> bool:
    return ch is not None and "0" <= ch <= "9"


def _is_alnum(ch: str | None) -> bool:
    return _is_alpha(ch) or _is_digit(ch)


_SPACE = " \t\n\r"


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.start = 0
        self.tokens: list[Token] = []
        self.paren_depth = 0
        self.brace_open = False
        self.bracket_open = False
        self.got_colon = False

    def peek(self) -> str | None:
        return self.text[self.pos] if self.pos < len(self.text) else None

    def next(self) -> str | None:
        ch = self.peek()
        if ch is not None:
            self.pos += 1
        return ch

    def accept(self, valid: str) -> bool:
        ch = self.peek()
        if ch is not None and ch in valid:
            self.pos += 1
            return True
        return False

    def accept_run(self, valid: str) -> None:
        while self.accept(valid):
            pass

    def emit(self, kind: str) -> None:
        self.tokens.append(Token(kind, self.text[self.start : self.pos], self.start))
        self.start = self.pos

    def fail(self, message: str) -> LexError:
        return LexError(message, self.start)

    def run(self) -> list[Token]:
        while True:
            if self.text.startswith("#", self.pos):
                while self.peek() not in (None, "\n", "\r"):
                    self.pos += 1
                self.start = self.pos
                continue
            if self.brace_open:
                self.inside_braces()
                continue
            ch = self.next()
            if ch is None:
                if self.paren_depth != 0:
                    raise self.fail("unclosed left parenthesis")
                if self.bracket_open:
                    raise self.fail("unclosed left bracket")
                self.emit(EOF)
                return self.tokens
            self.statement(ch)

    def statement(self, ch: str) -> None:
        if ch in _SPACE:
            self.start = self.pos
        elif ch in ",*/%+-^@":
            self.emit(ch)
        elif ch == "=":
            if self.accept("="):
                self.emit("==")
            elif self.peek() == "~":
                raise self.fail(f"unexpected character after '=': {_rune('~')}")
            else:
                self.emit("=")
        elif ch == "!":
            after = self.next()
            if after != "=":
                raise self.fail(f"unexpected character after '!': {_rune(after)}")
            self.emit("!=")
        elif ch in "<>":
            self.emit(ch + "=" if self.accept("=") else ch)
        elif _is_digit(ch) or (ch == "." and _is_digit(self.peek())):
            self.pos -= 1
            self.number_or_duration()
        elif ch in "\"'":
            self.string(ch)
        elif ch == "`":
            self.raw_string()
        elif _is_alpha(ch) or ch == ":":
            if not self.bracket_open:
                self.word()
            elif self.got_colon:
                raise self.fail(f"unexpected colon {_rune(ch)}")
            else:
                self.emit(":")
                self.got_colon = True
        elif ch == "(":
            self.emit("(")
            self.paren_depth += 1
        elif ch == ")":
            self.emit(")")
            self.paren_depth -= 1
            if self.paren_depth < 0:  # Prometheus reports it in place of the token, just after it
                self.tokens.pop()
                raise self.fail(f"unexpected right parenthesis {_rune(')')}")
        elif ch == "{":
            self.emit("{")
            self.brace_open = True
        elif ch == "[":
            self.bracket(ch)
        elif ch == "]":
            if not self.bracket_open:
                raise self.fail(f"unexpected right bracket {_rune(']')}")
            self.emit("]")
            self.bracket_open = False
        else:
            raise self.fail(f"unexpected character: {_rune(ch)}")

    def bracket(self, ch: str) -> None:
        if self.bracket_open:
            raise self.fail(f"unexpected left bracket {_rune(ch)}")
        self.got_colon = False
        self.emit("[")
        while (nxt := self.peek()) is not None and nxt in _SPACE:
            self.pos += 1
        self.start = self.pos
        self.bracket_open = True
        if self.scan_number():
            raise self.fail("missing unit character in duration")
        if not self.remaining_duration():
            raise self.fail(f"bad duration syntax: {go_quote(self.text[self.start : self.pos])}")
        self.emit(DURATION)

    def inside_braces(self) -> None:
        ch = self.next()
        if ch is None:
            raise self.fail("unexpected end of input inside braces")
        if ch in _SPACE:
            self.start = self.pos
        elif _is_alpha(ch):
            while _is_alnum(self.peek()):
                self.pos += 1
            self.emit(IDENT)
        elif ch == ",":
            self.emit(",")
        elif ch in "\"'":
            self.string(ch)
        elif ch == "`":
            self.raw_string()
        elif ch == "=":
            self.emit("=~" if self.accept("~") else "=")
        elif ch == "!":
            after = self.next()
            if after not in ("~", "="):
                raise self.fail(f"unexpected character after '!' inside braces: {_rune(after)}")
            self.emit("!" + after)
        elif ch == "{":
            raise self.fail(f"unexpected left brace {_rune(ch)}")
        elif ch == "}":
            self.emit("}")
            self.brace_open = False
        else:
            raise self.fail(f"unexpected character inside braces: {_rune(ch)}")

    def raw_string(self) -> None:
        end = self.text.find("`", self.pos)
        if end < 0:
            raise self.fail("unterminated raw string")
        self.pos = end + 1
        self.emit(STRING)

    def string(self, quote: str) -> None:
        while True:
            ch = self.next()
            if ch == "\\":
                self.escape(quote)
            elif ch is None or ch == "\n":
                raise self.fail("unterminated quoted string")
            elif ch == quote:
                self.emit(STRING)
                return

    def escape(self, quote: str) -> None:
        ch = self.next()
        if ch is not None and ch in "abfnrtv\\" + quote:
            return
        if ch is None:
            raise self.fail("escape sequence not terminated")
        widths = {"x": (2, 16, 255), "u": (4, 16, 0x10FFFF), "U": (8, 16, 0x10FFFF)}
        if ch in "01234567":
            n, base, top = 3, 8, 255
        elif ch in widths:
            n, base, top = widths[ch]
            ch = self.next()
        else:
            raise self.fail(f"unknown escape sequence U+{ord(ch):04X} {_rune(ch)}")
        value = 0
        while n > 0:
            digit = int(ch, 16) if ch is not None and ch in "0123456789abcdefABCDEF" else 16
            if digit >= base:
                if ch is None:
                    raise self.fail("escape sequence not terminated")
                raise self.fail(f"illegal character U+{ord(ch):04X} {_rune(ch)} in escape sequence")
            value = value * base + digit
            n -= 1
            if n > 0:
                ch = self.next()
        if value > top or 0xD800 <= value < 0xE000:
            raise self.fail("escape sequence is an invalid Unicode code point")

    def scan_number(self) -> bool:
        digits = "0123456789"
        if self.accept("0") and self.accept("xX"):
            digits = "0123456789abcdefABCDEF"
        self.accept_run(digits)
        if self.accept("."):
            self.accept_run(digits)
        if self.accept("eE"):
            self.accept("+-")
            self.accept_run("0123456789")
        return not _is_alnum(self.peek())

    def remaining_duration(self) -> bool:
        if not self.accept("smhdwy"):
            return False
        self.accept("s")
        while self.accept("0123456789"):
            self.accept_run("0123456789")
            if not self.accept("smhdw"):
                return False
            self.accept("s")
        following = self.next()
        if _is_alnum(following):
            return False
        if following is not None:
            self.pos -= 1
        return True

    def number_or_duration(self) -> None:
        if self.scan_number():
            self.emit(NUMBER)
        elif self.remaining_duration():
            self.emit(DURATION)
        else:
            raise self.fail(f"bad number or duration syntax: {go_quote(self.text[self.start : self.pos])}")

    def word(self) -> None:
        self.pos -= 1
        while _is_alnum(self.peek()) or self.peek() == ":":
            self.pos += 1
        word = self.text[self.start : self.pos]
        low = word.lower()
        if low in NUMBER_WORDS:
            self.emit(NUMBER)
        elif low in WORDS:
            self.emit(low)
        else:
            self.emit(METRIC_IDENT if ":" in word else IDENT)


def tokens(text: str) -> tuple[list[Token], LexError | None]:
    """The tokens up to the first lexer error, and that error (None when the whole text lexes)."""
    lexer = _Lexer(text)
    try:
        return lexer.run(), None
    except LexError as exc:
        return lexer.tokens, exc


_GROUPING = {"by", "without", "on", "ignoring", "group_left", "group_right"}


def metric_names(text: str) -> dict[str, tuple[int, int]]:
    """Each metric name written as a selector's name, with the offsets of its first occurrence.

    Label names in braces and grouping lists, and function names, are not metric names.
    """
    found: dict[str, tuple[int, int]] = {}
    toks, _ = tokens(text)
    in_grouping = in_braces = False
    for i, token in enumerate(toks):
        before = toks[i - 1].kind if i else ""
        after = toks[i + 1].kind if i + 1 < len(toks) else EOF
        if token.kind in ("{", "}"):
            in_braces = token.kind == "{"
        elif token.kind == "(" and before in _GROUPING:
            in_grouping = True
        elif token.kind == ")":
            in_grouping = False
        elif token.kind in (IDENT, METRIC_IDENT) and not in_grouping and not in_braces and after != "(":
            found.setdefault(token.text, (token.pos, token.pos + len(token.text)))
    return found
