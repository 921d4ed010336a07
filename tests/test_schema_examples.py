"""Editors show the schema's descriptions and examples (yaml-language-server on hover): every key has both.

An example is only worth showing if a spec may contain it, so each one is validated against the
very schema it illustrates ($refs resolved against the whole file). A key that only exists to be
rejected (an inline secret) carries no example: an editor must not offer a secret-shaped value
for it. Its `*_file` sibling, which it names, carries one.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tests.conftest import ROOT

SCHEMA_PATH = ROOT / "spec" / "monspec.schema.json"
REJECTED = "Rejected with an error"
# Keywords whose values are data (or lists of names), not schemas: never walked into.
_DATA_KEYWORDS = {"examples", "enum", "const", "default", "required", "dependentRequired"}


def _load() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text())
    return schema


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _node(schema: dict[str, Any], pointer: str) -> Any:
    node: Any = schema
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def keyed_schemas(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(kind, JSON pointer, schema) of every schema an editor shows for a key or a value:
    "property" for every entry of every `properties` at any depth (also inside `$defs` and
    oneOf branches), "leaf" for every `$defs` entry that is a type of its own rather than an
    object of named keys (duration, priority, labels...), "entry" for the value schema of every
    keyed map (`additionalProperties`: metrics, receivers, labels...)."""

    def walk(node: Any, pointer: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
        if isinstance(node, list):
            for i, item in enumerate(node):
                yield from walk(item, f"{pointer}/{i}")
            return
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            if key in _DATA_KEYWORDS:
                continue
            if key == "properties":
                for name, sub in value.items():
                    yield "property", f"{pointer}/properties/{_escape(name)}", sub
                    yield from walk(sub, f"{pointer}/properties/{_escape(name)}")
            elif key == "$defs":
                for name, sub in value.items():
                    if "properties" not in sub and "$defs" not in sub:
                        yield "leaf", f"{pointer}/$defs/{_escape(name)}", sub
                    yield from walk(sub, f"{pointer}/$defs/{_escape(name)}")
            elif key == "additionalProperties" and isinstance(value, dict):
                yield "entry", f"{pointer}/additionalProperties", value
                yield from walk(value, f"{pointer}/additionalProperties")
            else:
                yield from walk(value, f"{pointer}/{key}")

    yield from walk(schema, "")


def effective_description(schema: dict[str, Any], node: dict[str, Any]) -> str:
    """The description an editor shows: the key's own, else that of what its $ref points at."""
    seen = 0
    while "description" not in node and "$ref" in node and seen < 20:
        node = _node(schema, node["$ref"].removeprefix("#"))
        seen += 1
    return str(node.get("description", ""))


def invalid_examples(schema: dict[str, Any]) -> list[str]:
    """Every example that does not validate against the schema it sits on, as 'pointer: why'."""
    registry: Registry[Any] = Registry().with_resource(schema["$id"], DRAFT202012.create_resource(schema))
    bad = []
    for _, pointer, node in keyed_schemas(schema):
        if not node.get("examples"):
            continue
        validator = Draft202012Validator({"$ref": f"{schema['$id']}#{pointer}"}, registry=registry)
        for example in node["examples"]:
            for err in validator.iter_errors(example):
                bad.append(f"{pointer}: {json.dumps(example)[:80]}: {err.message[:120]}")
    return bad


def test_the_walk_reaches_every_kind_of_key() -> None:
    found = {pointer: kind for kind, pointer, _ in keyed_schemas(_load())}
    # A walk that finds nothing would pass every test below.
    assert len(found) > 400
    assert found["/properties/service/properties/name"] == "property"
    assert found["/$defs/threshold/oneOf/1/properties/for"] == "property"
    assert found["/$defs/routing/$defs/slack/properties/channel"] == "property"
    assert found["/$defs/logs/$defs/source/properties/multiline/properties/start"] == "property"
    assert found["/$defs/duration"] == "leaf"
    assert found["/$defs/alert_name"] == "leaf"
    assert found["/properties/metrics/additionalProperties"] == "entry"
    assert found["/$defs/routing/properties/receivers/additionalProperties"] == "entry"
    assert "/$defs/indicator" not in found  # an object of named keys: its keys carry the examples


def test_every_property_has_a_description() -> None:
    schema = _load()
    missing = [
        pointer
        for kind, pointer, node in keyed_schemas(schema)
        if kind == "property" and not effective_description(schema, node).strip()
    ]
    assert missing == []


def test_every_key_has_examples() -> None:
    schema = _load()
    checked, missing = 0, []
    for _, pointer, node in keyed_schemas(schema):
        if effective_description(schema, node).startswith(REJECTED):
            continue
        checked += 1
        examples = node.get("examples")
        if not (isinstance(examples, list) and examples):
            missing.append(pointer)
    assert checked > 400
    assert missing == []


def test_rejected_secret_keys_offer_no_example_but_their_file_key_does() -> None:
    schema = _load()
    rejected = [
        (pointer, node)
        for kind, pointer, node in keyed_schemas(schema)
        if kind == "property" and effective_description(schema, node).startswith(REJECTED)
    ]
    assert len(rejected) >= 10
    for pointer, node in rejected:
        assert "examples" not in node, pointer
        named = re.findall(r"`([a-z_]+_file)`", node["description"])
        assert named, pointer
        parent = _node(schema, pointer.rsplit("/", 1)[0])
        for sibling in named:
            assert parent[sibling].get("examples"), f"{pointer}: {sibling}"


def test_every_example_validates_against_its_own_schema() -> None:
    assert invalid_examples(_load()) == []


def test_an_example_that_breaks_its_pattern_is_reported() -> None:
    schema = copy.deepcopy(_load())
    schema["$defs"]["duration"]["examples"] = ["5 minutes"]
    schema["$defs"]["routing"]["$defs"]["slack"]["properties"]["http"]["examples"] = [{"proxy_url": "proxy:3128"}]
    schema["$defs"]["threshold"]["oneOf"][1]["properties"]["priority"]["examples"] = ["urgent"]
    bad = invalid_examples(schema)
    assert [line.split(":")[0] for line in bad] == [
        "/$defs/duration",
        "/$defs/threshold/oneOf/1/properties/priority",
        "/$defs/routing/$defs/slack/properties/http",
    ]


# Editors: the docs' recipe, followed to the letter, gives an editor this very schema.

GITOPS = ROOT / "docs" / "gitops.md"
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.M)


def _editors_section() -> str:
    text = GITOPS.read_text()
    start = text.index("## Editors")
    return text[start : text.index("\n## ", start + 1)]


def _blocks(section: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", section, re.S)


def test_the_documented_command_writes_the_shipped_schema(tmp_path: Path) -> None:
    from generator.schema import schema_text

    (command,) = _blocks(_editors_section(), "sh")
    python_code = re.fullmatch(r"python -c '(.*)' > monspec\.schema\.json\n", command)
    assert python_code, command
    proc = subprocess.run(
        [sys.executable, "-c", python_code.group(1)], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert proc.stdout == SCHEMA_PATH.read_text()
    assert schema_text() == SCHEMA_PATH.read_text()


def test_the_documented_modeline_and_settings_find_the_schema(tmp_path: Path) -> None:
    """The worked example, laid out as the page says (spec/ beside monspec.schema.json): the
    modeline's path, taken relative to the spec, and the workspace setting both reach the schema,
    and the example is a valid spec by it and by `monspec validate`."""
    section = _editors_section()
    (spec_text,) = _blocks(section, "yaml")
    (settings_text,) = _blocks(section, "json")
    (tmp_path / "spec").mkdir()
    spec = tmp_path / "spec" / "payments.yml"
    spec.write_text(spec_text)
    (tmp_path / "monspec.schema.json").write_text(SCHEMA_PATH.read_text())

    modeline = MODELINE.match(spec_text)
    assert modeline, "the modeline must be the spec's first line"
    by_modeline = (spec.parent / modeline.group(1)).resolve()
    assert by_modeline == (tmp_path / "monspec.schema.json").resolve()
    schema = json.loads(by_modeline.read_text())
    Draft202012Validator(schema).validate(yaml.safe_load(spec_text))

    ((schema_path, globs),) = json.loads(settings_text)["yaml.schemas"].items()
    assert (tmp_path / schema_path).resolve() == by_modeline
    assert any(fnmatch.fnmatch("spec/payments.yml", pattern) for pattern in globs)

    proc = subprocess.run(
        [sys.executable, "-m", "generator.cli", "validate", str(spec)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_example_spec_names_the_schema_on_its_first_line() -> None:
    examples = sorted((ROOT / "spec" / "examples").glob("*.yml"))
    assert examples
    for path in examples:
        modeline = MODELINE.match(path.read_text())
        assert modeline, path.name
        assert (path.parent / modeline.group(1)).resolve() == SCHEMA_PATH.resolve()
