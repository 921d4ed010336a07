"""Structural checks of generated Filebeat, Promtail and Alloy files, rule by rule from the references.

No JSON Schema exists for Filebeat or Alloy, and the community Promtail draft rejects valid stages
(../shared/schemas/SOURCES.md), so these rules are written from the official configuration
references; each rule names its source. They return a list of problems (empty when the file is
well-formed), so a test can also show that a broken file is caught.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import promql_parser as pp
from jsonschema import validators

from generator.model.promql import quote
from tests.alloy_syntax import Block, Ref

SCHEMAS = Path(__file__).resolve().parent / "schemas"

# Promtail: grafana/loki docs/sources/send-data/promtail/stages/*.md (commit bd51fcae).
PROMTAIL_STAGE_KEYS: dict[str, set[str] | None] = {
    "json": {"expressions", "source", "drop_malformed"},  # stages/json.md
    "logfmt": {"mapping", "source"},  # stages/logfmt.md
    "timestamp": {"source", "format", "fallback_formats", "location", "action_on_failure"},  # stages/timestamp.md
    "labels": None,  # stages/labels.md: a map of label -> extracted name
    "labeldrop": None,  # stages/labeldrop.md: a list of label names
    "match": {"selector", "pipeline_name", "action", "drop_counter_reason", "stages"},  # stages/match.md
    "drop": {"source", "separator", "expression", "value", "older_than", "longer_than", "drop_counter_reason"},
    "replace": {"expression", "source", "replace"},  # stages/replace.md
    "multiline": {"firstline", "max_wait_time", "max_lines"},  # stages/multiline.md
    "metrics": None,  # stages/metrics.md: a map of metric name -> metric config
}
PROMTAIL_COUNTER_KEYS = {"type", "description", "prefix", "source", "max_idle_duration", "config"}
PROMTAIL_COUNTER_CONFIG = {"value", "action", "match_all", "count_entry_bytes"}

# Filebeat 8: filebeat.reference.yml (../shared/schemas/reference/filebeat) and the Filebeat docs
# pages "filestream input", "Parsers", "Define processors", "Configure the output".
FILEBEAT_INPUT_KEYS = {"type", "id", "enabled", "paths", "parsers", "fields", "fields_under_root", "processors"}
FILEBEAT_PARSER_KEYS = {
    "multiline": {"type", "pattern", "negate", "match", "max_lines", "timeout", "count_lines", "skip_newline"},
    "ndjson": {
        "target",
        "overwrite_keys",
        "add_error_key",
        "expand_keys",
        "message_key",
        "document_id",
        "ignore_decoding_error",
    },
}
FILEBEAT_PROCESSOR_KEYS = {
    "drop_event": {"when"},
    "replace": {"fields", "ignore_missing", "fail_on_error", "when"},
    "decode_json_fields": {
        "fields",
        "process_array",
        "max_depth",
        "target",
        "overwrite_keys",
        "add_error_key",
        "document_id",
        "expand_keys",
        "when",
    },
    "timestamp": {"field", "layouts", "timezone", "ignore_missing", "ignore_failure", "target_field", "test", "when"},
}
FILEBEAT_CONDITIONS = {"equals", "contains", "regexp", "range", "network", "has_fields", "or", "and", "not"}
FILEBEAT_OUTPUTS = {
    "output.elasticsearch": {
        "hosts",
        "index",
        "username",
        "password",
        "api_key",
        "protocol",
        "ssl.enabled",
        "ssl.verification_mode",
        "ssl.certificate_authorities",
        "ssl.certificate",
        "ssl.key",
    },
    "output.logstash": {
        "hosts",
        "ssl.enabled",
        "ssl.verification_mode",
        "ssl.certificate_authorities",
        "ssl.certificate",
        "ssl.key",
    },
    "output.kafka": {
        "hosts",
        "topic",
        "username",
        "password",
        "ssl.enabled",
        "ssl.verification_mode",
        "ssl.certificate_authorities",
        "ssl.certificate",
        "ssl.key",
    },
}
FILEBEAT_TOP = {
    "filebeat.inputs",
    *FILEBEAT_OUTPUTS,
    "setup.ilm.enabled",
    "setup.template.name",
    "setup.template.pattern",
    "setup.kibana",
}
# filebeat.reference.yml, "Kibana": setup.kibana's settings.
FILEBEAT_KIBANA_KEYS = {"host", "protocol", "username", "password", "api_key", "path", "space.id", "ssl.enabled"}

# Alloy: grafana/alloy docs/sources/reference/components/ (local/local.file_match.md,
# loki/loki.source.file.md, loki/loki.process.md, loki/loki.write.md).
ALLOY_COMPONENTS = {
    "local.file_match": {"path_targets", "sync_period"},
    "loki.source.file": {"targets", "forward_to", "encoding", "tail_from_end", "legacy_positions_file"},
    "loki.process": {"forward_to"},
    "loki.write": {"external_labels", "max_streams"},
}
ALLOY_STAGE_ATTRS = {
    "stage.json": {"expressions", "source", "drop_malformed", "regex"},
    "stage.logfmt": {"mapping", "source", "regex"},
    "stage.timestamp": {
        "source",
        "format",
        "fallback_formats",
        "location",
        "action_on_failure",
        "action_on_duplicate_timestamp",
    },
    "stage.labels": {"values", "source_type"},
    "stage.label_drop": {"values"},
    "stage.match": {"selector", "action", "drop_counter_reason", "pipeline_name"},
    "stage.drop": {"source", "expression", "value", "separator", "older_than", "longer_than", "drop_counter_reason"},
    "stage.replace": {"expression", "replace", "source"},
    "stage.multiline": {"firstline", "max_lines", "max_wait_time", "trim_newlines"},
    "stage.metrics": set(),
}
ALLOY_COUNTER_ATTRS = {
    "name",
    "action",
    "description",
    "prefix",
    "source",
    "value",
    "match_all",
    "count_entry_bytes",
    "max_idle_duration",
}
ALLOY_ENDPOINT_ATTRS = {"url", "tenant_id", "bearer_token_file", "name", "headers", "batch_size", "batch_wait"}
ALLOY_TLS_ATTRS = {"ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify", "ca_pem", "cert_pem"}


def re2_problem(regex: str) -> str | None:
    """RE2 (Go's regexp) validity, asked of the Prometheus grammar's matcher parser."""
    try:
        pp.parse(f"x{{l=~{quote(regex)}}}")
    except ValueError as exc:
        return str(exc)
    return None


def _unknown(where: str, have: set[str], allowed: set[str]) -> list[str]:
    return [f"{where}: unknown key {k!r}" for k in sorted(have - allowed)]


def promtail_problems(doc: dict[str, Any]) -> list[str]:
    """Top level against the community draft schema, pipeline stages against the stage references."""
    problems: list[str] = []
    schema = json.loads((SCHEMAS / "promtail-3.3.0.draft.json").read_text())
    stripped = json.loads(json.dumps(doc))
    for sc in stripped.get("scrape_configs") or []:
        sc.pop("pipeline_stages", None)
    cls = validators.validator_for(schema)
    problems += [f"schema: {e.message} at {list(e.absolute_path)}" for e in cls(schema).iter_errors(stripped)]
    for sc in doc.get("scrape_configs") or []:
        for st in sc.get("static_configs") or []:
            if "__path__" not in (st.get("labels") or {}):
                problems.append(f"{sc['job_name']}: static_config without __path__ (configuration.md, static_configs)")
        problems += _promtail_stages(sc.get("pipeline_stages") or [], sc["job_name"])
    return problems


def _promtail_stages(stages: list[Any], where: str) -> list[str]:
    problems: list[str] = []
    for st in stages:
        if not isinstance(st, dict) or len(st) != 1:
            problems.append(f"{where}: a stage is a map with one key, got {st!r}")
            continue
        ((kind, body),) = st.items()
        if kind not in PROMTAIL_STAGE_KEYS:
            problems.append(f"{where}: unknown stage {kind!r}")
            continue
        allowed = PROMTAIL_STAGE_KEYS[kind]
        if allowed is not None:
            problems += _unknown(f"{where}.{kind}", set(body), allowed)
        if kind == "labeldrop" and not (isinstance(body, list) and all(isinstance(x, str) for x in body)):
            problems.append(f"{where}.labeldrop: must be a list of label names")
        if kind == "labels" and not all(isinstance(v, str) for v in body.values()):
            problems.append(f"{where}.labels: values are extracted names")
        if kind == "match":
            if body.get("action", "keep") not in ("keep", "drop"):
                problems.append(f"{where}.match: action must be keep or drop")
            if body.get("action") == "drop" and body.get("stages"):
                problems.append(f"{where}.match: a drop match has no stages")
            problems += _promtail_stages(body.get("stages") or [], f"{where}.match")
        if kind == "metrics":
            for name, cfg in body.items():
                problems += _unknown(f"{where}.metrics.{name}", set(cfg), PROMTAIL_COUNTER_KEYS)
                problems += _unknown(
                    f"{where}.metrics.{name}.config", set(cfg.get("config") or {}), PROMTAIL_COUNTER_CONFIG
                )
                if str(cfg.get("type")).lower() != "counter":
                    problems.append(f"{where}.metrics.{name}: type must be Counter")
                if not cfg.get("prefix"):
                    problems.append(f"{where}.metrics.{name}: an empty prefix becomes promtail_custom_")
                if (cfg.get("config") or {}).get("action") not in ("inc", "add"):
                    problems.append(f"{where}.metrics.{name}: counter action must be inc or add")
        for key in ("expression", "firstline"):
            if isinstance(body, dict) and key in body and re2_problem(body[key]):
                problems.append(f"{where}.{kind}.{key}: not RE2: {body[key]!r}")
    return problems


def _conditions(cond: Any, where: str) -> list[str]:
    if not isinstance(cond, dict) or len(cond) != 1:
        return [f"{where}: a condition is a map with one key"]
    ((kind, arg),) = cond.items()
    if kind not in FILEBEAT_CONDITIONS:
        return [f"{where}: unknown condition {kind!r}"]
    if kind == "not":
        return _conditions(arg, f"{where}.not")
    if kind in ("or", "and"):
        if not isinstance(arg, list) or not arg:
            return [f"{where}.{kind}: needs a list of conditions"]
        return [p for c in arg for p in _conditions(c, f"{where}.{kind}")]
    if kind == "regexp":
        return [f"{where}.regexp: not RE2: {v!r}" for v in arg.values() if re2_problem(v)]
    return []


def filebeat_problems(doc: dict[str, Any]) -> list[str]:
    problems = _unknown("filebeat.yml", set(doc), FILEBEAT_TOP)
    outputs = [k for k in doc if k.startswith("output.")]
    if len(outputs) != 1:
        problems.append(f"exactly one output must be enabled (reference: 'Configure the output'), got {outputs}")
    if "setup.kibana" in doc:
        problems += _unknown("setup.kibana", set(doc["setup.kibana"]), FILEBEAT_KIBANA_KEYS)
    for out in outputs:
        problems += _unknown(out, set(doc[out]), FILEBEAT_OUTPUTS.get(out, set()))
        mode = doc[out].get("ssl.verification_mode")
        if mode is not None and mode not in ("full", "strict", "certificate", "none"):
            problems.append(f"{out}: ssl.verification_mode {mode!r}")
    ids = [i.get("id") for i in doc.get("filebeat.inputs") or []]
    if None in ids or len(set(ids)) != len(ids):
        problems.append("every filestream input needs a unique id (filestream docs)")
    for inp in doc.get("filebeat.inputs") or []:
        where = f"input {inp.get('id')}"
        if inp.get("type") != "filestream":
            problems.append(f"{where}: type {inp.get('type')!r}, not filestream (the log input is deprecated)")
        problems += _unknown(where, set(inp), FILEBEAT_INPUT_KEYS)
        if not inp.get("paths"):
            problems.append(f"{where}: no paths")
        for p in inp.get("parsers") or []:
            ((kind, body),) = p.items()
            if kind not in FILEBEAT_PARSER_KEYS:
                problems.append(f"{where}: unknown parser {kind!r}")
                continue
            problems += _unknown(f"{where}.{kind}", set(body), FILEBEAT_PARSER_KEYS[kind])
            if kind == "multiline" and (body.get("match") not in ("before", "after") or re2_problem(body["pattern"])):
                problems.append(f"{where}.multiline: match before/after and an RE2 pattern")
        for proc in inp.get("processors") or []:
            ((kind, body),) = proc.items()
            if kind not in FILEBEAT_PROCESSOR_KEYS:
                problems.append(f"{where}: processor {kind!r} not in the checked set")
                continue
            problems += _unknown(f"{where}.{kind}", set(body), FILEBEAT_PROCESSOR_KEYS[kind])
            if kind == "drop_event":
                problems += _conditions(body.get("when"), f"{where}.drop_event.when")
            if kind == "replace":
                for f in body["fields"]:
                    problems += _unknown(f"{where}.replace.fields", set(f), {"field", "pattern", "replacement"})
                    if re2_problem(f["pattern"]):
                        problems.append(f"{where}.replace: not RE2: {f['pattern']!r}")
    return problems


def alloy_problems(root: Block) -> list[str]:
    problems: list[str] = []
    if root.attrs:
        problems.append(f"top-level attributes {sorted(root.attrs)}")
    exports: set[str] = set()
    for b in root.blocks:
        if b.name not in ALLOY_COMPONENTS:
            problems.append(f"line {b.line}: unknown component {b.name!r}")
            continue
        if b.label is None:
            problems.append(f"line {b.line}: {b.name} needs a label")
        problems += _unknown(f"{b.name} {b.label!r}", set(b.attrs), ALLOY_COMPONENTS[b.name])
        export = {"local.file_match": "targets", "loki.process": "receiver", "loki.write": "receiver"}.get(b.name)
        if export:
            exports.add(f"{b.name}.{b.label}.{export}")
    for b in root.blocks:
        for value in b.attrs.values():
            for ref in _refs(value):
                if ref.path not in exports:
                    problems.append(f"line {b.line}: {ref.path} refers to no component")
        if b.name == "local.file_match":
            for t in b.attrs.get("path_targets") or []:
                if "__path__" not in t:
                    problems.append(f"line {b.line}: path target without __path__")
        if b.name == "loki.process":
            problems += _alloy_stages(b.blocks, f"loki.process {b.label!r}")
        if b.name == "loki.write":
            for ep in b.blocks:
                if ep.name != "endpoint":
                    problems.append(f"loki.write: unknown block {ep.name}")
                    continue
                problems += _unknown("loki.write.endpoint", set(ep.attrs), ALLOY_ENDPOINT_ATTRS)
                for sub in ep.blocks:
                    allowed = {"basic_auth": {"username", "password", "password_file"}, "tls_config": ALLOY_TLS_ATTRS}
                    if sub.name not in allowed:
                        problems.append(f"loki.write.endpoint: unknown block {sub.name}")
                    else:
                        problems += _unknown(f"endpoint.{sub.name}", set(sub.attrs), allowed[sub.name])
    return problems


def _refs(value: Any) -> list[Ref]:
    if isinstance(value, Ref):
        return [value]
    if isinstance(value, list):
        return [r for v in value for r in _refs(v)]
    if isinstance(value, dict):
        return [r for v in value.values() for r in _refs(v)]
    return []


def _alloy_stages(stages: list[Block], where: str) -> list[str]:
    problems: list[str] = []
    for st in stages:
        if st.name not in ALLOY_STAGE_ATTRS:
            problems.append(f"{where}: unknown stage {st.name!r} (line {st.line})")
            continue
        problems += _unknown(f"{where}.{st.name}", set(st.attrs), ALLOY_STAGE_ATTRS[st.name])
        if st.name == "stage.match":
            if st.attrs.get("action", "keep") not in ("keep", "drop"):
                problems.append(f"{where}.stage.match: action keep or drop")
            problems += _alloy_stages(st.blocks, f"{where}.stage.match")
        elif st.name == "stage.metrics":
            for m in st.blocks:
                if m.name != "metric.counter":
                    problems.append(f"{where}.stage.metrics: {m.name} not generated by monspec")
                    continue
                problems += _unknown(f"{where}.metric.counter", set(m.attrs), ALLOY_COUNTER_ATTRS)
                if not m.attrs.get("prefix"):
                    problems.append(f"{where}.metric.counter: an empty prefix becomes loki_process_custom_")
                if m.attrs.get("match_all") and m.attrs.get("value"):
                    problems.append(f"{where}.metric.counter: match_all and value exclude each other")
        elif st.blocks:
            problems.append(f"{where}.{st.name}: takes no blocks")
        for key in ("expression", "firstline"):
            if key in st.attrs and re2_problem(st.attrs[key]):
                problems.append(f"{where}.{st.name}.{key}: not RE2")
    return problems
