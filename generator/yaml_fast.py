"""A block-style YAML emitter for the plain data the targets produce, byte for byte what PyYAML's
dumper writes with monspec's settings, at a fraction of its cost.

Serialising rule files and tests was most of `generate`'s time: PyYAML represents every value as a
node object in Python before its C emitter sees it. The documents monspec writes are dicts, lists,
strings, numbers, booleans and None, so this writes them directly. Scalars whose style is not
obviously plain are asked of PyYAML itself (one string at a time, cached), and anything unusual
(a long key, an odd multi-line string) makes the whole document go through PyYAML, so the output
never differs; tests compare both on every generated file and on random data.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import yaml

from generator.load import Core12Resolver

_PRINTABLE = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")  # ASCII, no space at either end
_PLAIN_START = re.compile(r"[A-Za-z0-9_/$(.]|[-?:][^ ]")
_INDICATOR = re.compile(r": |:$| #|^[#,\[\]{}&*!|>'\"%@`]|^[-?:]$|^[-?:] ")
_RESOLVER = yaml.resolver.Resolver()  # PyYAML's YAML 1.1 rules: what the dumper leaves plain
_CORE12 = Core12Resolver()  # the dumper also quotes what a YAML 1.2 reader would retype
_STR_TAG = "tag:yaml.org,2002:str"
_BREAKS = re.compile("[\n\r\x85\u2028\u2029]")  # a key with a line break is a complex `? ` key
_LITERAL_LINE = re.compile(r"[\x20-\x7e]*")


class Unsupported(Exception):
    """The fast path declines this document; PyYAML writes it."""


def _dumper() -> Any:
    from generator.write import dump_yaml

    return dump_yaml


# First characters no implicit resolver of either YAML version looks at: such a string stays a string.
_UNRESOLVED_START = (
    None
    if None in _RESOLVER.yaml_implicit_resolvers or None in _CORE12.yaml_implicit_resolvers
    else frozenset(_RESOLVER.yaml_implicit_resolvers) | frozenset(_CORE12.yaml_implicit_resolvers)
)


def _stays_string(s: str) -> bool:
    if _UNRESOLVED_START is not None and s[0] not in _UNRESOLVED_START:
        return True  # most names and expressions: no resolver's regexes to try
    return bool(
        _RESOLVER.resolve(yaml.ScalarNode, s, (True, False)) == _STR_TAG  # type: ignore[no-untyped-call]
        and _CORE12.resolve(yaml.ScalarNode, s, (True, False)) == _STR_TAG  # type: ignore[no-untyped-call]
    )


@lru_cache(maxsize=65536)
def scalar(s: str) -> str:
    """A single-line string as PyYAML writes it in block context (plain or quoted)."""
    if _PRINTABLE.fullmatch(s):
        if _INDICATOR.search(s):
            # The dumper's next choice when plain is ruled out by an indicator: single quotes.
            return "'" + s.replace("'", "''") + "'"
        if _PLAIN_START.match(s) and _stays_string(s):
            return s
    text: str = _dumper()([s])
    if not text.startswith("- ") or text.count("\n") != 1:
        raise Unsupported(s)
    return text[2:-1]


def _number(v: int | float) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if v != v:
        return ".nan"
    if v in (float("inf"), float("-inf")):
        return ".inf" if v > 0 else "-.inf"
    text = repr(v).lower()
    if "." not in text and "e" in text:
        text = text.replace("e", ".0e", 1)
    return text


def _literal(s: str, indent: int) -> str:
    """A multi-line string as a literal block whose lines sit at `indent`, as the dumper's `|` style."""
    if s.startswith((" ", "\n")) or "\r" in s:
        raise Unsupported(s)
    body = s.rstrip("\n")
    trailing = len(s) - len(body)
    lines = body.split("\n")
    for line in lines:
        if line.endswith(" ") or not _LITERAL_LINE.fullmatch(line):
            raise Unsupported(s)
    if trailing > 1:
        raise Unsupported(s)  # `|+` makes the dumper close the document with `...`
    chomp = "-" if trailing == 0 else ""
    pad = " " * indent
    out = [f"|{chomp}"]
    out.extend(pad + line if line else "" for line in lines)
    return "\n".join(out)


def _value(v: Any, indent: int) -> str | None:
    """The inline text of a scalar or empty collection; None for a non-empty collection."""
    if isinstance(v, str):
        return _literal(v, indent + 2) if "\n" in v else scalar(v)
    if v is None:
        return "null"
    if isinstance(v, bool | int | float):
        return _number(v)
    if isinstance(v, dict):
        return None if v else "{}"
    if isinstance(v, list | tuple):
        return None if v else "[]"
    raise Unsupported(type(v).__name__)


# Lines are joined into a chunk every this many items of a list: the 27 MiB rule test file at
# N=10,000 is a million lines, which held in one list until the end cost more than the text.
_CHUNK = 8192
_KEYS: dict[str, str] = {}  # mapping keys come from a small vocabulary: each is checked once
_KEYS_MAX = 65536


def _key(k: Any) -> str:
    text = _KEYS.get(k) if type(k) is str else None
    if text is not None:
        return text
    if not isinstance(k, str) or len(k) >= 128 or _BREAKS.search(k):
        raise Unsupported(repr(k))
    text = scalar(k)
    if len(_KEYS) < _KEYS_MAX:
        _KEYS[k] = text
    return text


def _mapping(d: dict[str, Any], indent: int, out: list[str], done: list[str], first_prefix: str | None = None) -> None:
    # The commonest cases (string, empty or nested values) are dispatched here rather than through
    # _value: this loop runs once per key of a 27 MiB rule test file at N=10,000.
    pad = " " * indent
    lead = pad if first_prefix is None else first_prefix
    for k, v in d.items():
        key = _KEYS.get(k) if type(k) is str else None
        if key is None:
            key = _key(k)
        t = type(v)
        if t is str and "\n" not in v:
            out.append(f"{lead}{key}: {scalar(v)}\n")
        elif t is dict and v:
            out.append(f"{lead}{key}:\n")
            _mapping(v, indent + 2, out, done)
        elif (t is list or t is tuple) and v:
            out.append(f"{lead}{key}:\n")
            _sequence(v, indent, out, done)
        else:
            text = _value(v, indent)
            if text is not None:
                out.append(f"{lead}{key}: {text}\n")
            elif isinstance(v, dict):
                out.append(f"{lead}{key}:\n")
                _mapping(v, indent + 2, out, done)
            else:
                out.append(f"{lead}{key}:\n")
                _sequence(v, indent, out, done)
        lead = pad


def _sequence(
    items: list[Any] | tuple[Any, ...], indent: int, out: list[str], done: list[str], first_prefix: str | None = None
) -> None:
    pad = " " * indent + "- "
    lead = pad if first_prefix is None else first_prefix + "- "
    for v in items:
        t = type(v)
        if t is str and "\n" not in v:
            out.append(f"{lead}{scalar(v)}\n")
        elif t is dict and v:
            _mapping(v, indent + 2, out, done, first_prefix=lead)
        else:
            text = _value(v, indent)
            if text is not None:
                out.append(f"{lead}{text}\n")
            elif isinstance(v, dict):
                _mapping(v, indent + 2, out, done, first_prefix=lead)
            else:
                _sequence(v, indent + 2, out, done, first_prefix=lead)
        lead = pad
        if len(out) > _CHUNK:
            done.append("".join(out))
            out.clear()


def emit(data: Any, head: str = "") -> str:
    """head + the YAML text of data, identical to head + generator.write.dump_yaml(data).

    `head` (the generated-file header) is joined with the rest: one copy less of a 27 MiB text."""
    out: list[str] = [head]
    done: list[str] = []
    if isinstance(data, dict) and data:
        _mapping(data, 0, out, done)
    elif isinstance(data, list | tuple) and data:
        _sequence(data, 0, out, done)
    else:
        raise Unsupported("a scalar document")
    done.append("".join(out))
    return "".join(done)
