"""Load a spec file into plain data plus a span for every node.

PyYAML's composer gives node marks; we convert them once to 1-based spans and keep them in an
index keyed by the node's path (a JSON-pointer-like tuple), so later stages report positions
without carrying YAML nodes around. Scalars follow the YAML 1.2 core schema: only true/false are
booleans and `no`, `on`, `0777` or `12:30` stay what they look like, not YAML 1.1 surprises.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.diagnostics import CompileError, Diagnostic, Span, error, printable

PathKey = tuple[str | int, ...]

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_NODES = 1_000_000
MAX_DEPTH = 64
# Longer integers cannot be thresholds (the schema bounds numbers to 1e300) and Python refuses to
# convert more than 4,300 digits: stop them here, with their position.
MAX_INT_DIGITS = 400


class Core12Resolver(yaml.resolver.BaseResolver):
    """YAML 1.2 core schema resolution (the subset JSON Schema can talk about)."""


_Core12Resolver = Core12Resolver


_Core12Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Core12Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
_Core12Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
_Core12Resolver.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^<<$"), ["<"])
_Core12Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


class _Composer(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer, _Core12Resolver):
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _Core12Resolver.__init__(self)


@dataclass(frozen=True)
class Document:
    """A loaded spec: data as JSON-like values, and where each value and mapping key came from."""

    path: str
    text: str
    data: Any
    spans: dict[PathKey, Span] = field(repr=False)
    key_spans: dict[PathKey, Span] = field(repr=False)

    def span(self, path: PathKey) -> Span:
        """The span of the value at path, or of its nearest ancestor that exists."""
        p = tuple(path)
        while p not in self.spans and p:
            p = p[:-1]
        return self.spans[p]

    def key_span(self, path: PathKey) -> Span:
        """The span of the mapping key that introduces path (falls back to the value)."""
        return self.key_spans.get(tuple(path)) or self.span(path)

    def get(self, path: PathKey, default: Any = None) -> Any:
        node = self.data
        for part in path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return default
        return node


def _span(file: str, node: yaml.Node) -> Span:
    s, e = node.start_mark, node.end_mark
    return Span(file, s.line + 1, s.column + 1, e.line + 1, e.column + 1)


def _mark_span(file: str, mark: Any) -> Span:
    if mark is None:
        return Span(file, 1, 1, 1, 1)
    return Span(file, mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 2)


_CONSTRUCT = yaml.SafeLoader.yaml_constructors
_COLLECTION_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


def _children(node: yaml.Node, keys: bool = True) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for k, v in node.value for n in ((k, v) if keys else (v,))]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _expanded_sizes(root: yaml.Node) -> dict[int, int]:
    """Node count of every subtree with aliases expanded, computed once per distinct node."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if done:
            sizes[id(node)] = 1 + sum(sizes.get(id(c), 1) for c in children)
        else:
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes


def _largest_expansion(root: yaml.Node, sizes: dict[int, int]) -> yaml.Node:
    """Where to point at an alias bomb: up to two levels down, the first value over the limit on its own
    (a top-level key's value, or the anchored list inside it)."""
    node = root
    for _ in range(2):
        big = [c for c in _children(node, keys=False) if sizes.get(id(c), 1) > MAX_NODES]
        if not big:
            break
        node = big[0]
    return node


class _Converter:
    def __init__(self, file: str) -> None:
        self.file = file
        self.spans: dict[PathKey, Span] = {}
        self.key_spans: dict[PathKey, Span] = {}
        self.problems: list[Diagnostic] = []
        self.visited = 0

    def convert(self, node: yaml.Node, path: PathKey, depth: int) -> Any:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise _Abort(
                error(
                    "load/too-large",
                    f"the document expands to more than {MAX_NODES:,} nodes",
                    _span(self.file, node),
                    "YAML aliases multiply what they point at; remove the alias chain",
                )
            )
        if depth > MAX_DEPTH:
            raise _Abort(
                error(
                    "load/too-deep",
                    f"the document nests deeper than {MAX_DEPTH} levels",
                    _span(self.file, node),
                    "flatten the structure; no monspec key nests this deep",
                )
            )
        self.spans[path] = _span(self.file, node)
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _COLLECTION_TAGS:
            self.problems.append(
                error(
                    "load/unknown-tag",
                    f"unknown YAML tag {node.tag!r}",
                    _span(self.file, node),
                    "remove the tag; monspec specs use plain YAML",
                )
            )
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.problems.append(
                        error(
                            "load/merge-key",
                            "YAML merge keys (<<) are not supported",
                            _span(self.file, key_node),
                            "write the keys out, or use a YAML anchor for a whole value",
                        )
                    )
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problems.append(
                        error(
                            "load/complex-key", "mapping keys must be plain strings", _span(self.file, key_node), None
                        )
                    )
                    continue
                key = str(key_node.value)
                if key in out:
                    first = self.key_spans[(*path, key)]
                    self.problems.append(
                        error(
                            "load/duplicate-key",
                            f"duplicate key '{key}' (first defined at line {first.line})",
                            _span(self.file, key_node),
                            "YAML keeps only one of them; remove or rename the other",
                        )
                    )
                    continue
                self.key_spans[(*path, key)] = _span(self.file, key_node)
                out[key] = self.convert(value_node, (*path, key), depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self.scalar(node)

    def scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag == "tag:yaml.org,2002:str":
            return node.value
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return node.value.lower() == "true"
        if tag == "tag:yaml.org,2002:int":
            v = node.value
            digits = len(v.lstrip("+-").removeprefix("0o").removeprefix("0x"))
            if digits > MAX_INT_DIGITS:
                self.problems.append(
                    error(
                        "load/too-large",
                        f"an integer of {digits:,} digits, more than the {MAX_INT_DIGITS} allowed",
                        _span(self.file, node),
                        "numbers in a spec are at most 1e300; quote the value if it is meant as text",
                    )
                )
                return 0
            if v.startswith("0o"):
                return int(v[2:], 8)
            if v.startswith("0x"):
                return int(v[2:], 16)
            return int(v, 10)
        if tag == "tag:yaml.org,2002:float":
            v = node.value.lower()
            if v.endswith(".inf"):
                return float("-inf") if v.startswith("-") else float("inf")
            if v == ".nan":
                return float("nan")
            return float(v)
        if tag in _CONSTRUCT and tag.startswith("tag:yaml.org,2002:"):
            self.problems.append(
                error(
                    "load/unsupported-tag",
                    f"the YAML tag {tag.rsplit(':', 1)[-1]!r} is not supported",
                    _span(self.file, node),
                    "write the value as a plain string or number",
                )
            )
            return node.value
        self.problems.append(
            error(
                "load/unknown-tag",
                f"unknown YAML tag {tag!r}",
                _span(self.file, node),
                "remove the tag; monspec specs use plain YAML",
            )
        )
        return node.value


class _Abort(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


_SAVE = "save the file as UTF-8"
# Byte-order marks of the encodings editors offer besides UTF-8 (UTF-32 first: its LE mark starts like UTF-16's).
_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def read_text(path: Path, display: str) -> str:
    """Read a spec as UTF-8 (a BOM is accepted), refusing what no spec can be."""
    try:
        with open(path, "rb") as fh:  # never more than the limit in memory, whatever the file's size
            raw = fh.read(MAX_FILE_BYTES + 1)
            size = os.fstat(fh.fileno()).st_size
    except OSError as exc:
        raise CompileError(
            [
                error(
                    "load/unreadable",
                    f"cannot read the spec: {exc.strerror or exc}",
                    None,
                    "check the path and its permissions",
                )
            ]
        ) from exc
    if len(raw) > MAX_FILE_BYTES:
        raise CompileError(
            [
                error(
                    "load/too-large",
                    f"the spec is {max(size, len(raw)):,} bytes, more than the {MAX_FILE_BYTES:,} allowed",
                    Span(display, 1, 1, 1, 1),
                    "split the service into several specs",
                )
            ]
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    for bom, name in _WIDE_BOMS:
        if raw.startswith(bom):
            raise CompileError(
                [error("load/encoding", f"the spec is {name} encoded, not UTF-8", Span(display, 1, 1, 1, 1), _SAVE)]
            )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise CompileError(
            [
                error(
                    "load/encoding",
                    f"the spec is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                    Span(display, line, col, line, col + 1),
                    _SAVE,
                )
            ]
        ) from exc


def load_text(text: str, display: str) -> Document:
    try:
        composer = _Composer(text)
        try:
            root = composer.get_single_node()
        finally:
            composer.dispose()
    except RecursionError:
        raise CompileError(
            [
                error(
                    "load/too-deep",
                    f"the document nests deeper than {MAX_DEPTH} levels",
                    Span(display, 1, 1, 1, 1),
                    "flatten the structure; no monspec key nests this deep",
                )
            ]
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = printable(exc.problem or exc.context or "invalid YAML", 200)
        hint = "check indentation and quoting around this position"
        if "found character '\\t'" in problem:
            hint = "YAML forbids tabs for indentation; use spaces"
        elif "another document" in problem:
            problem = "a spec is a single YAML document, but a second one starts here"
            hint = "remove the second '---' document, or put it in its own spec file"
        raise CompileError([error("load/yaml", f"invalid YAML: {problem}", _mark_span(display, mark), hint)]) from exc
    except yaml.YAMLError as exc:
        raise CompileError(
            [error("load/yaml", f"invalid YAML: {printable(str(exc), 200)}", Span(display, 1, 1, 1, 1), None)]
        ) from exc
    if root is None:
        raise CompileError(
            [
                error(
                    "load/empty",
                    "the spec is empty",
                    Span(display, 1, 1, 1, 1),
                    "start with `version: 1` and a `service:` section",
                )
            ]
        )
    sizes = _expanded_sizes(root)
    if sizes.get(id(root), 1) > MAX_NODES:
        culprit = _largest_expansion(root, sizes)
        raise CompileError(
            [
                error(
                    "load/too-large",
                    f"the document expands to {sizes[id(root)]:,} nodes, more than the {MAX_NODES:,} allowed",
                    _span(display, culprit),
                    "YAML aliases multiply what they point at (a 'billion laughs'); remove the alias chain",
                )
            ]
        )
    conv = _Converter(display)
    try:
        data = conv.convert(root, (), 0)
    except _Abort as abort:
        raise CompileError([abort.diagnostic]) from None
    except RecursionError:
        raise CompileError(
            [error("load/too-deep", "the document nests too deeply", Span(display, 1, 1, 1, 1), None)]
        ) from None
    if conv.problems:
        raise CompileError(conv.problems)
    return Document(display, text, data, conv.spans, conv.key_spans)


def load_file(path: Path, display: str | None = None) -> Document:
    shown = display if display is not None else str(path)
    return load_text(read_text(path, shown), shown)
