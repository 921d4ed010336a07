"""Parse-time checks of Prometheus alert templates (Go text/template), without Go.

Prometheus parses every annotation of a rule when it loads the rule file and refuses the whole
file if one does not parse; promtool does the same in CI. This module finds the errors Go's
parser reports (unclosed actions, unknown functions, undefined variables, unbalanced control
blocks, malformed literals) so the spec is refused at its own position instead. It accepts
everything Go accepts as far as tests against promtool 2.42 show; when unsure it accepts, and
promtool (run on the generated files in CI) has the last word.
"""

from __future__ import annotations

import re

# Go's builtins and the functions Prometheus adds (template/template.go), as promtool 2.42 knows them.
FUNCTIONS = frozenset(
    {
        "and",
        "call",
        "html",
        "index",
        "slice",
        "js",
        "len",
        "not",
        "or",
        "print",
        "printf",
        "println",
        "urlquery",
        "eq",
        "ge",
        "gt",
        "le",
        "lt",
        "ne",
        "query",
        "first",
        "label",
        "value",
        "strvalue",
        "args",
        "reReplaceAll",
        "safeHtml",
        "match",
        "title",
        "toUpper",
        "toLower",
        "graphLink",
        "tableLink",
        "sortByLabel",
        "humanize",
        "humanize1024",
        "humanizeDuration",
        "humanizePercentage",
        "humanizeTimestamp",
        "toTime",
        "pathPrefix",
        "externalURL",
        "parseDuration",
        "stripPort",
        "stripDomain",
    }
)
# Prometheus prefixes every alert template with these definitions.
PREDEFINED = frozenset({"$", "$labels", "$externalLabels", "$externalURL", "$value"})
_BLOCKS = ("if", "with", "range", "define", "block")
_KEYWORDS = frozenset({*_BLOCKS, "else", "end", "template", "break", "continue"})

_TOKEN = re.compile(
    r"""(?P<space>\s+)
    |(?P<string>"(?:[^"\\\n]|\\.)*")
    |(?P<raw>`[^`]*`)
    |(?P<char>'(?:[^'\\\n]|\\[^\n]+?)')
    |(?P<number>[+-]?(?:\.[0-9]|[0-9])[0-9A-Za-z_.]*(?:[eEpP][+-][0-9_]+)?[0-9A-Za-z_.]*)
    |(?P<variable>\$[\w]*(?:\.[\w]+)*)
    |(?P<field>(?:\.[\w]+)+|\.)
    |(?P<ident>[^\W\d]\w*(?:\.[\w]+)*)
    |(?P<declare>:=)
    |(?P<assign>=)
    |(?P<punct>[|(),])
    """,
    re.VERBOSE,
)
_NUMBER = re.compile(
    r"[+-]?(?:0[xX][0-9a-fA-F_]+(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?[0-9_]+)?"
    r"|0[bB][01_]+|0[oO][0-7_]+|0[0-7_]*"
    r"|[1-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9_]+)?"
    r"|[0-9_]*\.[0-9_]+(?:[eE][+-]?[0-9_]+)?|[0-9][0-9_]*\.(?:[eE][+-]?[0-9_]+)?"
    r"|0[0-9_]*(?:\.[0-9_]*)?[eE][+-]?[0-9_]+|0[0-9_]*\.[0-9_]*)i?"
)
_ESCAPE = re.compile(r"\\(?:[abfnrtv\\]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3})")


class TemplateError(ValueError):
    """What Go's template parser would say, in its own words where they are clear."""


def _check_escapes(body: str, quote: str) -> None:
    rest = _ESCAPE.sub("", body.replace("\\" + quote, ""))
    if "\\" in rest:
        raise TemplateError("invalid escape sequence in a quoted string")


_OPERANDS = frozenset({"string", "raw", "char", "number", "variable", "field", "ident"})


def _tokens(action: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    spaced = True  # Go needs a space between two operands: `{{ $labels. }}` or `{{ ..}}` do not parse
    while pos < len(action):
        m = _TOKEN.match(action, pos)
        if not m or m.end() == pos:
            ch = action[pos]
            if ch in "\"'`":
                raise TemplateError("unterminated quoted string or character constant")
            raise TemplateError(f"unexpected {ch!r} in an action")
        kind = m.lastgroup or ""
        text = m.group(0)
        pos = m.end()
        if kind == "space":
            spaced = True
            continue
        if out and not spaced and (kind in _OPERANDS or text == "("):
            previous_kind, previous = out[-1]
            chained_field = kind == "field" and text != "." and previous == ")"
            if (previous_kind in _OPERANDS or previous == ")") and not chained_field:
                raise TemplateError(f"unexpected {text[:20]!r} right after {previous[:20]!r}")
        spaced = False
        if kind == "string":
            _check_escapes(text[1:-1], '"')
        elif kind == "char":
            body = text[1:-1]
            if len(body) != 1 and not _ESCAPE.fullmatch(body) and body != "\\'":
                raise TemplateError(f"malformed character constant: {text}")
        elif kind == "number" and not _NUMBER.fullmatch(text):
            raise TemplateError(f"bad number syntax: {text!r}")
        out.append((kind, text))
    return out


def actions(text: str) -> list[str]:
    """The inside of every action, trim markers and comments removed; raises on an unclosed one."""
    found = []
    pos = 0
    while (start := text.find("{{", pos)) >= 0:
        i = start + 2
        if text.startswith("- ", i) or text.startswith("-\t", i) or text.startswith("-\n", i):
            i += 2
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise TemplateError("unclosed comment")
            close = end + 2
            if text.startswith(" -}}", close):
                close += 2
            if not text.startswith("}}", close):
                raise TemplateError("comment ends before closing delimiter")
            pos = close + 2
            continue
        j = i
        while True:
            if j >= len(text):
                raise TemplateError("unclosed action")
            if text.startswith("}}", j):
                break
            if text.startswith("{{", j):
                raise TemplateError("an action opens inside another")
            ch = text[j]
            if ch in "\"`'":
                j = _quoted_end(text, j)
                continue
            j += 1
        inner = text[i:j]
        if inner.endswith((" -", "\t-", "\n-")):
            inner = inner[:-2]
        found.append(inner)
        pos = j + 2
    return found


def _quoted_end(text: str, i: int) -> int:
    quote, j = text[i], i + 1
    while j < len(text):
        if text[j] == "\\" and quote != "`":
            j += 2
            continue
        if text[j] == quote:
            return j + 1
        if text[j] == "\n" and quote != "`":
            break
        j += 1
    raise TemplateError("unterminated quoted string or character constant")


def check(text: str) -> None:
    """Raise TemplateError with Go's reason when `text` would not parse as an alert template."""
    scopes: list[set[str]] = [set(PREDEFINED)]  # variables declared in a block end with it
    stack: list[str] = []  # open blocks; "else" entries mark an if/with/range past its {{else}}
    for action in actions(text):
        tokens = _tokens(action)
        if not tokens:
            raise TemplateError("missing value for command (an empty action)")
        kind, word = tokens[0]
        rest = tokens[1:]
        if kind == "ident" and word in _KEYWORDS:
            if word in ("if", "with", "range"):
                if not rest:
                    raise TemplateError(f"missing value for {word}")
                stack.append(word)
                scopes.append(set())
                _pipeline(rest, scopes, declarations=2 if word == "range" else 1)
                continue
            elif word in ("define", "block", "template"):
                if not rest or rest[0][0] not in ("string", "raw"):
                    raise TemplateError(f"{{{{{word}}}}} needs a quoted template name")
                if word != "template":
                    stack.append(word)
                    scopes.append(set())
                rest = rest[1:]
            elif word == "else":
                if not stack or stack[-1] not in ("if", "with", "range"):
                    raise TemplateError("unexpected {{else}}" if not stack else "expected {{end}}, found {{else}}")
                if rest and rest[0] == ("ident", "if") and stack[-1] == "if":
                    rest = rest[1:]
                    if not rest:
                        raise TemplateError("missing value for else-if")
                elif rest:
                    raise TemplateError("unexpected words after {{else}}")
                else:
                    stack[-1] = "else"
            elif word == "end":
                if not stack:
                    raise TemplateError("unexpected {{end}}")
                if rest:
                    raise TemplateError("unexpected words after {{end}}")
                stack.pop()
                scopes.pop()
            else:  # break, continue
                if "range" not in stack:
                    raise TemplateError(f"{{{{{word}}}}} outside {{{{range}}}}")
                if rest:
                    raise TemplateError(f"unexpected words after {{{{{word}}}}}")
        else:
            rest = tokens
        _pipeline(rest, scopes)
    if stack:
        raise TemplateError(f"unclosed {{{{{stack[-1]}}}}}: missing {{{{end}}}}")


def _pipeline(tokens: list[tuple[str, str]], scopes: list[set[str]], declarations: int = 1) -> None:
    # Declarations first: `$x := ...` or `$i, $v := ...` (range); `$x = ...` assigns.
    for i, (kind, _) in enumerate(tokens):
        if kind in ("declare", "assign"):
            names = tokens[:i]
            if not names or any(k not in ("variable", "punct") for k, _ in names):
                raise TemplateError(f"unexpected {tokens[i][1]!r} in an action")
            variables = [t for k, t in names if k == "variable"]
            if len(variables) > declarations:
                raise TemplateError("too many declarations in command")
            if kind == "declare":
                scopes[-1].update(variables)
            tokens = tokens[i + 1 :]
            if not tokens:
                raise TemplateError("missing value for command")
            break
    depth = 0
    for kind, text in tokens:
        if kind == "punct":
            if text == "(":
                depth += 1
            elif text == ")":
                depth -= 1
                if depth < 0:
                    raise TemplateError("unexpected right paren")
            elif text == ",":
                raise TemplateError("unexpected ',' in an action")
        elif kind in ("declare", "assign"):
            raise TemplateError(f"unexpected {text!r} in an action")
        elif kind == "variable":
            name = text.split(".", 1)[0]
            if not any(name in scope for scope in scopes):
                raise TemplateError(f'undefined variable "{name}"')
        elif kind == "ident":
            name = text.split(".", 1)[0]
            if name in _KEYWORDS:
                raise TemplateError(f"unexpected {{{{{name}}}}} inside an action")
            if name in ("true", "false", "nil") and "." in text:
                raise TemplateError(f"unexpected . after term {name!r}")
            if name not in FUNCTIONS and name not in ("true", "false", "nil"):
                raise TemplateError(f'function "{name}" not defined')
    if depth:
        raise TemplateError("unclosed left paren")
