"""Generated Prometheus and Alertmanager files also pass SchemaStore's JSON Schemas, offline.

promtool and amtool are the authority (tests/test_promtool.py, tests/test_alertmanager.py); these
schemas are what editors and CI linters such as yaml-language-server use, so a file that passes
the tools but not the schemas would still show red squiggles to the person reviewing it. They
also cover the ruler files (Mimir, Thanos, Loki), which no installed tool checks as a whole.
tests/schemas/README.md names their sources.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import validators

from tests.conftest import ROOT

SCHEMAS = ROOT / "tests" / "schemas" / "schemastore"


class _StringDates(yaml.SafeLoader):
    """YAML without the timestamp tag, the way Prometheus reads it (a date stays a string)."""


_StringDates.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _errors(schema_name: str, document: Any) -> list[str]:
    schema = json.loads((SCHEMAS / schema_name).read_text())
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in cls(schema).iter_errors(document)]


def _files(root: Path, pattern: str) -> list[Path]:
    found = sorted(root.glob(pattern))
    assert found, f"no {pattern} under {root}"  # a glob that finds nothing would pass vacuously
    return found


# (schema, files it validates under out/)
CASES = [
    ("prometheus.rules.json", "*/prometheus/rules.yml"),
    ("prometheus.rules.test.json", "*/prometheus/*.test.yml"),
    ("prometheus.json", "*/prometheus/prometheus.yml"),
    ("prometheus-alertmanager.json", "*/alertmanager/alertmanager.yml"),
    ("prometheus.rules.json", "*/mimir/**/*.yml"),
    ("prometheus.rules.json", "*/loki/**/*.yml"),
]


@pytest.mark.parametrize(("schema", "pattern"), CASES, ids=[p for _, p in CASES])
def test_generated_files_pass_schemastore(generated: Path, schema: str, pattern: str) -> None:
    for path in _files(generated, pattern):
        document = yaml.load(path.read_text(), Loader=_StringDates)
        if "/mimir/" in path.as_posix():
            # mimirtool's namespace file: `namespace` beside the groups of a Prometheus rule file.
            assert isinstance(document.pop("namespace"), str)
        assert _errors(schema, document) == [], path.relative_to(generated)


def test_a_broken_rule_file_is_caught() -> None:
    """The schema is not vacuous: a typo'd key and a bad duration are reported."""
    bad = {"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "up == 0", "for": "5 minutes", "lables": {}}]}]}
    found = _errors("prometheus.rules.json", bad)
    assert any("lables" in e for e in found) and any("5 minutes" in e for e in found), found


def test_thanos_ruler_file_passes_schemastore(tmp_path: Path) -> None:
    """Thanos Ruler reads Prometheus rule files (with an optional `partial_response_strategy`)."""
    from tests.conftest import run_monspec

    proc = run_monspec(
        "generate", str(ROOT / "spec" / "examples" / "moltbot.yml"), "--target", "thanos", "--out", str(tmp_path)
    )
    assert proc.returncode == 0, proc.stderr
    for path in _files(tmp_path, "*/thanos/*.yml"):
        document = yaml.load(path.read_text(), Loader=_StringDates)
        assert _errors("prometheus.rules.json", document) == [], path
