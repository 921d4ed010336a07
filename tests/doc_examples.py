"""The examples in docs/*.md and the generated output they claim, read from the markdown.

A fenced block is tied to a test by an HTML comment on the line before it (invisible on a rendered
page):

    <!-- example: NAME [extends=BASE] -->           a spec (BASE: another example, or a spec file of
                                                    the repository, whose sections it adds to)
    <!-- output: SOURCE FILE [QUERY] [--exact] -->  what generating SOURCE (an example or a spec file)
                                                    writes to FILE (relative to the output directory);
                                                    QUERY selects inside it (a.b[0][key=value][*].c;
                                                    quoted when it has spaces)
    <!-- files: SOURCE [PREFIX] -->                 the files SOURCE generates (under PREFIX), one a line
    <!-- import-input: FILE -->                     a file given to `monspec import`
    <!-- import-output: ARGS... -->                 what `monspec import ARGS` prints

An output block is an excerpt: a mapping names some of the keys, a list some of the items in
order, and every value it shows must be the generated one; with --exact it is the whole value.
A block in a language other than yaml/json must appear verbatim in the file.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parents[1] / "docs"
_MARKER = re.compile(r"<!-- (example|output|files|import-input|import-output): (.*?) -->\n```(\w*)\n(.*?)```", re.S)
_BLOCK = re.compile(r"```(\w*)\n(.*?)```", re.S)


@dataclass(frozen=True)
class Block:
    doc: str
    line: int
    kind: str  # example, output, files, import-input, import-output
    args: tuple[str, ...]
    lang: str
    body: str

    @property
    def where(self) -> str:
        return f"docs/{self.doc}:{self.line}"


def blocks() -> list[Block]:
    found = []
    for path in sorted(DOCS.glob("*.md")):
        text = path.read_text("utf-8")
        for m in _MARKER.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            found.append(Block(path.name, line, m.group(1), tuple(shlex.split(m.group(2))), m.group(3), m.group(4)))
    return found


def unmarked_blocks() -> list[tuple[str, int, str, str]]:
    """Every fenced block without a marker: (doc, line, language, body)."""
    out = []
    for path in sorted(DOCS.glob("*.md")):
        text = path.read_text("utf-8")
        marked = {m.start(3) - 3 for m in _MARKER.finditer(text)}
        for m in _BLOCK.finditer(text):
            if m.start() not in marked:
                out.append((path.name, text.count("\n", 0, m.start()) + 1, m.group(1), m.group(2)))
    return out


def merge(base: Any, extra: Any) -> Any:
    if isinstance(base, dict) and isinstance(extra, dict):
        return {**base, **{k: merge(base[k], v) if k in base else v for k, v in extra.items()}}
    return extra


_STEP = re.compile(r"\.?([^.\[\]]+)|\[(\*|-?\d+|[^=\]]+=[^\]]*)\]")


def select(data: Any, query: str) -> Any:
    """data at query: keys, [N] indices, [key=value] the first list item with that value, [*] each item."""
    if not query:
        return data
    m = _STEP.match(query)
    assert m, query
    rest = query[m.end() :]
    key, bracket = m.group(1), m.group(2)
    if key is not None:
        return select(data[key], rest)
    if bracket == "*":
        return [select(item, rest) for item in data]
    if re.fullmatch(r"-?\d+", bracket):
        return select(data[int(bracket)], rest)
    field, value = bracket.split("=", 1)
    return select(next(item for item in data if str(item.get(field)) == value), rest)


def excerpt_mismatch(expected: Any, actual: Any, where: str = "$") -> str | None:
    """Why expected is not an excerpt of actual (None when it is)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{where}: a mapping in the docs, {type(actual).__name__} generated"
        for key, value in expected.items():
            if key not in actual:
                return f"{where}: no key {key!r} generated (keys: {sorted(actual)})"
            why = excerpt_mismatch(value, actual[key], f"{where}.{key}")
            if why:
                return why
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return f"{where}: a list in the docs, {type(actual).__name__} generated"
        i = 0
        for n, item in enumerate(expected):
            while i < len(actual) and excerpt_mismatch(item, actual[i]) is not None:
                i += 1
            if i == len(actual):
                return f"{where}[{n}]: {item!r} is not generated (in this order)"
            i += 1
        return None
    if expected != actual:
        return f"{where}: {expected!r} in the docs, {actual!r} generated"
    return None
