"""Indented JSON for the plain data the targets produce, byte for byte what
`json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)` writes, several times faster.

With `indent`, the json module gives up its C encoder and walks the document with nested Python
generators, one per container, yielding a chunk per separator; the dashboards at 10,000
indicators spent seconds there. This writes the same text with one function call per container
and the C string encoder for every string. Anything it does not know (a non-string key, a
subclass of int or dict, an object needing `default`) makes it decline, and the json module
writes the document instead, so the output never differs; tests compare both on every
generated JSON file and on random data.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C implementation when _json is available
from typing import Any

_PADS = ["\n" + "  " * depth for depth in range(64)]
# Pieces are joined into a chunk every this many: a 20 MiB dashboard is millions of small strings,
# which held in one list until the end cost more memory than the document itself.
_CHUNK = 8192


class Unsupported(Exception):
    """The fast path declines this document; the json module writes it."""


def _float(v: float) -> str:
    if v != v:
        return "NaN"
    if v == float("inf"):
        return "Infinity"
    if v == float("-inf"):
        return "-Infinity"
    return float.__repr__(v)


def _scalar(v: Any) -> str:
    t = type(v)
    if t is str:
        return encode_basestring(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if t is int:
        return int.__repr__(v)
    if t is float:
        return _float(v)
    raise Unsupported(t.__name__)


def _container(v: Any, depth: int, out: list[str], done: list[str]) -> None:
    inner = _PADS[depth + 1]
    t = type(v)
    if t is dict:
        keys = list(v)
        for k in keys:
            if type(k) is not str:
                raise Unsupported("a key that is not a string")
        keys.sort()
        sep = "{" + inner
        for k in keys:
            out.append(sep)
            out.append(encode_basestring(k))
            item = v[k]
            it = type(item)
            if it is str:
                out.append(": " + encode_basestring(item))
            elif (it is dict or it is list or it is tuple) and item:
                out.append(": ")
                _container(item, depth + 1, out, done)
            elif it is dict:
                out.append(": {}")
            elif it is list or it is tuple:
                out.append(": []")
            else:
                out.append(": " + _scalar(item))
            sep = "," + inner
    else:
        sep = "[" + inner
        for item in v:
            out.append(sep)
            it = type(item)
            if it is str:
                out.append(encode_basestring(item))
            elif (it is dict or it is list or it is tuple) and item:
                _container(item, depth + 1, out, done)
            elif it is dict:
                out.append("{}")
            elif it is list or it is tuple:
                out.append("[]")
            else:
                out.append(_scalar(item))
            sep = "," + inner
    out.append(_PADS[depth] + ("}" if t is dict else "]"))
    if len(out) > _CHUNK:
        done.append("".join(out))
        out.clear()


def dumps(data: Any, end: str = "") -> str:
    """json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + end, or Unsupported.

    `end` is joined with the rest rather than appended after: one copy less of a 20 MiB text."""
    t = type(data)
    if t is not dict and t is not list and t is not tuple:
        return _scalar(data) + end
    if not data:
        return ("{}" if t is dict else "[]") + end
    out: list[str] = []
    done: list[str] = []
    try:
        _container(data, 0, out, done)
    except (IndexError, RecursionError) as exc:  # deeper than _PADS, or than Python's stack
        raise Unsupported("too deep") from exc
    out.append(end)
    done.append("".join(out))
    return "".join(done)


def indented(data: Any) -> str:
    """The text of a JSON output file: the fast path, or the json module where it declines."""
    try:
        return dumps(data, "\n")
    except Unsupported:
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
