"""YAML syntax errors as a person would explain them: the line that is wrong, what the parser expected
there and what it found.

PyYAML's own words ("expected <block end>, but found '<block mapping start>'") name its internal
tokens, and for a line it reads as a key without a colon it points at the line after, where it gave
up. Indentation is the usual cause, so the explanation names the columns involved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.diagnostics import printable


@dataclass(frozen=True, slots=True)
class Explained:
    message: str
    mark: Any  # a yaml Mark: where the diagnostic points
    hint: str


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _open_key(lines: list[str], before: int) -> tuple[int, str] | None:
    """The nearest key above line `before` (0-based) whose value is empty: what an item may belong to."""
    for index in range(before - 1, -1, -1):
        stripped = lines[index].split(" #")[0].rstrip()
        if stripped.endswith(":") and not stripped.lstrip().startswith("#"):
            return index + 1, stripped.strip().rstrip(":").lstrip("- ")
    return None


def _over_indented(lines: list[str], mark: Any) -> Explained | None:
    """`key: value` on a line indented deeper than the `key: value` above: read as that value's continuation."""
    line = lines[mark.line] if mark.line < len(lines) else ""
    head = line[: mark.column].strip()
    above = next((lines[i] for i in range(mark.line - 1, -1, -1) if lines[i].strip()), None)
    if not head or " " in head or above is None or ": " not in above or _indent(above) >= _indent(line):
        return None
    return Explained(
        f"invalid YAML: `{head}:` is indented deeper (column {_indent(line) + 1}) than the key above it "
        f"(column {_indent(above) + 1}), so the parser read it as part of that key's value",
        mark,
        f"align `{head}:` with the key above it, at column {_indent(above) + 1}",
    )


def _block_end(exc: Any, lines: list[str]) -> Explained | None:
    found, mark, start = str(exc.problem), exc.problem_mark, exc.context_mark
    if start is None or mark is None or "while parsing a block mapping" not in str(exc.context):
        return None
    cols = f"column {start.column + 1} (line {start.line + 1})"
    if "<block mapping start>" in found:
        above = next((i for i in range(mark.line - 1, -1, -1) if lines[i].strip()), None)
        deeper = above is not None and _indent(lines[above]) > mark.column
        join = (
            f"to column {_indent(lines[above]) + 1} to join the keys of line {above + 1}, or "
            if deeper and above is not None
            else ""
        )
        return Explained(
            f"invalid YAML: this key is at column {mark.column + 1}, but the keys of its mapping are at {cols}",
            mark,
            f"the parser expected a key at column {start.column + 1} or the end of that mapping; indent this "
            f"line {join}to column {start.column + 1} for a key of the mapping at line {start.line + 1}",
        )
    if "'-'" in found:
        owner = _open_key(lines, mark.line)
        under = f" (line {owner[0]}, `{owner[1]}:`)" if owner else ""
        return Explained(
            f"invalid YAML: a list item where the mapping at {cols} expects a key",
            mark,
            f"the parser expected a key at column {start.column + 1} and found '-': "
            f"indent the item deeper than the key it belongs to{under}",
        )
    return Explained(
        f"invalid YAML: the parser expected a key of the mapping at {cols}, but found {found.split('found ')[-1]}",
        mark,
        "write `key: value` at that column; a value continued on another line must be indented deeper "
        "than its key, or quoted",
    )


def explain(exc: Any, text: str) -> Explained:
    """A yaml.MarkedYAMLError in plain words, at the line that is wrong."""
    problem = printable(exc.problem or exc.context or "invalid YAML", 200)
    context = str(exc.context or "")
    mark = exc.problem_mark or exc.context_mark
    lines = _lines(text)
    if "could not find expected ':'" in problem and exc.context_mark is not None:
        key = exc.context_mark
        above = next((ln for ln in reversed(lines[: key.line]) if ln.strip()), "")
        return Explained(
            f"invalid YAML: line {key.line + 1} is read as a key, but has no ':'",
            key,
            "the parser expected `key: value`; if this line continues the value above, indent it deeper "
            f"than that value's key (column {_indent(above) + 1}), or quote the whole value",
        )
    if problem.startswith("expected <block end>"):
        found = _block_end(exc, lines)
        if found:
            return found
    if "mapping values are not allowed here" in problem and mark is not None:
        over = _over_indented(lines, mark)
        if over:
            return over
        return Explained(
            "invalid YAML: a ': ' inside a plain value (the parser read it as the start of a mapping)",
            mark,
            'quote the value, e.g. summary: "Error: too deep"; or, if a new key starts here, put it on its own line',
        )
    if "found undefined alias" in problem:
        return Explained(
            f"invalid YAML: {problem}",
            mark,
            "an alias (*name) refers to an anchor (&name) defined earlier in the file; define it or write the value",
        )
    if "found character '\\t'" in problem:
        return Explained(f"invalid YAML: {problem}", mark, "YAML forbids tabs for indentation; use spaces")
    if "another document" in problem:
        return Explained(
            "invalid YAML: a spec is a single YAML document, but a second one starts here",
            mark,
            "remove the second '---' document, or put it in its own spec file",
        )
    if "while scanning a quoted scalar" in context and exc.context_mark is not None:
        start = exc.context_mark
        return Explained(
            f"invalid YAML: {problem} inside the quoted string opened at line {start.line + 1}",
            start,
            f"close the quote opened at line {start.line + 1}, column {start.column + 1}"
            + (
                "; in double quotes a backslash starts an escape: write \\\\ or use single quotes"
                if "escape" in problem
                else ""
            ),
        )
    if context.startswith("while parsing a flow") and exc.context_mark is not None:
        start = exc.context_mark
        return Explained(
            f"invalid YAML: {problem}",
            mark,
            f"the parser expected ',' or the closing bracket of the {context.split()[-1]} opened at line "
            f"{start.line + 1}, column {start.column + 1}; separate entries with commas and close it",
        )
    return Explained(
        f"invalid YAML: {problem}",
        mark,
        f"the parser {'was ' + context + ' and ' if context else ''}stopped here; check the indentation "
        "and quoting of this line and the one above",
    )
