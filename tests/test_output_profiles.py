"""Output profiles: Kubernetes manifests valid against the Prometheus Operator's CRD schemas (strict),
ruler files that promtool accepts, and rule groups split without separating a record from its alerts."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import validators

from bench.synth import synth
from generator.compile import compile_specs
from tests.conftest import EXAMPLES

SCHEMAS = Path(__file__).parent / "schemas" / "k8s"
STRICT = {
    ("monitoring.coreos.com/v1", "PrometheusRule"): "monitoring.coreos.com_v1_prometheusrule.strict.json",
    ("monitoring.coreos.com/v1", "ServiceMonitor"): "monitoring.coreos.com_v1_servicemonitor.strict.json",
    ("monitoring.coreos.com/v1alpha1", "AlertmanagerConfig"): (
        "monitoring.coreos.com_v1alpha1_alertmanagerconfig.strict.json"
    ),
}
ALL = ("files", "kubernetes", "mimir", "thanos", "loki")


def _load(data: bytes) -> Any:
    return yaml.safe_load(data.decode())


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    result = compile_specs(list(EXAMPLES), profiles=ALL)
    assert result.ok, result.diagnostics
    return result.files


@pytest.fixture(scope="module")
def validators_by_kind() -> dict[tuple[str, str], Any]:
    out = {}
    for key, name in STRICT.items():
        schema = json.loads((SCHEMAS / name).read_text())
        cls = validators.validator_for(schema)
        cls.check_schema(schema)
        out[key] = cls(schema)
    return out


def _manifests(files: dict[str, bytes]) -> dict[str, Any]:
    return {p: _load(b) for p, b in files.items() if "/kubernetes/" in p and not p.endswith("kustomization.yaml")}


def test_every_crd_manifest_validates_strictly(files: dict[str, bytes], validators_by_kind: Any) -> None:
    seen: dict[str, int] = {}
    for path, obj in _manifests(files).items():
        key = (obj["apiVersion"], obj["kind"])
        if key == ("v1", "ConfigMap"):
            continue
        found = validators_by_kind[key].iter_errors(obj)
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in found]
        assert not errors, f"{path}: {errors[:5]}"
        seen[obj["kind"]] = seen.get(obj["kind"], 0) + 1
    services = len(EXAMPLES)
    assert seen == {"PrometheusRule": services, "ServiceMonitor": services, "AlertmanagerConfig": services}


def test_strict_schema_catches_a_typo(files: dict[str, bytes], validators_by_kind: Any) -> None:
    obj = _load(files["memory-service/kubernetes/alertmanagerconfig.yaml"])
    obj["spec"]["route"]["groupby"] = ["service"]
    key = ("monitoring.coreos.com/v1alpha1", "AlertmanagerConfig")
    assert list(validators_by_kind[key].iter_errors(obj))


def test_no_secret_values_only_references(files: dict[str, bytes]) -> None:
    refs = 0
    for path, obj in _manifests(files).items():
        assert obj["kind"] != "Secret", path
        text = json.dumps(obj)
        # every *_file key became a reference (keys, not values: a metric may be named *_file*)
        assert not re.search(r'\w_file\\?"\s*:', text), path
        service = path.split("/")[0]
        secret = "memory-service-alerting" if service == "memory-service" else f"{service}-monitoring"
        for match in re.finditer(r'\{"name": "([^"]+)", "key": "([^"]+)"\}', text):
            assert match.group(1) == secret, path
            refs += 1
    assert refs >= 5  # pagerduty keys, slack URLs, SMTP passwords, webhook tokens of the examples


def test_dashboards_as_sidecar_config_maps(files: dict[str, bytes]) -> None:
    boards = {p: json.loads(b) for p, b in files.items() if p.endswith(".json") and "/grafana/dashboards/" in p}
    maps = [o for p, o in _manifests(files).items() if o["kind"] == "ConfigMap" and "/dashboards/" in p]
    assert len(maps) == len(boards)
    for cm in maps:
        assert cm["metadata"]["labels"]["grafana_dashboard"] == "1"
        assert cm["metadata"]["annotations"]["grafana_folder"]
        ((key, text),) = cm["data"].items()
        service = cm["metadata"]["name"].split("-dashboard-")[0]
        assert json.loads(text) == boards[f"{service}/grafana/dashboards/{key}"]


def test_kustomization_lists_every_manifest(files: dict[str, bytes]) -> None:
    for path, data in files.items():
        if path.endswith("/kubernetes/kustomization.yaml"):
            base = path.rsplit("/", 1)[0]
            listed = set(_load(data)["resources"])
            present = {p[len(base) + 1 :] for p in files if p.startswith(base + "/") and p != path}
            assert listed == present


def test_alerts_carry_the_namespace_the_alertmanager_config_requires(files: dict[str, bytes]) -> None:
    rule = _load(files["memory-service/kubernetes/prometheusrule.yaml"])
    alerts = [r for g in rule["spec"]["groups"] for r in g["rules"] if "alert" in r]
    assert alerts and all(r["labels"]["namespace"] == rule["metadata"]["namespace"] for r in alerts)


def _promtool_check(promtool: str, tmp_path: Path, name: str, groups: list[Any]) -> None:
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False))
    proc = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruler_and_operator_rules_pass_promtool(files: dict[str, bytes], promtool: str, tmp_path: Path) -> None:
    checked = 0
    for path, data in files.items():
        if not re.search(r"/(mimir|thanos)/|/kubernetes/prometheusrule.yaml$", path):
            continue
        doc = _load(data)
        if "/mimir/" in path:
            assert set(doc) == {"namespace", "groups"}
            groups = doc["groups"]
        elif "/thanos/" in path:
            groups = [{k: v for k, v in g.items() if k != "partial_response_strategy"} for g in doc["groups"]]
        elif path.endswith("/kubernetes/prometheusrule.yaml"):
            groups = doc["spec"]["groups"]
        else:
            continue
        _promtool_check(promtool, tmp_path, path.replace("/", "_"), groups)
        checked += 1
    assert checked == 3 * len(EXAMPLES)


def test_ruler_rules_are_the_prometheus_rules(files: dict[str, bytes]) -> None:
    for service in (p.stem for p in EXAMPLES):
        plain = [r for g in _load(files[f"{service}/prometheus/rules.yml"])["groups"] for r in g["rules"]]
        thanos = [r for g in _load(files[f"{service}/thanos/rules.yml"])["groups"] for r in g["rules"]]
        key = lambda r: r.get("record") or r["alert"] + json.dumps(r.get("labels"), sort_keys=True)  # noqa: E731
        assert sorted(map(key, plain)) == sorted(map(key, thanos))


def test_files_only_by_default() -> None:
    result = compile_specs([Path("spec/examples/express-api.yml")])
    assert not [p for p in result.files if re.search(r"/(kubernetes|mimir|thanos|loki)/", p)]


def test_target_option_replaces_the_spec_profiles(tmp_path: Path) -> None:
    out = tmp_path / "out"
    subprocess.run(
        [".venv/bin/monspec", "generate", "--out", str(out), "--target", "mimir", "spec/examples/moltbot.yml"],
        check=True,
        capture_output=True,
    )
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "moltbot/mimir/moltbot-security.yml"
    ]


def test_thousand_indicators_split_under_the_limit(tmp_path: Path, promtool: str) -> None:
    spec = tmp_path / "synth.yml"
    spec.write_text(synth(1000) + "output:\n  profiles: [mimir]\n  rulers: {max_rules_per_group: 200}\n")
    result = compile_specs([spec])
    assert result.ok, result.diagnostics
    doc = _load(result.files["synth/mimir/synth.yml"])
    groups = doc["groups"]
    assert len(groups) > 1 and all(len(g["rules"]) <= 200 for g in groups)
    names = [g["name"] for g in groups]
    assert len(set(names)) == len(names)
    where: dict[str, tuple[int, int]] = {}
    for gi, g in enumerate(groups):
        for ri, r in enumerate(g["rules"]):
            if "record" in r:
                where[r["record"]] = (gi, ri)
    alerts = 0
    for gi, g in enumerate(groups):
        for ri, r in enumerate(g["rules"]):
            if "alert" in r:
                read = [n for n in re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", r["expr"]) if n in where]
                assert read, r["alert"]
                assert all(where[n][0] == gi and where[n][1] < ri for n in read), r["alert"]
                alerts += 1
    assert alerts == 2000 and len(where) == 1000
    _promtool_check(promtool, tmp_path, "synth.yml", groups)


def test_time_zone_the_crd_cannot_express_is_a_warning(tmp_path: Path) -> None:
    spec = tmp_path / "tz.yml"
    text = Path("spec/examples/security-platform.yml").read_text().replace("location: UTC", "location: Europe/Paris")
    spec.write_text(text + "output: {profiles: [kubernetes]}\n")
    result = compile_specs([spec], render=False)
    assert result.ok
    found = [d for d in result.diagnostics if d.code == "output/kubernetes-time-zone"]
    assert len(found) == 2 and all(d.span is not None and d.span.file.endswith("tz.yml") for d in found)
    spec.write_text(text)
    assert not [d for d in compile_specs([spec], render=False).diagnostics if d.code.startswith("output/")]


def test_a_unit_longer_than_the_limit_stays_whole() -> None:
    from generator.targets._rule_groups import split_group

    rules = [{"record": "a:x", "expr": "sum(x)"}, {"record": "a:y", "expr": "a:x * 2"}]
    rules += [{"alert": f"A{i}", "expr": "a:y > 1"} for i in range(3)]
    rules += [{"record": "b:x", "expr": "sum(b)"}, {"alert": "B", "expr": "b:x > 1"}]
    parts = split_group({"name": "g", "interval": "30s", "rules": rules}, 3)
    assert [[r.get("record") or r["alert"] for r in p["rules"]] for p in parts] == [
        ["a:x", "a:y", "A0", "A1", "A2"],
        ["b:x", "B"],
    ]
    assert [p["name"] for p in parts] == ["g-part1", "g-part2"]
