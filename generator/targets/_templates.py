"""The one jinja2 environment of the text targets, with the quoting filters every user string goes through.

Templates never interpolate a user string raw: YAML scalars go through `yaml_str`, Alloy string
literals through `alloy_str`, text that a Go template would evaluate through `go_template_literal`,
markdown through `md` (text), `md_code` (code spans), `md_fence` (code blocks) and `md_url` (link
destinations), and Graphviz strings through `dot_str`.
"""

from __future__ import annotations

import json
import re
from functools import cache
from urllib.parse import quote as url_quote

import jinja2

from generator.model.promql import quote

# Characters Python's str.splitlines() (jinja's indent filter) and YAML treat as line breaks, besides \r and \n.
_LINE_BREAKS = "\x85\u2028\u2029\x0b\x0c\x1c\x1d\x1e"


def _yaml_printable(c: str) -> bool:
    """YAML 1.1's printable set (PyYAML, Promtail's and Filebeat's parsers agree on it)."""
    return (
        c in "\t\n\r"
        or " " <= c <= "~"
        or c == "\x85"
        or "\xa0" <= c <= "\ud7ff"
        or "\ue000" <= c <= "\ufffd"
        or c >= "\U00010000"
    )


# Text made of these alone needs no character-by-character pass in the quoting filters below.
_PLAIN_ASCII = re.compile(r"[\t\x20-\x7e]*")


def yaml_str(value: object) -> str:
    """A YAML double-quoted scalar: JSON's escapes are YAML's, plus escapes for non-printables."""
    text = json.dumps(str(value), ensure_ascii=False)
    if _PLAIN_ASCII.fullmatch(text):
        return text
    return "".join(c if _yaml_printable(c) and c not in _LINE_BREAKS else f"\\u{ord(c):04x}" for c in text)


def alloy_str(value: object) -> str:
    """An Alloy string literal (Go escapes: \\\\, \\", \\n, \\xHH for control characters, \\u for line separators)."""
    text = quote(str(value))
    if _PLAIN_ASCII.fullmatch(text):
        return text
    return "".join(c if c not in _LINE_BREAKS else f"\\u{ord(c):04x}" for c in text)


def go_template_literal(value: str) -> str:
    """Text that Promtail's and Alloy's `replace` stage (a Go text/template) prints as is."""
    return value if "{{" not in value else "{{ " + quote(value) + " }}"


def comment(value: object) -> str:
    """Text safe inside a one-line comment: line breaks (YAML's and splitlines') and control characters escaped."""
    text = str(value)
    if _PLAIN_ASCII.fullmatch(text):
        return text
    return "".join(c if _yaml_printable(c) and c not in "\r\n" + _LINE_BREAKS else f"\\u{ord(c):04x}" for c in text)


# CommonMark line endings, plus the ones Python and YAML see, so no text ever starts a new block.
_MD_BREAK = re.compile("\r\n|[\r\n" + _LINE_BREAKS + "]")
# Characters that open inline markup anywhere in a line (GFM: tables, strikethrough, raw HTML, entities).
_MD_INLINE = re.compile(r"([\\`*\[\]<|~&])|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
# What opens a block at the start of a line: headings, quotes, lists, thematic breaks, setext underlines.
_MD_BLOCK_START = re.compile(r"^([#>+=-])|^(\d+)([.)])")


def _visible(c: str) -> str:
    """Control characters (which markdown renderers drop or choke on) become a visible escape."""
    return c if c == "\t" or (c >= " " and c != "\x7f") else f"\\u{ord(c):04x}"


def _visible_text(text: str) -> str:
    return text if _PLAIN_ASCII.fullmatch(text) else "".join(_visible(c) for c in text)


def _entities(blanks: str) -> str:
    return "".join(f"&#{ord(c)};" for c in blanks)


# Text md() would return unchanged: starts with a letter (no block marker), ends with no blank, holds no
# markup character, and `_` only inside a word. Most names and summaries; checked with one regex.
_MD_PLAIN = re.compile(r"[A-Za-z](?:[A-Za-z0-9 ,.:;/'\"()!?%$@#=+-]|(?<=[A-Za-z0-9])_(?=[A-Za-z0-9]))*(?<! )")


def md(value: object) -> str:
    """Markdown inline text that renders as exactly `value`, in a paragraph, a list item or a table cell.

    Characters that can open inline markup are backslash-escaped (CommonMark lets any ASCII
    punctuation be), `_` only where it could emphasise (not inside snake_case), which also escapes
    `|` for GFM tables; a block marker at the start is escaped; line breaks become `<br>`, so a value
    never ends a table row or starts a block; blanks at either end are kept as entities.
    """
    text = str(value)
    if _MD_PLAIN.fullmatch(text):
        return text
    out = []
    for line in _MD_BREAK.split(text):
        text = _visible_text(line)
        body = text.strip()  # parsers trim Unicode blanks at the edges of cells and paragraphs: keep them as entities
        start = len(text) - len(text.lstrip())
        lead, trail = text[:start], text[start + len(body) :]
        escaped = _MD_INLINE.sub(lambda m: "\\" + m.group(0), body)
        escaped = _MD_BLOCK_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", escaped)
        out.append(_entities(lead) + escaped + _entities(trail))
    return "<br>".join(out)


def md_code(value: object, cell: bool = False) -> str:
    """A code span of `value` on one line; `cell=True` inside a GFM table, where `|` must be `\\|`.

    The fence is one backtick more than the longest run inside; spaces pad it when the text starts
    or ends with a backtick or a space (CommonMark strips one from each side). Line breaks
    become spaces, as a code span would render them anyway.
    """
    text = str(value)
    if (
        _PLAIN_ASCII.fullmatch(text)
        and text[:1] not in ("", " ")
        and text[-1] != " "
        and "`" not in text
        and not (cell and "|" in text)
    ):
        return f"`{text}`"  # no fence longer than one backtick, no padding, nothing to escape
    text = _visible_text(_MD_BREAK.sub(" ", text))
    if cell:
        text = text.replace("|", "\\|")
    longest = max((len(r) for r in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    if not text:
        return ""
    pad = " " if text.strip(" ") and (text[:1] in ("`", " ") or text[-1:] in ("`", " ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_fence(value: object, info: str = "") -> str:
    """A fenced code block of `value`: the fence is longer than any backtick run inside, so no line closes it."""
    text = "\n".join(_MD_BREAK.split(str(value)))
    longest = max((len(r) for r in re.findall("`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def md_url(value: object) -> str:
    """A link destination: characters that end or break one (space, parentheses, `<>`, `|`, quotes) percent-encoded."""
    return url_quote(str(value), safe="/:?#[]@!$&*+,;=%~-._")


def dot_str(value: object) -> str:
    """A Graphviz double-quoted string shown as `value`: `\\` and `"` escaped, line breaks as left-justified `\\l`.

    Backslashes are doubled so that `\\N`, `\\G` and friends in user text are never substituted.
    """
    lines = _MD_BREAK.split(str(value))
    escaped = ["".join(_visible(c) for c in line).replace("\\", "\\\\").replace('"', '\\"') for line in lines]
    return '"' + "\\l".join(escaped) + ('\\l"' if len(lines) > 1 else '"')


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator.templates", ""),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )
    env.filters.update(
        yaml_str=yaml_str,
        alloy_str=alloy_str,
        comment=comment,
        md=md,
        md_code=md_code,
        md_fence=md_fence,
        md_url=md_url,
        dot_str=dot_str,
    )
    return env


def render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)
