"""OpenSLO v1 SLO/SLI documents -> a monspec spec (as data plus the notes that become its header).

What maps: ratioMetric good/bad/total whose metric sources are Prometheus queries over one
counter each (`sum(rate(x{...}[{{.window}}]))`, `x{...}`, ...): the selector inside becomes a
metric and a filter; a good query over `<h>_bucket{le=...}` with a total over `<h>_count` becomes a
latency objective. Targets, rolling windows, descriptions and the SLO's service map one to one.

What does not, said in the header rather than dropped silently: calendar windows (monspec windows
roll), Timeslices budgeting (monspec counts events), raw ratio metrics, non-Prometheus sources.
A thresholdMetric is not an event ratio; it becomes an indicator with the objective's value as a
threshold at the ticket severity, which keeps the condition without pretending to keep a budget.
monspec selects every series by the service's job: the job is the queries' `job` matcher when
they have one, else the service name (the header says which).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import promql_parser as pp
import yaml

API_VERSIONS = ("openslo/v1", "openslo.com/v1")  # the spec's own, and its Kubernetes CRD group (osko)
_WINDOW_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "M": 30 * 86400, "Q": 90 * 86400, "Y": 365 * 86400}
_TEMPLATE = re.compile(r"\{\{\s*\.window\s*\}\}")
_OPS = {"=": "eq", "!=": "ne", "=~": "match", "!~": "not_match"}


class OpenSloError(Exception):
    """The documents cannot become a monspec spec; the message says which document and why."""


@dataclass
class Selector:
    metric: str
    matchers: list[tuple[str, str, str]]  # (label, op, value) without __name__


@dataclass
class Imported:
    spec: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def text(self, source: str) -> str:
        head = [
            f"# Imported by `monspec import --openslo {source}`. Review before use:",
            *(f"#   - {n}" for n in self.notes),
        ]
        return "\n".join(head) + "\n" + yaml.safe_dump(self.spec, sort_keys=False, width=120, allow_unicode=True)


def _documents(text: str) -> list[dict[str, Any]]:
    try:
        loaded = list(yaml.safe_load_all(text))
    except yaml.YAMLError as exc:
        raise OpenSloError(f"not YAML: {exc}") from exc
    docs: list[dict[str, Any]] = []
    for item in loaded:
        for d in item if isinstance(item, list) else [item]:
            if isinstance(d, dict):
                docs.append(d)
    return docs


def parse_selector(query: str, where: str) -> Selector:
    """The one vector selector a Prometheus SLI query reads (aggregations and rate() around it allowed)."""
    text = _TEMPLATE.sub("5m", query.strip())
    try:
        tree = pp.parse(text)
    except Exception as exc:
        raise OpenSloError(f"{where}: not a PromQL query ({exc}): {query.strip()}") from exc
    found: list[Any] = []
    pp.walk(tree, lambda n: found.append(n) if isinstance(n, pp.VectorSelector) else None)
    if len(found) != 1:
        raise OpenSloError(f"{where}: the query reads {len(found)} series selectors; monspec maps exactly one counter")
    node = found[0]
    name = node.name
    matchers: list[tuple[str, str, str]] = []
    for m in node.matchers.matchers:
        op = {"MatchOp.Equal": "=", "MatchOp.NotEqual": "!=", "MatchOp.Re": "=~", "MatchOp.NotRe": "!~"}.get(
            str(m.op), str(m.op)
        )
        if m.name == "__name__" and op == "=":
            name = m.value
        elif op in _OPS:
            matchers.append((m.name, op, m.value))
    if not name:
        raise OpenSloError(f"{where}: the query names no metric: {query.strip()}")
    return Selector(name, sorted(matchers))


def _query(source: Any, where: str) -> str:
    ms = (source or {}).get("metricSource") if isinstance(source, dict) else None
    if not isinstance(ms, dict):
        raise OpenSloError(f"{where}: no metricSource")
    kind = str(ms.get("type", ""))
    if kind.lower() != "prometheus":
        raise OpenSloError(f"{where}: metric source type {kind or '(none)'} is not Prometheus")
    spec = ms.get("spec")
    query = spec if isinstance(spec, str) else (spec or {}).get("query")
    if not isinstance(query, str) or not query.strip():
        raise OpenSloError(f"{where}: the Prometheus metric source has no query")
    return query


def window_days(duration: str, where: str) -> str:
    m = re.fullmatch(r"(\d+)([mhdwMQY])", str(duration).strip())
    if not m:
        raise OpenSloError(f"{where}: time window {duration!r} is not an OpenSLO duration")
    seconds = int(m.group(1)) * _WINDOW_UNITS[m.group(2)]
    if seconds % 86400:
        return f"{seconds // 3600}h" if seconds % 3600 == 0 else f"{seconds // 60}m"
    return f"{seconds // 86400}d"


def _key(name: str) -> str:
    key = re.sub(r"[^a-z0-9_]", "_", name.lower()).strip("_")
    if not key or not key[0].isalpha():
        key = "slo_" + key
    return key[:63]


class _Builder:
    def __init__(self) -> None:
        self.metrics: dict[str, dict[str, Any]] = {}
        self.jobs: set[str] = set()
        self.notes: list[str] = []

    def use(self, sel: Selector, kind: str) -> dict[str, Any] | str:
        """Declare the selector's metric; the monspec selector (job matchers become the service job)."""
        filters: dict[str, Any] = {}
        for label, op, value in sel.matchers:
            if label == "job" and op == "=":
                self.jobs.add(value)
                continue
            filters[label] = value if op == "=" else {_OPS[op]: value}
        metric = self.metrics.setdefault(sel.metric, {"type": kind})
        labels = sorted(set(metric.get("labels", [])) | {lbl for lbl in filters if lbl != "le"})
        if labels:
            metric["labels"] = labels
        return {"metric": sel.metric, "filter": filters} if filters else sel.metric

    def ratio(self, ratio: dict[str, Any], where: str) -> dict[str, Any]:
        if "raw" in ratio or "rawType" in ratio:
            raise OpenSloError(f"{where}: a raw ratio metric is a precomputed ratio, not events monspec can count")
        parts = {
            p: parse_selector(_query(ratio[p], f"{where}.{p}"), f"{where}.{p}")
            for p in ("good", "bad", "total")
            if p in ratio
        }
        if "total" not in parts or ("good" in parts) == ("bad" in parts):
            raise OpenSloError(f"{where}: a ratioMetric needs total and exactly one of good or bad")
        good, total = parts.get("good"), parts["total"]
        if (
            good is not None
            and good.metric.endswith("_bucket")
            and total.metric == good.metric[: -len("_bucket")] + "_count"
            and any(lbl == "le" and op == "=" for lbl, op, _ in good.matchers)
        ):
            le = next(v for lbl, op, v in good.matchers if lbl == "le" and op == "=")
            base = Selector(total.metric[: -len("_count")], total.matchers)
            if sorted(m for m in good.matchers if m[0] != "le") != total.matchers:
                raise OpenSloError(f"{where}: the bucket and the count are filtered differently")
            return {"latency": {"metric": self.use(base, "histogram"), "le": le}}
        out = {p: self.use(s, "counter") for p, s in parts.items()}
        return {"ratio": {k: out[k] for k in ("good", "bad", "total") if k in out}}


def import_openslo(text: str) -> Imported:
    docs = _documents(text)
    ours = [d for d in docs if str(d.get("apiVersion")) in API_VERSIONS]
    if not ours:
        raise OpenSloError(f"no OpenSLO v1 documents (apiVersion {' or '.join(API_VERSIONS)})")
    slis = {str((d.get("metadata") or {}).get("name")): d.get("spec") or {} for d in ours if d.get("kind") == "SLI"}
    slos = [d for d in ours if d.get("kind") == "SLO"]
    if not slos:
        raise OpenSloError("no SLO documents")
    b = _Builder()
    services = sorted({str((d.get("spec") or {}).get("service") or "service") for d in slos})
    if len(services) > 1:
        raise OpenSloError(f"the SLOs belong to several services ({', '.join(services)}); import one service at a time")
    ignored = sorted({str(d.get("kind")) for d in ours if d.get("kind") not in ("SLO", "SLI")})
    if ignored:
        b.notes.append(f"not imported: {', '.join(ignored)} (routing and data sources are configured elsewhere)")
    objectives: dict[str, Any] = {}
    indicators: dict[str, Any] = {}
    for doc in slos:
        name = str((doc.get("metadata") or {}).get("name") or "slo")
        spec = doc.get("spec") or {}
        where = f"SLO {name}"
        if spec.get("indicator"):
            sli = (spec["indicator"] or {}).get("spec") or {}
        elif spec.get("indicatorRef"):
            ref = str(spec["indicatorRef"])
            if ref not in slis:
                raise OpenSloError(f"{where}: indicatorRef {ref} names no SLI document in the file")
            sli = slis[ref]
        else:
            raise OpenSloError(f"{where}: no indicator or indicatorRef")
        window = "30d"
        windows = spec.get("timeWindow") or []
        if windows:
            w = windows[0]
            window = window_days(w.get("duration", "30d"), where)
            if not w.get("isRolling", False):
                b.notes.append(f"{name}: its calendar window ({w.get('duration')}) becomes a rolling {window} window")
        else:
            b.notes.append(f"{name}: no timeWindow; monspec's default of 30d applies")
        method = spec.get("budgetingMethod", "Occurrences")
        if method != "Occurrences":
            b.notes.append(f"{name}: budgetingMethod {method} becomes Occurrences (monspec counts events)")
        for i, obj in enumerate(spec.get("objectives") or [{}]):
            key = _key(name if i == 0 else f"{name}_{i + 1}")
            title = str(obj.get("displayName") or (doc.get("metadata") or {}).get("displayName") or name)
            if "thresholdMetric" in sli:
                query = _query(sli["thresholdMetric"], f"{where}.thresholdMetric")
                op = str(obj.get("op", "lte"))
                indicators[key] = {
                    "title": title,
                    "expr": _TEMPLATE.sub("5m", query.strip()),
                    "external_metrics": True,  # the query's metrics are not declared: validate may not ask for them
                    "direction": "above" if op in ("lt", "lte") else "below",
                    "inclusive": op in ("lt", "gt"),
                    "thresholds": {"warning": float(obj["value"])},
                }
                b.notes.append(
                    f"{name}: a thresholdMetric is not an event ratio; it is the indicator {key}, alerting when "
                    f"the value is not {op} {obj.get('value')} (its {obj.get('target')} target is not tracked)"
                )
                continue
            if "ratioMetric" not in sli:
                raise OpenSloError(f"{where}: the indicator has neither ratioMetric nor thresholdMetric")
            target = float(obj.get("target", obj.get("targetPercent", 0)))
            if "targetPercent" in obj and "target" not in obj:
                target /= 100
            entry: dict[str, Any] = {"title": title}
            if spec.get("description"):
                entry["description"] = str(spec["description"])
            entry.update(b.ratio(sli["ratioMetric"], f"{where}.indicator.ratioMetric"))
            entry["target"] = target
            entry["window"] = window
            objectives[key] = entry
    service = re.sub(r"[^a-z0-9-]", "-", services[0].lower()).strip("-") or "service"
    if not service[0].isalpha():
        service = "svc-" + service
    service = service[:63]
    if len(b.jobs) > 1:
        raise OpenSloError(f"the queries select several jobs ({', '.join(sorted(b.jobs))}); monspec needs one")
    job = next(iter(b.jobs), service)
    if not b.jobs:
        b.notes.append(f"the queries select no job; monspec selects series by job and assumes job={job!r}")
    out: dict[str, Any] = {
        "version": 1,
        "service": {"name": service, "job": job},
        "severities": {"critical": {"priority": "P1"}, "warning": {"priority": "P2"}},
        "metrics": dict(sorted(b.metrics.items())),
    }
    if indicators:
        out["indicators"] = indicators
    if objectives:
        out["objectives"] = {"page": "critical", "ticket": "warning", "slos": objectives}
    return Imported(out, b.notes)
