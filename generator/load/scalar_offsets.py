"""Where the n-th character of a scalar's value stands in the spec's text.

A diagnostic inside a value (a PromQL token in `expr`) must point into the source, but YAML decodes
what it reads: quotes and escapes vanish, `''` is one quote, a folded or multi-line plain scalar turns
line breaks into spaces, a block scalar drops its indentation. This module decodes the scalar's source
again, keeping for every decoded character the source index it came from. When its decoding does not
give back exactly the loaded value (a YAML corner it does not model), it says so (None) and the caller
falls back to the whole value's span: a position is never guessed.
"""

from __future__ import annotations

import re

_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
    "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip
_HEX = {"x": 2, "u": 4, "U": 8}
_BLOCK_HEADER = re.compile(r"[|>]([-+]?)([1-9]?)([-+]?)[ \t]*(?:#.*)?$")


def _fold(pieces: list[tuple[str, int]], text: str, i: int, end_chars: str) -> int:
    """Line folding inside a flow scalar: a break (and the next line's indent) is one space, or the
    empty lines' newlines. Trailing spaces before the break are dropped. Returns the index after it."""
    while pieces and pieces[-1][0] in " \t" and pieces[-1][1] >= 0 and text[pieces[-1][1]] in " \t":
        pieces.pop()
    breaks = 0
    while i < len(text) and text[i] in "\r\n":
        i += 2 if text.startswith("\r\n", i) else 1
        breaks += 1
        while i < len(text) and text[i] in " \t":
            i += 1
    if breaks == 1:
        pieces.append((" ", i))
    else:
        pieces.extend(("\n", i) for _ in range(breaks - 1))
    return i


def _double(text: str, i: int) -> list[tuple[str, int]] | None:
    pieces: list[tuple[str, int]] = []
    i += 1
    while i < len(text):
        ch = text[i]
        if ch == '"':
            return [*pieces, ("", i)]
        if ch == "\\":
            nxt = text[i + 1 : i + 2]
            if nxt in _ESCAPES:
                pieces.append((_ESCAPES[nxt], i))
                i += 2
            elif nxt in _HEX:
                width = _HEX[nxt]
                pieces.append((chr(int(text[i + 2 : i + 2 + width], 16)), i))
                i += 2 + width
            elif nxt in ("\n", "\r"):
                i += 1
                while i < len(text) and text[i] in "\r\n":
                    i += 1
                    break
                while i < len(text) and text[i] in " \t":
                    i += 1
            else:
                return None
        elif ch in "\r\n":
            i = _fold(pieces, text, i, '"')
        else:
            pieces.append((ch, i))
            i += 1
    return None


def _single(text: str, i: int) -> list[tuple[str, int]] | None:
    pieces: list[tuple[str, int]] = []
    i += 1
    while i < len(text):
        ch = text[i]
        if ch == "'":
            if text.startswith("''", i):
                pieces.append(("'", i))
                i += 2
                continue
            return [*pieces, ("", i)]
        if ch in "\r\n":
            i = _fold(pieces, text, i, "'")
        else:
            pieces.append((ch, i))
            i += 1
    return None


def _plain(text: str, i: int, end: int) -> list[tuple[str, int]]:
    pieces: list[tuple[str, int]] = []
    while i < end:
        if text[i] in "\r\n":
            i = _fold(pieces, text, i, "")
        else:
            pieces.append((text[i], i))
            i += 1
    return pieces


def _block(text: str, i: int, end: int) -> list[tuple[str, int]] | None:
    line_end = text.find("\n", i)
    header = text[i : line_end if line_end >= 0 else len(text)]
    m = _BLOCK_HEADER.match(header)
    if m is None or line_end < 0:
        return None
    folded = header[0] == ">"
    lines: list[tuple[int, int]] = []  # (start, stop) of each content line
    pos = line_end + 1
    while pos < end:
        stop = text.find("\n", pos)
        stop = end if stop < 0 or stop > end else stop
        lines.append((pos, stop))
        pos = stop + 1
    content = [(a, b) for a, b in lines if text[a:b].strip()]
    if not content:
        return []
    first = content[0]
    indent = len(text[first[0] : first[1]]) - len(text[first[0] : first[1]].lstrip(" "))
    pieces: list[tuple[str, int]] = []
    previous_normal = False
    for a, b in lines:
        body = a + min(indent, b - a)
        line = text[body:b]
        normal = bool(line) and line[0] not in " \t"
        if pieces and folded and previous_normal and normal and pieces[-1][0] == "\n":
            pieces[-1] = (" ", pieces[-1][1])
        pieces.extend((ch, body + k) for k, ch in enumerate(line))
        pieces.append(("\n", b))
        if line or not folded:
            previous_normal = normal
    return pieces


def offsets(text: str, start: int, end: int, value: str) -> list[int] | None:
    """For each character of value, its index in text, and one more: where the value ends (a quoted
    scalar's closing quote, or just after the last character). The scalar's source is text[start:end]."""
    lead = text[start : start + 1]
    if lead == '"':
        pieces = _double(text, start)
    elif lead == "'":
        pieces = _single(text, start)
    elif lead in ("|", ">"):
        pieces = _block(text, start, end)
    else:
        pieces = _plain(text, start, end)
    if pieces is None:
        return None
    if not pieces or pieces[-1][0] != "":
        pieces.append(("", pieces[-1][1] + 1 if pieces else start))
    decoded = "".join(ch for ch, _ in pieces)
    if decoded == value:
        return [pos for _, pos in pieces]
    # Block scalars' final newlines depend on the chomping indicator: compare what the value keeps.
    if lead in ("|", ">") and decoded.rstrip("\n") == value.rstrip("\n") and len(value) <= len(decoded):
        kept = pieces[: len(value)]
        return [pos for _, pos in kept] + [kept[-1][1] + 1 if kept else start]
    return None


def _index(text: str, line: int, col: int) -> int:
    """The index in text of a 1-based line and column."""
    pos = 0
    for _ in range(line - 1):
        pos = text.index("\n", pos) + 1
    return pos + col - 1


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def inner_span(
    text: str, span: tuple[int, int, int, int], value: str, start: int, end: int
) -> tuple[int, int, int, int] | None:
    """The 1-based (line, col, end line, end col) of value[start:end], the scalar at span; None if unknown."""
    try:
        first, last = _index(text, span[0], span[1]), _index(text, span[2], span[3])
    except ValueError:
        return None
    where = offsets(text, first, last, value)
    if where is None:
        return None
    start = min(start, len(where) - 1)  # past the last character: the end of the value (end of input)
    line, col = _line_col(text, where[start])
    stop = where[min(end, len(where) - 1) - 1] + 1 if end > start + 1 else where[start] + 1
    end_line, end_col = _line_col(text, stop)
    return line, col, end_line, end_col
