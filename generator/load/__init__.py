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


_CParser: Any = getattr(getattr(yaml, "_yaml", None), "CParser", None)


class _Fallback(Exception):
    """The fast path declines: the pure-Python composer handles (and words) this document."""


class _FastComposer(_Core12Resolver):
    """Nodes from libyaml's event stream: libyaml scans and parses (iteratively, in C), this loop
    builds the node tree with the same resolver and marks as the pure-Python composer, and bounds
    the nesting depth itself. Any YAML error is left to the pure-Python composer, whose messages
    the diagnostics are written for."""

    def __init__(self, stream: str) -> None:
        super().__init__()
        self.parser = _CParser(stream)
        self.aliases = 0

    def compose(self) -> yaml.Node | None:
        get = self.parser.get_event
        anchors: dict[str, yaml.Node] = {}
        resolved: dict[tuple[str, bool, bool], str] = {}
        # Open collections: [node, items, the key waiting for its value (mappings)].
        stack: list[list[Any]] = []
        root: yaml.Node | None = None
        documents = 0

        def attach(node: yaml.Node) -> None:
            nonlocal root
            if not stack:
                root = node
                return
            entry = stack[-1]
            if isinstance(entry[0], yaml.MappingNode):
                if entry[2] is None:
                    entry[2] = node
                else:
                    entry[1].append((entry[2], node))
                    entry[2] = None
            else:
                entry[1].append(node)

        def anchor(name: str | None, node: yaml.Node) -> None:
            if name is not None:
                if name in anchors:
                    raise _Fallback  # the pure-Python composer words the duplicate-anchor error
                anchors[name] = node

        while True:
            event = get()
            kind = type(event)
            if kind is yaml.ScalarEvent:
                tag = event.tag
                if tag is None or tag == "!":
                    implicit = event.implicit
                    key = (event.value, implicit[0], implicit[1])
                    tag = resolved.get(key)
                    if tag is None:
                        tag = resolved[key] = self.resolve(yaml.ScalarNode, event.value, implicit)  # type: ignore[no-untyped-call]
                node: yaml.Node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
                anchor(event.anchor, node)
                attach(node)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if len(stack) >= MAX_DEPTH:
                    raise _Fallback
                is_map = kind is yaml.MappingStartEvent
                cls: Any = yaml.MappingNode if is_map else yaml.SequenceNode
                tag = event.tag
                if tag is None or tag == "!":
                    tag = self.DEFAULT_MAPPING_TAG if is_map else self.DEFAULT_SEQUENCE_TAG
                items: list[Any] = []
                node = cls(tag, items, event.start_mark, None, flow_style=event.flow_style)
                anchor(event.anchor, node)
                attach(node)
                stack.append([node, items, None])
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                stack.pop()[0].end_mark = event.end_mark
            elif kind is yaml.AliasEvent:
                if event.anchor not in anchors:
                    raise _Fallback
                self.aliases += 1
                attach(anchors[event.anchor])
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _Fallback
            elif kind is yaml.StreamEndEvent:
                return root


@dataclass(frozen=True)
class Document:
    """A loaded spec: data as JSON-like values, and where each value and mapping key came from."""

    path: str
    text: str
    data: Any
    # 1-based (line, col, end line, end col); Spans are made on demand, as few are ever asked for.
    spans: dict[PathKey, tuple[int, int, int, int]] = field(repr=False)
    key_spans: dict[PathKey, tuple[int, int, int, int]] = field(repr=False)

    def span(self, path: PathKey) -> Span:
        """The span of the value at path, or of its nearest ancestor that exists."""
        p = tuple(path)
        while p not in self.spans and p:
            p = p[:-1]
        return Span(self.path, *self.spans[p])

    def key_span(self, path: PathKey) -> Span:
        """The span of the mapping key that introduces path (falls back to the value)."""
        pos = self.key_spans.get(tuple(path))
        return Span(self.path, *pos) if pos else self.span(path)

    def inner_span(self, path: PathKey, start: int, end: int) -> Span:
        """The span of characters start:end of the string at path (quotes, escapes and folding
        accounted for), or the whole string's span when its source cannot be mapped exactly."""
        from generator.load.scalar_offsets import inner_span

        whole = self.span(path)
        value = self.get(path)
        pos = self.spans.get(tuple(path))
        try:
            found = inner_span(self.text, pos, value, start, end) if pos and isinstance(value, str) else None
        except (ValueError, IndexError):  # a scalar source it cannot decode: the whole value, never a guess
            found = None
        return Span(self.path, *found) if found else whole

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
        self.spans: dict[PathKey, tuple[int, int, int, int]] = {}
        self.key_spans: dict[PathKey, tuple[int, int, int, int]] = {}
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
        s, e = node.start_mark, node.end_mark
        self.spans[path] = (s.line + 1, s.column + 1, e.line + 1, e.column + 1)
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
                            f"duplicate key '{key}' (first defined at line {first[0]})",
                            _span(self.file, key_node),
                            "YAML keeps only one of them; remove or rename the other",
                        )
                    )
                    continue
                ks, ke = key_node.start_mark, key_node.end_mark
                self.key_spans[(*path, key)] = (ks.line + 1, ks.column + 1, ke.line + 1, ke.column + 1)
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


def _compose(text: str) -> tuple[yaml.Node | None, bool]:
    """The root node, and whether the document may contain aliases."""
    if _CParser is not None:
        try:
            fast = _FastComposer(text)
            return fast.compose(), fast.aliases > 0
        except (yaml.YAMLError, _Fallback):
            pass
    composer = _Composer(text)
    try:
        return composer.get_single_node(), True
    finally:
        composer.dispose()


_STR, _NULL, _BOOL, _INT, _FLOAT = (f"tag:yaml.org,2002:{t}" for t in ("str", "null", "bool", "int", "float"))


def _plain_value(tag: str, v: str) -> Any:
    """A resolved scalar as _Converter.scalar() makes it; _Fallback where that would report a problem."""
    if tag == _STR:
        return v
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return v.lower() == "true"
    if tag == _INT:
        if len(v) > MAX_INT_DIGITS:
            raise _Fallback
        if v.startswith("0o"):
            return int(v[2:], 8)
        if v.startswith("0x"):
            return int(v[2:], 16)
        return int(v, 10)
    if tag == _FLOAT:
        low = v.lower()
        if low.endswith(".inf"):
            return float("-inf") if low.startswith("-") else float("inf")
        if low == ".nan":
            return float("nan")
        return float(low)
    raise _Fallback


def _load_events(text: str, display: str) -> Document:
    """Values and spans straight from libyaml's events, without a node tree.

    The node tree (a node and two marks per value) was most of the peak memory of a large spec
    (180 MiB of 345 at 10,000 indicators) and a third of its load time. This builds the same
    Document in one pass for plain specs; anything the node path would report or treat specially
    (anchors, aliases, tags, merge keys, duplicate or complex keys, limits, several documents,
    syntax errors) raises _Fallback or a YAMLError and the node path does the whole job.
    """
    get = _CParser(text).get_event
    resolver = _Core12Resolver()
    resolved: dict[tuple[str, bool, bool], str] = {}
    spans: dict[PathKey, tuple[int, int, int, int]] = {}
    key_spans: dict[PathKey, tuple[int, int, int, int]] = {}
    # Open collections: [value, path, is_map, the key waiting for its value or None, that key's path, start mark].
    stack: list[list[Any]] = []
    root: Any = None
    documents = nodes = 0
    while True:
        event = get()
        kind = type(event)
        if kind is yaml.ScalarEvent:
            if event.anchor is not None or event.tag is not None:
                raise _Fallback
            implicit = event.implicit
            value = event.value
            rkey = (value, implicit[0], implicit[1])
            tag = resolved.get(rkey)
            if tag is None:
                tag = resolved[rkey] = resolver.resolve(yaml.ScalarNode, value, implicit)  # type: ignore[no-untyped-call]
            s, e = event.start_mark, event.end_mark
            top = stack[-1] if stack else None
            if top is not None and top[2] and top[3] is None:  # a mapping key
                if tag == "tag:yaml.org,2002:merge" or value in top[0]:
                    raise _Fallback
                top[3] = value
                path = (*top[1], value)
                top[4] = path
                key_spans[path] = (s.line + 1, s.column + 1, e.line + 1, e.column + 1)
                continue
            nodes += 1
            if nodes > MAX_NODES:
                raise _Fallback
            data = _plain_value(tag, value)
            if top is None:
                spans[()] = (s.line + 1, s.column + 1, e.line + 1, e.column + 1)
                root = data
            elif top[2]:
                spans[top[4]] = (s.line + 1, s.column + 1, e.line + 1, e.column + 1)
                top[0][top[3]] = data
                top[3] = None
            else:
                spans[(*top[1], len(top[0]))] = (s.line + 1, s.column + 1, e.line + 1, e.column + 1)
                top[0].append(data)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if event.anchor is not None or event.tag is not None or len(stack) >= MAX_DEPTH:
                raise _Fallback
            nodes += 1
            if nodes > MAX_NODES:
                raise _Fallback
            is_map = kind is yaml.MappingStartEvent
            container: Any = {} if is_map else []
            top = stack[-1] if stack else None
            if top is None:
                path = ()
                root = container
            elif top[2]:
                if top[3] is None:
                    raise _Fallback  # a mapping or a list as a key
                path = top[4]
                top[0][top[3]] = container
                top[3] = None
            else:
                path = (*top[1], len(top[0]))
                top[0].append(container)
            spans[path] = (0, 0, 0, 0)  # filled in at the end event; inserted now to keep the node path's order
            stack.append([container, path, is_map, None, None, event.start_mark])
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            _, path, _, _, _, s = stack.pop()
            e = event.end_mark
            spans[path] = (s.line + 1, s.column + 1, e.line + 1, e.column + 1)
        elif kind is yaml.AliasEvent:
            raise _Fallback
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Fallback
        elif kind is yaml.StreamEndEvent:
            if not spans:
                raise _Fallback  # an empty spec: the node path words it
            return Document(display, text, root, spans, key_spans)


def load_text(text: str, display: str) -> Document:
    if _CParser is not None:
        try:
            return _load_events(text, display)
        except (yaml.YAMLError, _Fallback):
            pass  # the node path below reports exactly what is wrong
    try:
        root, aliases = _compose(text)
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
        from generator.load.yaml_errors import explain

        why = explain(exc, text)
        raise CompileError([error("load/yaml", why.message, _mark_span(display, why.mark), why.hint)]) from exc
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
    # Without aliases the tree has as many nodes as the text produced; no expansion to measure.
    sizes = _expanded_sizes(root) if aliases else {}
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
