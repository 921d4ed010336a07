"""The generated Filebeat, Promtail and Alloy files: well-formed, and one spec means one thing in all three.

* Every generated file parses (YAML, or Alloy syntax with tests/alloy_syntax.py) and passes the
  structural rules of tests/shipper_rules.py, written from the official references.
* The same log lines pushed through the three generated pipelines (tests/log_pipelines.py) are
  kept or dropped alike, redacted alike, and counted alike by Promtail and Alloy.
* User strings with quotes, newlines, `{{ }}`, `$` and backslashes come back unchanged.
* No credential reaches out/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.compile import compile_specs
from tests import log_pipelines as lp
from tests import shipper_rules as rules
from tests.alloy_syntax import Block, ParseError, parse
from tests.conftest import EXAMPLES, OUT, run_monspec

SERVICES = [p.stem for p in EXAMPLES]


def compile_text(tmp_path: Path, text: str) -> dict[str, str]:
    spec = tmp_path / "spec.yml"
    spec.write_text(text)
    result = compile_specs([spec])
    assert result.ok, [f"{d.span}: {d.code} {d.message}" for d in result.diagnostics]
    return {path: data.decode() for path, data in result.files.items()}


def body(text: str) -> dict[str, Any]:
    doc = yaml.safe_load(text)
    assert isinstance(doc, dict)
    return doc


# --- the Alloy parser is a real check ------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        'loki.write "x" {\n  endpoint {\n    url = "http://a"\n  }\n',  # unclosed block
        'loki.write "x" {\n  url = "a\\qb"\n}\n',  # invalid escape
        'loki.write "x" {\n  url "a"\n}\n',  # missing =
        'loki.write "x" {\n  url = "a" tenant_id = "b"\n}\n',  # two attributes on one line
        'loki.write "x" {\n  a = 1\n  a = 2\n}\n',  # attribute twice
        'loki.write "x" {\n  a = {"k" = 1 "j" = 2}\n}\n',  # missing comma in object
        'loki.write "x" {\n  a = "unterminated\n}\n',
    ],
)
def test_alloy_parser_rejects_malformed_input(bad: str) -> None:
    with pytest.raises(ParseError):
        parse(bad)


def test_alloy_parser_reads_values() -> None:
    root = parse('a.b "l" {\n  s = "x\\"y\\n\\\\"\n  l = [1, "two", true]\n  m = {"k" = "v", j = c.d.e}\n}\n')
    (b,) = root.blocks
    assert (b.name, b.label) == ("a.b", "l")
    assert b.attrs["s"] == 'x"y\n\\'
    assert b.attrs["l"] == [1, "two", True]
    assert b.attrs["m"]["k"] == "v" and b.attrs["m"]["j"].path == "c.d.e"


# --- every generated file is well-formed ---------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
def test_generated_shipper_files_follow_the_references(service: str) -> None:
    found = 0
    if (OUT / service / "filebeat" / "filebeat.yml").exists():
        assert rules.filebeat_problems(body((OUT / service / "filebeat" / "filebeat.yml").read_text())) == []
        found += 1
    if (OUT / service / "promtail" / "promtail.yml").exists():
        assert rules.promtail_problems(body((OUT / service / "promtail" / "promtail.yml").read_text())) == []
        assert rules.alloy_problems(parse((OUT / service / "alloy" / "config.alloy").read_text())) == []
        found += 2
    assert found, f"{service} ships no logs"


def test_structural_rules_catch_broken_files(tmp_path: Path) -> None:
    files = compile_text(tmp_path, SPEC)
    fb = body(files["svc/filebeat/filebeat.yml"])
    fb["filebeat.inputs"][0]["type"] = "log"
    fb["output.logstash"] = {"hosts": ["x:5044"]}
    problems = rules.filebeat_problems(fb)
    assert any("filestream" in p for p in problems) and any("exactly one output" in p for p in problems)
    pt = body(files["svc/promtail/promtail.yml"])
    pt["scrape_configs"][0]["pipeline_stages"].append({"labeldrop": {"a": "b"}})
    pt["scrape_configs"][0]["pipeline_stages"].append({"regexp": {}})
    pt["scrape_configs"][0]["pipeline_stages"][0]["json"]["expresions"] = {}
    assert len(rules.promtail_problems(pt)) == 3
    alloy = files["svc/alloy/config.alloy"].replace("loki.write.default.receiver", "loki.write.other.receiver", 1)
    alloy = alloy.replace('prefix            = "svc_"', 'prefix            = ""', 1)
    problems = rules.alloy_problems(parse(alloy))
    assert any("refers to no component" in p for p in problems) and any("empty prefix" in p for p in problems)


# --- one spec, three dialects, same meaning ------------------------------------------------------

SPEC = r"""version: 1
service: {name: svc, job: svc-job, metric_prefix: svc_}
severities: {critical: {}}
indicators:
  failures:
    increase: {metric: {metric: events_total, filter: {type: auth.failure}}, window: 1h}
    by: [outcome]
    thresholds: {critical: 10}
logs:
  sources:
    audit:
      paths: [/var/log/svc/audit.jsonl]
      format: json
      fields: {actor_id: actor.id}
      labels: [type]
      static_labels: {env: production}
      keep: {type: [auth.failure, auth.login, "rbac.denied"]}
      drop: {outcome: {match: "ignored|test.*"}}
      redact:
        - {pattern: '[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}', replacement: '[EMAIL_REDACTED]'}
      redact_fields: [token]
      count:
        events_total: {by: [type, outcome]}
        failures_by_actor_total: {by: [actor_id], where: {type: [auth.failure]}}
        suspicious_total: {line: 'DROP TABLE', line_not: '"trusted"'}
  elasticsearch: {hosts: ["localhost:9200"], index: "svc-%{+yyyy.MM.dd}"}
  loki: {url: http://localhost:3100/loki/api/v1/push}
"""

LINES = [
    '{"type": "auth.failure", "outcome": "denied", "actor": {"id": "u1"}, "msg": "bob@example.com failed", '
    '"token": "s3cr3t"}',
    '{"type": "auth.login", "outcome": "ok", "actor": {"id": "u2"}, "msg": "DROP TABLE users"}',
    '{"type": "auth.login", "outcome": "ok", "actor": {"id": "u2"}, "msg": "DROP TABLE", "x": "trusted"}',
    '{"type": "config.change", "outcome": "ok", "msg": "not kept"}',
    '{"type": "rbac.denied", "outcome": "test-run", "msg": "dropped by drop"}',
    '{"outcome": "denied", "msg": "no type: not kept"}',
    '{"type": "auth.failure", "outcome": "denied", "actor": {"id": "u3"}, "msg": "x"}',
]


def _three(files: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any], Block, dict[str, str]]:
    fb = body(files["svc/filebeat/filebeat.yml"])["filebeat.inputs"][0]
    pt = body(files["svc/promtail/promtail.yml"])["scrape_configs"][0]
    root = parse(files["svc/alloy/config.alloy"])
    process = next(b for b in root.blocks if b.name == "loki.process")
    match = next(b for b in root.blocks if b.name == "local.file_match")
    return fb, pt, process, match.attrs["path_targets"][0]


def test_filters_labels_redaction_and_counters_agree_across_dialects(tmp_path: Path) -> None:
    fb, pt, process, file_labels = _three(compile_text(tmp_path, SPEC))
    counted: list[Any] = []
    for line in LINES:
        p = lp.run_promtail(pt, line, "/var/log/svc/audit.jsonl")
        a = lp.run_alloy(process, file_labels, line, "/var/log/svc/audit.jsonl")
        kept, event = lp.run_filebeat(fb, line)
        assert (p.kept, p.line, p.labels, p.counts) == (a.kept, a.line, a.labels, a.counts), line
        assert kept == p.kept, line
        if kept:
            assert event["message"] == p.line, line  # the same redacted line in Elasticsearch and Loki
            assert event["fields"] == {"env": "production", "job": "svc-job", "source": "audit"}
        counted += p.counts
    kept_lines = [lp.run_promtail(pt, line, "f").kept for line in LINES]
    assert kept_lines == [True, True, True, False, False, False, True]
    first = lp.run_promtail(pt, LINES[0], "f")
    assert "bob@example.com" not in first.line and "[EMAIL_REDACTED]" in first.line
    assert '"token":"[REDACTED]"' in first.line and "s3cr3t" not in first.line
    # stream labels are exactly the spec's: temporary labels for filters and counters are dropped
    assert first.labels == {
        "env": "production",
        "filename": "f",
        "job": "svc-job",
        "source": "audit",
        "type": "auth.failure",
    }
    names = sorted(name for name, _ in counted)
    assert names.count("svc_events_total") == 4
    assert names.count("svc_failures_by_actor_total") == 2
    assert names.count("svc_suspicious_total") == 1  # the "trusted" line is excluded by line_not
    by_actor = [dict(lbls) for name, lbls in counted if name == "svc_failures_by_actor_total"]
    assert [(x["actor_id"], "outcome" in x) for x in by_actor] == [("u1", False), ("u3", False)]
    events = [dict(lbls) for name, lbls in counted if name == "svc_events_total"]
    assert {(e["type"], e["outcome"]) for e in events} == {("auth.failure", "denied"), ("auth.login", "ok")}


def test_log_counters_are_metrics_scraped_with_the_service_job(tmp_path: Path) -> None:
    files = compile_text(tmp_path, SPEC)
    rules_yml = body(files["svc/prometheus/rules.yml"])
    exprs = [r["expr"] for g in rules_yml["groups"] for r in g["rules"] if "record" in r]
    assert exprs == ['sum by (job, outcome) (increase(svc_events_total{job="svc-job", type="auth.failure"}[1h]))']
    prom = body(files["svc/prometheus/prometheus.yml"])
    agent = [j for j in prom["scrape_configs"] if j["job_name"] == "svc-log-agent"]
    assert agent == [
        {"job_name": "svc-log-agent", "honor_labels": True, "static_configs": [{"targets": ["localhost:12345"]}]}
    ]
    # the stream job label the counters carry is the service's job
    _, pt, _process, file_labels = _three(files)
    assert pt["static_configs"][0]["labels"]["job"] == "svc-job" == file_labels["job"]


def test_saved_queries_name_the_spec_events(tmp_path: Path) -> None:
    files = compile_text(tmp_path, SPEC)
    q = {x["name"]: x for x in body(files["svc/logs/queries.yml"])["sources"]["audit"]["queries"]}
    assert (
        q["audit_type_authfailure"]["logql"]
        == r'{job="svc-job", source="audit"} | json type="type" | type=~"auth\\.failure"'
    )
    assert q["audit_type_authfailure"]["kql"] == 'fields.source: "audit" and type: "auth.failure"'
    assert q["svc_failures_by_actor_total"]["logql"].endswith(r'| json type="type" | type=~"auth\\.failure"')
    assert q["svc_suspicious_total"]["logql"] == '{job="svc-job", source="audit"} |~ "DROP TABLE" !~ "\\"trusted\\""'
    assert q["svc_suspicious_total"]["kql"] is None  # KQL has no regular expressions


# --- injection safety ----------------------------------------------------------------------------

NASTY = "a \"quoted\" \\back\\slash $dollar {{ .Env }} 'single' \u2028 tab\tend"
# A replacement inside a JSON line cannot hold '"' or '\\' (logs/redaction): the rest still must survive.
REPLACEMENT = "[R $1 $ {{ .Env }} 'x' \u2028 %{+yyyy}]"


def test_user_strings_survive_every_dialect(tmp_path: Path) -> None:
    spec = SPEC.replace(
        "static_labels: {env: production}",
        f"static_labels: {{env: {json.dumps(NASTY)}}}\n      title: {json.dumps(NASTY + chr(10) + 'second line')}",
    ).replace("replacement: '[EMAIL_REDACTED]'", f"replacement: {json.dumps(REPLACEMENT)}")
    spec = spec.replace("keep: {type: [auth.failure,", f"keep: {{type: [{json.dumps(NASTY)}, auth.failure,")
    files = compile_text(tmp_path, spec)
    fb, pt, process, file_labels = _three(files)
    assert fb["fields"]["env"] == NASTY == pt["static_configs"][0]["labels"]["env"] == file_labels["env"]
    assert any(
        c == {"equals": {"type": NASTY}}
        for p in fb["processors"]
        if "drop_event" in p
        for c in p["drop_event"]["when"]["not"]["or"]
    )
    line = json.dumps({"type": NASTY, "outcome": "x", "msg": "mail me at a@b.io"})
    p, a = lp.run_promtail(pt, line, "f"), lp.run_alloy(process, file_labels, line, "f")
    kept, event = lp.run_filebeat(fb, line)
    assert p.kept and a.kept and kept  # the nasty value is a kept type, matched literally
    assert p.line == a.line == event["message"] == line.replace("a@b.io", REPLACEMENT)
    assert p.labels["type"] == NASTY
    # the title (a comment) cannot break out of its line
    for text in (
        files["svc/promtail/promtail.yml"],
        files["svc/alloy/config.alloy"],
        files["svc/filebeat/filebeat.yml"],
    ):
        assert "\nsecond line" not in text


# --- no credential in out/ ------------------------------------------------------------------------


def test_no_credential_in_generated_files(tmp_path: Path) -> None:
    spec = SPEC.replace(
        'elasticsearch: {hosts: ["localhost:9200"], index: "svc-%{+yyyy.MM.dd}"}',
        'elasticsearch: {hosts: ["https://es.example.com:9200"], index: "svc-%{+yyyy.MM.dd}", username: w, '
        'password: "${ES_PASSWORD}", api_key: "${ES_API_KEY}"}',
    ).replace(
        "loki: {url: http://localhost:3100/loki/api/v1/push}",
        "loki: {url: https://loki.example.com/loki/api/v1/push, username: u, password_file: /run/secrets/loki}",
    )
    files = compile_text(tmp_path, spec)
    fb = body(files["svc/filebeat/filebeat.yml"])["output.elasticsearch"]
    assert fb["password"] == "${ES_PASSWORD}" and fb["api_key"] == "${ES_API_KEY}"
    assert fb["ssl.verification_mode"] == "full" and fb["hosts"] == ["https://es.example.com:9200"]
    client = body(files["svc/promtail/promtail.yml"])["clients"][0]
    assert client["basic_auth"] == {"username": "u", "password_file": "/run/secrets/loki"}
    assert "password =" not in files["svc/alloy/config.alloy"]


@pytest.mark.parametrize("service", SERVICES)
def test_no_inline_secret_in_committed_output(service: str) -> None:
    for path in (OUT / service).rglob("*"):
        if not path.is_file() or path.suffix == ".json":
            continue
        for raw in path.read_text().splitlines():
            line = raw.strip().lower()
            for key in ("password:", "password =", "api_key:", "api_key =", "token:"):
                if line.startswith(key):
                    value = raw.split(key[:-1].rstrip(), 1)[1].lstrip(" :=").strip().strip('"')
                    assert value.startswith("${") and value.endswith("}"), f"{path}: {raw}"


def test_indicator_on_a_log_counter_is_proven_by_promtool(tmp_path: Path, promtool: str) -> None:
    """`monspec test`: promtool checks the rules and prometheus.yml and proves the alert on the log counter."""
    spec = tmp_path / "spec.yml"
    spec.write_text(SPEC)
    proc = run_monspec("test", str(spec), "--promtool", promtool)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok  promtool test rules" in proc.stdout and "ok  promtool check config" in proc.stdout


LOGFMT_SPEC = r"""version: 1
service: {name: svc, job: svc-job, metric_prefix: svc_}
severities: {critical: {}}
logs:
  sources:
    app:
      paths: [/var/log/svc/app.log]
      format: logfmt
      timestamp: {field: time, format: RFC3339}
      multiline: {start: '^time='}
      keep: {level: [error, warn]}
      drop: {user: {match: "bot.*"}}
      redact_fields: [password]
      count:
        app_events_total: {by: [level]}
  logstash: {hosts: ["localhost:5044"]}
  loki: {url: http://localhost:3100/loki/api/v1/push}
"""

LOGFMT_LINES = [
    'time=2026-01-01T00:00:00Z level=error user=alice msg="disk full" password=hunter2',
    'time=2026-01-01T00:00:01Z level=info user=alice msg="fine"',
    'time=2026-01-01T00:00:02Z level="warn" user=botnet msg="dropped by drop"',
    'time=2026-01-01T00:00:03Z level=warn user=carol password="a b"',
    'time=2026-01-01T00:00:04Z user=dave msg="no level: not kept"',
]


def test_logfmt_source_agrees_across_dialects(tmp_path: Path) -> None:
    files = compile_text(tmp_path, LOGFMT_SPEC)
    fb = body(files["svc/filebeat/filebeat.yml"])["filebeat.inputs"][0]
    assert "ssl.enabled" in body(files["svc/filebeat/filebeat.yml"])["output.logstash"]
    pt = body(files["svc/promtail/promtail.yml"])["scrape_configs"][0]
    root = parse(files["svc/alloy/config.alloy"])
    process = next(b for b in root.blocks if b.name == "loki.process")
    file_labels = next(b for b in root.blocks if b.name == "local.file_match").attrs["path_targets"][0]
    kept = []
    for line in LOGFMT_LINES:
        p = lp.run_promtail(pt, line, "f")
        a = lp.run_alloy(process, file_labels, line, "f")
        fkept, event = lp.run_filebeat(fb, line)
        assert (p.kept, p.line, p.labels, p.counts) == (a.kept, a.line, a.labels, a.counts), line
        assert fkept == p.kept, line
        if fkept:
            assert event["message"] == p.line and "hunter2" not in p.line and "a b" not in p.line
        kept.append(p.kept)
    assert kept == [True, False, False, True, False]
    assert [dict(c[1])["level"] for line in LOGFMT_LINES for c in lp.run_promtail(pt, line, "f").counts] == [
        "error",
        "warn",
    ]
