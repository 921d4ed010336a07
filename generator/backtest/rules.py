"""The alert and recording rules of generated rule files, with the interval each group runs at."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from generator.model.durations import parse_duration


@dataclass(frozen=True, slots=True)
class RecordRule:
    record: str
    expr: str
    labels: tuple[tuple[str, str], ...]
    interval_s: int


@dataclass(frozen=True, slots=True)
class AlertDef:
    service: str
    group: str
    name: str
    expr: str
    for_s: int
    keep_firing_for_s: int
    labels: tuple[tuple[str, str], ...]
    interval_s: int

    @property
    def severity(self) -> str:
        return dict(self.labels).get("severity", "")


@dataclass(frozen=True, slots=True)
class RuleSet:
    alerts: tuple[AlertDef, ...]
    records: Mapping[str, tuple[RecordRule, ...]]


def _seconds(text: object, default_s: int) -> int:
    if text is None:
        return default_s
    return parse_duration(str(text)) // 1000


def _labels(raw: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, dict):
        return ()
    return tuple(sorted((str(k), str(v)) for k, v in raw.items()))


def read_rules(files: Iterable[tuple[str, bytes]], default_interval_s: Mapping[str, int]) -> RuleSet:
    """Rules of FILES ((service, rules.yml bytes) pairs); a group without `interval` runs at the service's
    evaluation interval (DEFAULT_INTERVAL_S)."""
    alerts: list[AlertDef] = []
    records: dict[str, list[RecordRule]] = {}
    for service, data in files:
        doc: Any = yaml.safe_load(data) or {}
        for group in doc.get("groups") or ():
            interval = _seconds(group.get("interval"), default_interval_s[service])
            for rule in group.get("rules") or ():
                labels = _labels(rule.get("labels"))
                if "record" in rule:
                    rec = RecordRule(str(rule["record"]), str(rule["expr"]), labels, interval)
                    records.setdefault(rec.record, []).append(rec)
                    continue
                alerts.append(
                    AlertDef(
                        service=service,
                        group=str(group["name"]),
                        name=str(rule["alert"]),
                        expr=str(rule["expr"]),
                        for_s=_seconds(rule.get("for"), 0),
                        keep_firing_for_s=_seconds(rule.get("keep_firing_for"), 0),
                        labels=labels,
                        interval_s=interval,
                    )
                )
    return RuleSet(tuple(alerts), {k: tuple(v) for k, v in records.items()})
