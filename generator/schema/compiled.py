"""The spec's JSON Schema compiled once into Python closures that only answer "valid or not".

Why: jsonschema walks the schema for every value (2 s at 10,000 indicators) and costs a third of
`monspec validate`'s start-up just to import; fastjsonschema generates 2.6 MB of Python for this
schema (0.8 s to generate and compile, every run). Compiling the keywords monspec's schema uses
into closures takes a few milliseconds and checks a large spec several times faster.

It never words an error: when it says "not valid", jsonschema finds and explains the errors as
before. It must never accept what jsonschema refuses, so it follows jsonschema's own rules
(draft 2020-12 types, `equal` for enum/const/uniqueItems, `re.search` for patterns), answers
"not valid" for any value that is not plain JSON data, and refuses (`Unsupported`) a schema
with a keyword outside the subset it knows, which sends every spec to jsonschema instead.
A test compares both on every example, every invalid case and mutated specs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

Check = Callable[[Any], bool]

# Keywords that assert nothing without a format checker (jsonschema's default).
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$defs", "$comment", "title", "description", "examples", "default", "format", "deprecated"}
)
_GENERIC = frozenset({"type", "enum", "const", "$ref", "oneOf", "anyOf", "allOf", "not"})
_OBJECT = frozenset(
    {"properties", "additionalProperties", "required", "propertyNames", "minProperties", "maxProperties"}
    | {"dependentRequired"}
)
_ARRAY = frozenset({"items", "minItems", "maxItems", "uniqueItems"})
_STRING = frozenset({"minLength", "maxLength", "pattern"})
_NUMBER = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"})
_KNOWN = _ANNOTATIONS | _GENERIC | _OBJECT | _ARRAY | _STRING | _NUMBER

_JSON_TYPES = frozenset({dict, list, str, int, float, bool, type(None)})


class Unsupported(Exception):
    """The schema uses something this compiler does not know; jsonschema must do the whole job."""


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


_TYPES: dict[str, Check] = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "number": _is_number,
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
}


def _freeze(v: Any) -> Any:
    """A hashable stand-in equal exactly when jsonschema's `equal` says so (True is not 1; 1 is 1.0)."""
    if isinstance(v, bool):
        return ("b", v)
    if isinstance(v, str):
        return ("s", v)
    if isinstance(v, list):
        return ("l", tuple(_freeze(i) for i in v))
    if isinstance(v, dict):
        return ("d", frozenset((k, _freeze(i)) for k, i in v.items()))
    return ("n", v)  # numbers and None


class _Compiler:
    def __init__(self, root: Any) -> None:
        self.root = root
        self.refs: dict[str, Check] = {}

    def ref(self, pointer: str) -> Check:
        if pointer in self.refs:
            return self.refs[pointer]
        if not pointer.startswith("#"):
            raise Unsupported(f"$ref {pointer}")
        node = self.root
        for part in unquote(pointer[1:]).split("/")[1:]:
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, list) and part.isdigit():
                node = node[int(part)]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                raise Unsupported(f"$ref {pointer}")
        # A recursive definition (a route inside a route) reaches itself before it is compiled.
        cell: list[Check] = []
        self.refs[pointer] = lambda v: cell[0](v)
        compiled = self.node(node)
        cell.append(compiled)
        self.refs[pointer] = compiled
        return compiled

    def node(self, schema: Any) -> Check:
        if schema is True:
            return lambda v: True
        if schema is False:
            return lambda v: False
        if not isinstance(schema, dict):
            raise Unsupported(repr(schema)[:80])
        unknown = set(schema) - _KNOWN
        if unknown:
            raise Unsupported(", ".join(sorted(unknown)))
        steps = self.generic(schema)
        obj, arr, text, num = self.object(schema), self.array(schema), self.string(schema), self.number(schema)

        def check(v: Any) -> bool:
            if type(v) not in _JSON_TYPES:
                return False
            for step in steps:
                if not step(v):
                    return False
            if isinstance(v, dict):
                return obj is None or obj(v)
            if isinstance(v, str):
                return text is None or text(v)
            if isinstance(v, list):
                return arr is None or arr(v)
            if num is not None and _is_number(v):
                return num(v)
            return True

        return check

    def generic(self, schema: dict[str, Any]) -> list[Check]:
        steps: list[Check] = []
        if "type" in schema:
            names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            if any(n not in _TYPES for n in names):
                raise Unsupported(f"type {names}")
            if len(names) == 1:
                steps.append(_TYPES[names[0]])
            else:
                tests = [_TYPES[n] for n in names]
                steps.append(lambda v: any(t(v) for t in tests))
        if "enum" in schema:
            allowed = {_freeze(e) for e in schema["enum"]}
            steps.append(lambda v: _freeze(v) in allowed)
        if "const" in schema:
            const = _freeze(schema["const"])
            steps.append(lambda v: _freeze(v) == const)
        if "$ref" in schema:
            steps.append(self.ref(schema["$ref"]))
        if "allOf" in schema:
            steps.extend(self.node(s) for s in schema["allOf"])
        if "anyOf" in schema:
            any_of = [self.node(s) for s in schema["anyOf"]]
            steps.append(lambda v: any(c(v) for c in any_of))
        if "oneOf" in schema:
            one_of = [self.node(s) for s in schema["oneOf"]]
            steps.append(lambda v: sum(1 for c in one_of if c(v)) == 1)
        if "not" in schema:
            negated = self.node(schema["not"])
            steps.append(lambda v: not negated(v))
        return steps

    def object(self, schema: dict[str, Any]) -> Check | None:
        if not _OBJECT & set(schema):
            return None
        props = {k: self.node(s) for k, s in schema.get("properties", {}).items()}
        extra = schema.get("additionalProperties", True)
        other = None if extra is True else self.node(extra)
        names = self.node(schema["propertyNames"]) if "propertyNames" in schema else None
        required = tuple(schema.get("required", ()))
        low, high = schema.get("minProperties", 0), schema.get("maxProperties")
        depends = tuple(schema.get("dependentRequired", {}).items())

        def check(v: dict[Any, Any]) -> bool:
            if len(v) < low or (high is not None and len(v) > high):
                return False
            for key in required:
                if key not in v:
                    return False
            for key, value in v.items():
                if not isinstance(key, str):
                    return False
                if names is not None and not names(key):
                    return False
                sub = props.get(key, other)
                if sub is not None and not sub(value):
                    return False
            return not any(key in v and any(n not in v for n in needs) for key, needs in depends)

        return check

    def array(self, schema: dict[str, Any]) -> Check | None:
        if not _ARRAY & set(schema):
            return None
        items = self.node(schema["items"]) if "items" in schema else None
        low, high = schema.get("minItems", 0), schema.get("maxItems")
        unique = schema.get("uniqueItems", False) is True

        def check(v: list[Any]) -> bool:
            if len(v) < low or (high is not None and len(v) > high):
                return False
            if items is not None:
                for item in v:
                    if not items(item):
                        return False
            return not unique or len({_freeze(i) for i in v}) == len(v)

        return check

    def string(self, schema: dict[str, Any]) -> Check | None:
        if not _STRING & set(schema):
            return None
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        pattern = schema.get("pattern")
        search: list[Callable[[str], object]] = []  # compiled on first use: a small spec meets few of the 100 patterns

        def check(v: str) -> bool:
            if len(v) < low or (high is not None and len(v) > high):
                return False
            if pattern is None:
                return True
            if not search:
                search.append(re.compile(pattern).search)
            return search[0](v) is not None

        return check

    def number(self, schema: dict[str, Any]) -> Check | None:
        if not _NUMBER & set(schema):
            return None
        lo, hi = schema.get("minimum"), schema.get("maximum")
        xlo, xhi = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")

        def check(v: float) -> bool:
            # The comparisons jsonschema makes, so NaN passes or fails exactly as it does there.
            if lo is not None and v < lo:
                return False
            if hi is not None and v > hi:
                return False
            if xlo is not None and v <= xlo:
                return False
            return not (xhi is not None and v >= xhi)

        return check


def compile_schema(schema: Any) -> Check:
    """A function telling whether a value is valid against SCHEMA; Unsupported if it cannot be exact."""
    return _Compiler(schema).node(schema)
