"""Tiny interpreters of the generated Promtail, Alloy and Filebeat pipelines, for tests.

They implement the stage and processor semantics the official references describe (Promtail
stages/*.md, Alloy loki.process.md, Filebeat's filestream parsers and processors), just far enough
for the stages monspec generates, so one log line can be pushed through all three generated
files and the results compared. An unknown stage or processor raises: a generated construct the
interpreters do not know is a test failure, not a silent pass.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from tests.alloy_syntax import Block, unquote

_MATCHER = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*")\s*,?')
_LINE_FILTER = re.compile(r'\s*(\|~|!~|\|=|!=)\s*("(?:[^"\\]|\\.)*")')


def py_re(pattern: str) -> re.Pattern[str]:
    """RE2 -> Python re for the constructs monspec emits (a leading or group-leading (?i))."""
    if pattern.startswith("((?i)") and pattern.endswith(")"):
        pattern = "((?i:" + pattern[5:] + ")"
    return re.compile(pattern)


@dataclass
class Selector:
    matchers: list[tuple[str, str, str]]
    filters: list[tuple[str, str]]

    def matches(self, labels: dict[str, str], line: str) -> bool:
        for name, op, value in self.matchers:
            have = labels.get(name, "")
            ok = {
                "=": have == value,
                "!=": have != value,
                "=~": py_re(f"(?:{value})").fullmatch(have) is not None,
                "!~": py_re(f"(?:{value})").fullmatch(have) is None,
            }[op]
            if not ok:
                return False
        for op, value in self.filters:
            found = py_re(value).search(line) is not None if op in ("|~", "!~") else value in line
            if found != (op in ("|~", "|=")):
                return False
        return True


def parse_selector(text: str) -> Selector:
    text = text.strip()
    if not text.startswith("{"):
        raise ValueError(f"not a stream selector: {text!r}")
    matchers, pos = [], 1
    while not text[pos:].lstrip().startswith("}"):
        m = _MATCHER.match(text, pos)
        if not m:
            raise ValueError(f"bad matcher at {text[pos:]!r}")
        matchers.append((m.group(1), m.group(2), unquote(m.group(3), 0)))
        pos = m.end()
    rest = text[text.index("}", pos) + 1 :]
    filters, pos = [], 0
    while rest[pos:].strip():
        m = _LINE_FILTER.match(rest, pos)
        if not m:
            raise ValueError(f"bad line filter at {rest[pos:]!r}")
        filters.append((m.group(1), unquote(m.group(2), 0)))
        pos = m.end()
    return Selector(matchers, filters)


@dataclass
class Result:
    kept: bool
    line: str
    labels: dict[str, str]
    counts: list[tuple[str, tuple[tuple[str, str], ...]]] = field(default_factory=list)


def _jmespath(doc: Any, path: str) -> Any:
    for part in path.strip('"').split("."):
        if not isinstance(doc, dict) or part not in doc:
            return None
        doc = doc[part]
    return doc


def _logfmt(line: str) -> dict[str, str]:
    return {m.group(1): m.group(2).strip('"') for m in re.finditer(r'(\w+)=("(?:[^"\\]|\\.)*"|\S*)', line)}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


class _Run:
    """One entry through a list of neutral (kind, args, nested) stages."""

    def __init__(self, line: str, labels: dict[str, str]) -> None:
        self.r = Result(True, line, dict(labels))
        self.extracted: dict[str, Any] = {}

    def stage(self, kind: str, a: dict[str, Any], nested: list[Any]) -> None:
        r = self.r
        if kind == "json":
            try:
                doc = json.loads(r.line)
            except ValueError:
                return
            for name, path in a["expressions"].items():
                value = _jmespath(doc, path or name)
                if value is not None:
                    self.extracted[name] = value
        elif kind == "logfmt":
            pairs = _logfmt(r.line)
            for name, key in a["mapping"].items():
                if (key or name) in pairs:
                    self.extracted[name] = pairs[key or name]
        elif kind in ("timestamp", "multiline"):
            pass  # no effect on what these tests compare
        elif kind == "labels":
            for name, source in a["values"].items():
                if (source or name) in self.extracted:
                    r.labels[name] = _text(self.extracted[source or name])
        elif kind == "labeldrop":
            for name in a["values"]:
                r.labels.pop(name, None)
        elif kind == "drop":
            value = self.extracted.get(a["source"])
            if value is not None and re.search(a["expression"], _text(value)):
                r.kept = False
        elif kind == "match":
            if parse_selector(a["selector"]).matches(r.labels, r.line):
                if a.get("action") == "drop":
                    r.kept = False
                else:
                    for n in nested:
                        self.stage(*n)
                        if not r.kept:
                            return
        elif kind == "metrics":
            for name, cfg in a["metrics"].items():
                r.counts.append((cfg["prefix"] + name, tuple(sorted(r.labels.items()))))
        elif kind == "replace":
            expr = py_re(a["expression"])
            text = a["replace"]
            wrapped = re.fullmatch(r'\{\{ ("(?:[^"\\]|\\.)*") \}\}', text)  # a Go template string constant
            if wrapped:
                text = unquote(wrapped.group(1), 0)
            elif "{{" in text:
                raise AssertionError(f"replace value {text!r} would be evaluated as a Go template")
            r.line = expr.sub(lambda m: text, r.line)
        else:
            raise AssertionError(f"the test interpreter does not know stage {kind!r}")


def _promtail_stage(stage: dict[str, Any]) -> tuple[str, dict[str, Any], list[Any]]:
    ((kind, a),) = stage.items()
    if kind == "labeldrop":
        return "labeldrop", {"values": a}, []
    if kind == "labels":
        return "labels", {"values": a}, []
    if kind == "metrics":
        metrics = {}
        for name, cfg in a.items():
            assert cfg["type"] == "Counter" and cfg["config"] == {"match_all": True, "action": "inc"}
            metrics[name] = {"prefix": cfg["prefix"]}
        return "metrics", {"metrics": metrics}, []
    if kind == "replace":
        # Promtail replaces each capture group; monspec emits exactly one, around the whole match.
        return "replace", a, []
    nested = [_promtail_stage(s) for s in a.get("stages") or []] if kind == "match" else []
    return kind, a, nested


def run_promtail(scrape_config: dict[str, Any], line: str, filename: str) -> Result:
    labels = {k: v for k, v in scrape_config["static_configs"][0]["labels"].items() if not k.startswith("__")}
    run = _Run(line, {**labels, "filename": filename})
    for stage in scrape_config.get("pipeline_stages") or []:
        run.stage(*_promtail_stage(stage))
        if not run.r.kept:
            break
    return run.r


def _alloy_stage(b: Block) -> tuple[str, dict[str, Any], list[Any]]:
    kind = b.name.removeprefix("stage.")
    a = dict(b.attrs)
    if kind == "label_drop":
        return "labeldrop", a, []
    if kind == "metrics":
        metrics = {}
        for m in b.blocks:
            assert m.name == "metric.counter" and m.attrs["match_all"] is True and m.attrs["action"] == "inc"
            metrics[m.attrs["name"]] = {"prefix": m.attrs["prefix"]}
        return "metrics", {"metrics": metrics}, []
    nested = [_alloy_stage(s) for s in b.blocks] if kind == "match" else []
    return kind, a, nested


def run_alloy(process: Block, file_labels: dict[str, str], line: str, filename: str) -> Result:
    labels = {k: v for k, v in file_labels.items() if not k.startswith("__")}
    run = _Run(line, {**labels, "filename": filename})
    for b in process.blocks:
        run.stage(*_alloy_stage(b))
        if not run.r.kept:
            break
    return run.r


def _condition(cond: dict[str, Any], event: dict[str, Any]) -> bool:
    ((kind, arg),) = cond.items()
    if kind == "not":
        return not _condition(arg, event)
    if kind == "or":
        return any(_condition(c, event) for c in arg)
    if kind == "and":
        return all(_condition(c, event) for c in arg)
    ((fname, value),) = arg.items()
    have = _jmespath(event, fname)
    if have is None:
        return False
    if kind == "equals":
        return _text(have) == str(value)
    if kind == "regexp":
        return re.search(value, _text(have)) is not None
    raise AssertionError(f"the test interpreter does not know condition {kind!r}")


def _go_expand(template: str) -> str:
    """Go's Regexp.ReplaceAllString template for a pattern without groups: $$ is $, $x and ${x} are empty."""
    return re.sub(r"\$(\$|\{\w*\}|\w+)", lambda m: "$" if m.group(1) == "$" else "", template)


def run_filebeat(inp: dict[str, Any], line: str) -> tuple[bool, dict[str, Any]]:
    event: dict[str, Any] = {"message": line, "fields": dict(inp.get("fields") or {})}
    for p in inp.get("parsers") or []:
        ((kind, _),) = p.items()
        if kind == "ndjson":
            try:
                event.update(json.loads(line))
            except ValueError:
                event["error"] = {"message": "invalid json"}
        elif kind != "multiline":
            raise AssertionError(f"the test interpreter does not know parser {kind!r}")
    for proc in inp.get("processors") or []:
        ((kind, a),) = proc.items()
        if kind == "replace":
            for f in a["fields"]:
                if f["field"] in event:
                    text = _go_expand(f["replacement"])
                    event[f["field"]] = re.sub(f["pattern"], lambda m, text=text: text, event[f["field"]])
        elif kind == "decode_json_fields":
            try:
                event.update(json.loads(event["message"]))
            except ValueError:
                event["error"] = {"message": "invalid json"}
        elif kind == "timestamp":
            pass
        elif kind == "drop_event":
            if _condition(a["when"], event):
                return False, event
        else:
            raise AssertionError(f"the test interpreter does not know processor {kind!r}")
    return True, event
