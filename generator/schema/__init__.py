"""JSON Schema validation of a loaded spec, reported at the exact key or value that is wrong.

A valid spec is recognised by the schema compiled into closures (compiled.py), without importing
jsonschema at all. Otherwise jsonschema reports every error (iter_errors); we turn each into a
Diagnostic at the span of err.absolute_path, rewriting the generic messages into ones that name
the key and offer a did-you-mean, the way a person would explain the mistake.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator import package_data
from generator.diagnostics import Diagnostic, error, printable
from generator.load import Document, PathKey
from generator.schema import compiled
from generator.vocabulary import INDICATOR_KINDS

if TYPE_CHECKING:  # jsonschema is imported only when a spec is invalid: it is a third of start-up
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "true or false",
    "null": "empty",
}


def schema_text() -> str:
    try:
        return package_data.read_text("generator.spec", "monspec.schema.json")
    except (ModuleNotFoundError, FileNotFoundError):
        return (Path(__file__).resolve().parents[2] / "spec" / "monspec.schema.json").read_text("utf-8")


@cache
def validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    schema = json.loads(schema_text())
    return Draft202012Validator(schema)


@cache
def _compiled() -> compiled.Check | None:
    try:
        return compiled.compile_schema(json.loads(schema_text()))
    except compiled.Unsupported:
        return None  # a keyword the compiler does not know: jsonschema answers for every spec


def accepts(data: Any) -> bool:
    """True when DATA is valid against the schema; False when it is not, or when only jsonschema can tell."""
    check = _compiled()
    return check is not None and check(data)


def dotted(path: PathKey) -> str:
    out = ""
    for part in path:
        name = printable(str(part), 40)
        out += f"[{part}]" if isinstance(part, int) else (f".{name}" if out else name)
    return out or "the spec"


def did_you_mean(word: str, choices: list[str]) -> str | None:
    import difflib

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "empty"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return "a number"
    return "a string"


def _best_branch(err: ValidationError) -> ValidationError:
    """The error of the oneOf/anyOf branch the author evidently meant: the one whose type fits.

    best_match() alone ranks "must be a number" above "unknown key 'alret'" when a value may be a
    number or a mapping; the branch whose shape matches the value is the one to explain.
    """
    branches: dict[object, list[ValidationError]] = {}
    for e in err.context or []:
        branches.setdefault(e.relative_schema_path[0], []).append(e)
    fitting = [
        errs for errs in branches.values() if not any(e.validator == "type" and not e.relative_path for e in errs)
    ]
    from jsonschema.exceptions import best_match

    if fitting:
        chosen = min(fitting, key=len)
        return best_match(chosen) or chosen[0]
    return best_match(err.context) or err


def describe(err: ValidationError, doc: Document) -> Diagnostic:
    path: PathKey = tuple(err.absolute_path)
    where = dotted(path)
    validator_name = err.validator
    span = doc.span(path)
    schema = err.schema if isinstance(err.schema, dict) else {}

    if "propertyNames" in err.schema_path and isinstance(err.instance, str):
        bad = err.instance
        if validator_name == "maxLength":
            return error(
                "schema/too-long",
                f"{where}: the name '{printable(bad, 40)}' is longer than the {schema.get('maxLength')} "
                "characters allowed",
                doc.key_span((*path, bad)),
                None,
            )
        hint = (
            "names starting with __ are reserved for Prometheus' internal labels"
            if bad.startswith("__")
            else _name_hint(schema)
        )
        return error(
            "schema/bad-name", f"{where}: '{printable(bad)}' is not a valid name here", doc.key_span((*path, bad)), hint
        )

    if validator_name == "additionalProperties" and isinstance(err.instance, dict):
        allowed = sorted(schema.get("properties", {}))
        extra = [k for k in err.instance if k not in schema.get("properties", {})]
        key = extra[0] if extra else "?"
        hint = did_you_mean(key[:100], allowed) or (f"allowed keys: {', '.join(allowed)}" if allowed else None)
        return error("schema/unknown-key", f"{where}: unknown key '{printable(key)}'", doc.key_span((*path, key)), hint)
    if validator_name == "required":
        missing = str(err.message).split("'")[1] if "'" in err.message else err.message
        return error(
            "schema/missing-key", f"{where}: missing required key '{missing}'", doc.key_span(path), f"add `{missing}:`"
        )
    if validator_name == "type":
        expected = schema.get("type")
        names = [expected] if isinstance(expected, str) else list(expected or [])
        want = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
        hint = None
        if _is_duration(schema):
            hint = "write a duration with its unit, e.g. 300s or 5m"
        elif names == ["boolean"] and isinstance(err.instance, str):
            hint = "write true or false (YAML 1.2: yes/no/on/off are strings)"
        elif names == ["number"] and isinstance(err.instance, str):
            hint = "write the number without quotes"
        return error("schema/type", f"{where} must be {want}, not {_kind(err.instance)}", span, hint)
    if validator_name == "pattern":
        if _is_duration(schema):
            return error(
                "schema/duration",
                f"{where}: '{printable(str(err.instance))}' is not a valid duration",
                span,
                "use a number and a unit, largest unit first: 30s, 5m, 1h30m (units ms, s, m, h, d, w, y)",
            )
        return error(
            "schema/pattern", f"{where}: '{printable(str(err.instance))}' is not valid here", span, _name_hint(schema)
        )
    if validator_name == "enum":
        choices = [str(c) for c in schema.get("enum", [])]
        return error(
            "schema/enum",
            f"{where}: '{printable(str(err.instance))}' is not one of {', '.join(choices)}",
            span,
            did_you_mean(str(err.instance)[:100], choices),
        )
    if validator_name == "const":
        quoted = isinstance(err.instance, str) and not isinstance(schema.get("const"), str)
        return error(
            "schema/const",
            f"{where} must be {schema.get('const')!r}, not {printable(repr(err.instance))}",
            span,
            "write it without quotes" if quoted else None,
        )
    branches = schema.get("oneOf") if validator_name == "oneOf" else None
    if branches and all(isinstance(b, dict) and list(b) == ["required"] and len(b["required"]) == 1 for b in branches):
        # "exactly one of these keys": an indicator's kind, an objective's SLI, a ratio's good/bad.
        kinds = [b["required"][0] for b in branches]
        present = [k for k in kinds if isinstance(err.instance, dict) and k in err.instance]
        if len(present) != 1:
            indicator = kinds == list(INDICATOR_KINDS)
            msg = (
                f"{where} needs one of {', '.join(kinds)}"
                if not present
                else f"{where} has {' and '.join(present)}; "
                + ("an indicator is computed one way only" if indicator else "only one of them may be set")
            )
            code = "schema/indicator-kind" if indicator else "schema/one-of"
            return error(code, msg, doc.key_span(path), "keep exactly one of " + ", ".join(kinds))
    if validator_name in ("oneOf", "anyOf") and err.context:
        return describe(_best_branch(err), doc)
    if validator_name == "dependentRequired" and isinstance(err.instance, dict):
        needs = schema.get("dependentRequired", {})
        have, missing = next(
            (k, d) for k, deps in needs.items() if k in err.instance for d in deps if d not in err.instance
        )
        return error(
            "schema/missing-key",
            f"{where}: `{have}` needs `{missing}`",
            doc.key_span((*path, have)),
            f"add `{missing}:`",
        )
    if validator_name == "not":
        return error(
            "schema/pattern", f"{where}: '{printable(str(err.instance))}' is not allowed here", span, _name_hint(schema)
        )
    if validator_name in ("minProperties", "minItems", "minLength"):
        return error("schema/empty", f"{where} must not be empty", span, None)
    if validator_name in ("maxLength", "maxItems", "maxProperties"):
        limit = schema.get(validator_name)
        size, unit = (
            len(err.instance) if isinstance(err.instance, str | list | dict) else 0,
            {"maxLength": "characters", "maxItems": "items", "maxProperties": "entries"},
        )
        return error(
            "schema/too-long",
            f"{where} has {size:,} {unit[validator_name]}, more than the {limit:,} allowed",
            span,
            "split the service into several specs" if validator_name == "maxProperties" and size > 1000 else None,
        )
    if validator_name == "uniqueItems":
        return error("schema/duplicate-item", f"{where} lists the same item twice", span, None)
    if validator_name in ("exclusiveMinimum", "exclusiveMaximum", "minimum", "maximum"):
        if isinstance(err.instance, float) and not math.isfinite(err.instance):
            return error(
                "schema/range",
                f"{where} must be a finite number, not {err.instance}",
                span,
                "write a number; .inf and .nan cannot be compared with a threshold",
            )
        lo, hi = (
            schema.get("exclusiveMinimum", schema.get("minimum")),
            schema.get("exclusiveMaximum", schema.get("maximum")),
        )
        bounds = (
            f"between {lo} and {hi}"
            if lo is not None and hi is not None
            else f"at least {lo}"
            if lo is not None
            else f"at most {hi}"
        )
        exclusive = " (exclusive)" if "exclusiveMinimum" in schema or "exclusiveMaximum" in schema else ""
        return error(
            "schema/range", f"{where}: {err.instance!r} is out of range: it must be {bounds}{exclusive}", span, None
        )
    return error("schema/invalid", f"{where}: {err.message}", span, None)


def _is_duration(schema: dict[str, Any]) -> bool:
    return str(schema.get("pattern", "")).startswith("^(0|(([0-9]+)y)")


def _name_hint(schema: dict[str, Any]) -> str | None:
    desc = schema.get("description")
    pattern = schema.get("pattern")
    if desc:
        return str(desc)
    if pattern:
        return f"it must match {pattern}"
    return None


def validate(doc: Document) -> Iterator[Diagnostic]:
    if accepts(doc.data):
        return
    seen: set[tuple[str, int, int, str]] = set()
    from generator.schema.indentation import refine

    for err in validator().iter_errors(doc.data):
        diag = refine(describe(err, doc), err, doc)
        span = diag.span
        key = (diag.code, span.line if span else 0, span.col if span else 0, diag.message)
        if key not in seen:
            seen.add(key)
            yield diag
