"""The seed guides' log setups, found in the committed out/ files.

For each guide, the paths, fields, filters, redactions, counters and destinations it names (copied
from ../shared/seeds, not from the specs) must appear in the generated Filebeat, Promtail and Alloy
files and in the saved queries.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
import yaml

from tests.alloy_syntax import Block, parse
from tests.conftest import OUT


@functools.cache
def filebeat(service: str) -> dict[str, Any]:
    return dict(yaml.safe_load((OUT / service / "filebeat" / "filebeat.yml").read_text()))


@functools.cache
def promtail(service: str) -> dict[str, Any]:
    return dict(yaml.safe_load((OUT / service / "promtail" / "promtail.yml").read_text()))


@functools.cache
def alloy(service: str) -> Block:
    return parse((OUT / service / "alloy" / "config.alloy").read_text())


@functools.cache
def queries(service: str) -> dict[str, Any]:
    return dict(yaml.safe_load((OUT / service / "logs" / "queries.yml").read_text())["sources"])


def fb_input(service: str, suffix: str) -> dict[str, Any]:
    (inp,) = [i for i in filebeat(service)["filebeat.inputs"] if i["id"] == f"{service}-{suffix}"]
    return inp


def pt_job(service: str, suffix: str) -> dict[str, Any]:
    (job,) = [j for j in promtail(service)["scrape_configs"] if j["job_name"] == f"{service}-{suffix}"]
    return job


def pt_stages(job: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for st in job.get("pipeline_stages") or []:
        out.append(st)
        if "match" in st:
            out += pt_stages({"pipeline_stages": st["match"].get("stages") or []})
    return out


def alloy_component(service: str, name: str, label: str) -> Block:
    (b,) = [b for b in alloy(service).blocks if b.name == name and b.label == label]
    return b


def alloy_stages(block: Block) -> list[Block]:
    out = []
    for b in block.blocks:
        out.append(b)
        if b.name == "stage.match":
            out += alloy_stages(b)
    return out


def kept_values(inp: dict[str, Any], field: str) -> set[str]:
    out = set()
    for p in inp.get("processors") or []:
        when = (p.get("drop_event") or {}).get("when") or {}
        for c in (when.get("not") or {}).get("or") or []:
            if field in (c.get("equals") or {}):
                out.add(c["equals"][field])
    return out


def promtail_counters(job: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        cfg["prefix"] + name: cfg for st in pt_stages(job) if "metrics" in st for name, cfg in st["metrics"].items()
    }


def alloy_counters(process: Block) -> set[str]:
    return {
        m.attrs["prefix"] + m.attrs["name"]
        for st in alloy_stages(process)
        if st.name == "stage.metrics"
        for m in st.blocks
    }


def test_seed_000_moltbot_audit_jsonl() -> None:
    s = "moltbot"
    # "Location: ~/.clawdbot/audit.jsonl"
    assert fb_input(s, "audit")["paths"][0].endswith("/.clawdbot/audit.jsonl")
    job = pt_job(s, "audit")
    assert job["static_configs"][0]["labels"]["__path__"].endswith("/.clawdbot/audit.jsonl")
    targets = alloy_component(s, "local.file_match", "audit").attrs["path_targets"]
    assert targets[0]["__path__"].endswith("/.clawdbot/audit.jsonl")
    # the security-relevant event types, and only those, are shipped
    guide_types = {
        "auth.login", "auth.failure", "auth.logout", "rbac.denied", "pairing.request", "pairing.approve",
        "pairing.reject", "pairing.revoke", "exec.request", "exec.approve", "exec.reject", "config.change",
        "gateway.start", "gateway.stop",
    }  # fmt: skip
    assert kept_values(fb_input(s, "audit"), "type") == guide_types
    drop = [st["match"]["selector"] for st in pt_stages(job) if "match" in st and st["match"].get("action") == "drop"]
    assert len(drop) == 1 and all(t.replace(".", "\\\\.") in drop[0] for t in guide_types)
    # jq reads .type, .outcome, .ts and .actor.id
    expressions = next(st["json"]["expressions"] for st in pt_stages(job) if "json" in st)
    assert {"type": "type", "outcome": "outcome", "ts": "ts", "actor_id": "actor.id"}.items() <= expressions.items()
    assert {"timestamp": {"source": "ts", "format": "RFC3339"}} in pt_stages(job)
    # the jq counts become counters in both agents: by type and outcome; auth.failure by actor
    counters = promtail_counters(job)
    assert set(counters) == alloy_counters(alloy_component(s, "loki.process", "audit"))
    assert {"clawdbot_audit_events_total", "clawdbot_audit_auth_failures_by_actor_total"} <= set(counters)
    q = {x["name"]: x for x in queries(s)["audit"]["queries"]}
    assert q["audit_type_authfailure"]["kql"] == 'fields.source: "audit" and type: "auth.failure"'
    assert q["audit_type_rbacdenied"]["logql"].endswith('| type=~"rbac\\\\.denied"')


def test_seed_001_express_security_events_log() -> None:
    s = "express-api"
    # winston File transport: logs/security-events.log, rotated (security-events1.log, ...)
    assert fb_input(s, "security_events")["paths"] == ["/srv/express-api/logs/security-events*.log"]
    job = pt_job(s, "security_events")
    assert job["static_configs"][0]["labels"]["__path__"] == "/srv/express-api/logs/security-events*.log"
    # winston.format.timestamp() + json(): `timestamp` and `level` in every JSON line
    assert {"timestamp": {"source": "timestamp", "format": "RFC3339"}} in pt_stages(job)
    assert any(p.get("ndjson") is not None for p in fb_input(s, "security_events")["parsers"])
    # ELK stack
    assert filebeat(s)["output.elasticsearch"]["hosts"] == ["https://elk.example.com:9200"]
    assert "security_log_events_total" in promtail_counters(job)


def test_seed_002_memory_service_filebeat_and_promtail() -> None:
    s = "memory-service"
    fb = filebeat(s)
    inp = fb_input(s, "audit_siem")
    assert inp["type"] == "filestream" and inp["paths"] == ["/var/log/memory/audit.log"]
    assert {"service": "memory-service", "environment": "production"}.items() <= inp["fields"].items()
    assert kept_values(inp, "event_type") == {"access_denied", "security_violation", "auth_failure"}
    assert fb["output.elasticsearch"]["hosts"] == ["http://localhost:9200"]
    assert fb["output.elasticsearch"]["index"] == "memory-audit-%{+yyyy.MM.dd}"
    pt = promtail(s)
    assert pt["clients"] == [{"url": "http://localhost:3100/loki/api/v1/push"}]
    job = pt_job(s, "audit")
    labels = job["static_configs"][0]["labels"]
    assert (labels["__path__"], labels["job"], labels["env"]) == (
        "/var/log/memory/audit.log",
        "memory-service",
        "production",
    )
    expressions = next(st["json"]["expressions"] for st in pt_stages(job) if "json" in st)
    assert {"timestamp", "event_type", "level", "actor", "resource_id"} <= set(expressions)
    assert {"labels": {"level": "level", "event_type": "event_type"}} in pt_stages(job)
    # the same in Alloy, and the counters of event_type in both agents
    process = alloy_component(s, "loki.process", "audit")
    assert any(
        b.name == "stage.labels" and b.attrs["values"] == {"level": "level", "event_type": "event_type"}
        for b in process.blocks
    )
    assert set(promtail_counters(job)) == alloy_counters(process) == {
        "audit_log_events_total", "audit_log_security_events_total"}  # fmt: skip
    # the guide's Kibana queries, as saved KQL; "Audit logs: 90 days"
    q = {x["name"]: x for x in queries(s)["audit_siem"]["queries"]}
    assert q["audit_siem_event_type_authfailure"]["kql"] == 'fields.source: "audit_siem" and event_type: "auth_failure"'
    assert queries(s)["audit"]["retention"] == queries(s)["audit_siem"]["retention"] == "90d"


def test_seed_003_security_platform_audit_log_180_days() -> None:
    s = "security-platform"
    assert fb_input(s, "audit")["paths"] == ["/app/logs/audit.log"]
    assert pt_job(s, "audit")["static_configs"][0]["labels"]["__path__"] == "/app/logs/audit.log"
    assert alloy_component(s, "local.file_match", "audit").attrs["path_targets"][0]["__path__"] == "/app/logs/audit.log"
    assert queries(s)["audit"]["retention"] == "180d"  # "Retain logs for 180 days"
    # forwarded to the SIEM over TLS; Nginx access logs subscribed too
    assert filebeat(s)["output.logstash"]["ssl.enabled"] is True
    assert fb_input(s, "nginx_access")["paths"] == ["/var/log/nginx/access.log"]
    # ">5 failed logins per user": a counter by user in both agents
    job = pt_job(s, "audit")
    assert "security_audit_failed_logins_total" in promtail_counters(job)
    assert "security_audit_failed_logins_total" in alloy_counters(alloy_component(s, "loki.process", "audit"))
    endpoint = alloy_component(s, "loki.write", "default").blocks[0]
    assert endpoint.attrs["tenant_id"] == "security-platform"
    assert endpoint.all("basic_auth")[0].attrs["password_file"] == "/etc/alloy/secrets/loki-password"


@pytest.mark.parametrize(
    ("counter", "guide_pattern"),
    [
        ("filagent_log_injection_lines_total", r"\\n|\\r|\[INFO\]|\[ERROR\].*UTC"),
        ("filagent_path_traversal_log_events_total", r"\.\./|%2e%2e|\\\.\\"),
        ("filagent_auth_failure_log_lines_total", "auth_failure|unauthorized|401|403"),
        ("filagent_pii_unredacted_log_lines_total", r"[0-9]{3}-[0-9]{2}-[0-9]{4}"),
    ],
)
def test_seed_004_filagent_grep_patterns_are_counted(counter: str, guide_pattern: str) -> None:
    job = pt_job("filagent", "app")
    selectors = [st["match"]["selector"] for st in pt_stages(job) if "match" in st and "stages" in st["match"]]
    assert counter in promtail_counters(job)
    assert counter in alloy_counters(alloy_component("filagent", "loki.process", "app"))
    from tests.log_pipelines import parse_selector

    filters = [f for sel in selectors for op, f in parse_selector(sel).filters if op == "|~"]
    assert any(guide_pattern in f for f in filters)


def test_seed_004_filagent_jsonl_with_pii_redaction() -> None:
    s = "filagent"
    inp = fb_input(s, "app")
    assert inp["paths"][0].endswith("/*.jsonl")
    email, ssn = r"[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}", "[0-9]{3}-[0-9]{2}-[0-9]{4}"
    fb_redactions = [
        (f["pattern"], f["replacement"]) for p in inp["processors"] if "replace" in p for f in p["replace"]["fields"]
    ]
    assert fb_redactions == [("(?i)" + email, "[EMAIL_REDACTED]"), (ssn, "[SSN_REDACTED]")]
    # redacted on the raw line, then decoded, so no decoded field keeps the PII
    kinds = [next(iter(p)) for p in inp["processors"]]
    assert kinds.index("decode_json_fields") > kinds.index("replace")
    pt = [st["replace"] for st in pt_stages(pt_job(s, "app")) if "replace" in st]
    assert pt == [{"expression": f"((?i){email})", "replace": "[EMAIL_REDACTED]"},
                  {"expression": f"({ssn})", "replace": "[SSN_REDACTED]"}]  # fmt: skip
    al = [b.attrs for b in alloy_component(s, "loki.process", "app").blocks if b.name == "stage.replace"]
    assert al == [{"expression": p["expression"], "replace": p["replace"]} for p in pt]
    # the SIEM of Part 5: kafka.company.com:9092, topic security_events, over TLS
    out = filebeat(s)["output.kafka"]
    assert (out["hosts"], out["topic"], out["ssl.enabled"]) == (["kafka.company.com:9092"], "security_events", True)
    assert "filagent_suspicious_tool_calls_total" in promtail_counters(pt_job(s, "app"))
