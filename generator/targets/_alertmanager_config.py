"""The routing model as an AlertmanagerConfig (monitoring.coreos.com/v1alpha1).

The CRD spells alertmanager.yml's keys in camelCase, matchers as `{name, matchType, value}`, and
reads every credential from a Secret key. What it cannot express is documented in docs/output.md:
the operator adds a `namespace="<object namespace>"` matcher to the top-level route and to inhibit
rules, there is no global section (SMTP and Slack defaults are copied into each integration), no
`templates` (the template file ships as a ConfigMap the Alertmanager resource must load), and time
intervals have no `location` (they are evaluated in UTC).
"""

from __future__ import annotations

import posixpath
from typing import Any

from generator import conventions as conv
from generator.model import Model
from generator.model.output import Kubernetes
from generator.model.routing import InhibitRule, LabelMatcher, Routing
from generator.targets._route_tree import route_tree
from generator.targets.alertmanager import thaw

# Where snake_case -> camelCase is not mechanical (acronyms the CRD upper-cases).
_WORDS = {"url": "URL", "arn": "ARN", "id": "ID"}
_KEYS = {"url_file": "urlSecret", "days_of_month": "daysOfMonth", "callback_id": "callbackId"}
# Secrets in alertmanager.yml `<key>_file` -> the CRD's SecretKeySelector field.
_SECRET_KEYS = {"url_file": "urlSecret"}
_KINDS = {"pagerduty": "pagerdutyConfigs", "opsgenie": "opsgenieConfigs", "victorops": "victoropsConfigs"}
_LIST_OF_PAIRS = {"details", "headers"}  # maps in alertmanager.yml, [{key, value}] in the CRD
_SMTP = {
    "smtp_smarthost": "smarthost",
    "smtp_from": "from",
    "smtp_hello": "hello",
    "smtp_auth_username": "authUsername",
    "smtp_auth_identity": "authIdentity",
    "smtp_require_tls": "requireTLS",
}


def camel(key: str) -> str:
    if key in _KEYS:
        return _KEYS[key]
    head, *rest = key.split("_")
    return head + "".join(_WORDS.get(w, w.capitalize()) for w in rest)


def secret_key(k8s: Kubernetes, path: str) -> dict[str, str]:
    """A SecretKeySelector: the secret file's base name is its key in the user's Secret."""
    return {"name": k8s.secret, "key": conv.k8s_secret_key(posixpath.basename(path))}


def _fields(value: Any, k8s: Kubernetes) -> Any:
    if isinstance(value, list):
        return [_fields(v, k8s) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, v in value.items():
        if key in _SECRET_KEYS:
            out[_SECRET_KEYS[key]] = secret_key(k8s, v)
        elif key.endswith("_file"):
            out[camel(key.removesuffix("_file"))] = secret_key(k8s, v)
        elif key in _LIST_OF_PAIRS and isinstance(v, dict):
            out[key] = [{"key": k, "value": str(x)} for k, x in v.items()]
        elif key == "days_of_month":
            out["daysOfMonth"] = [_day_range(r) for r in v]
        elif key == "location":
            continue  # the CRD has no time zone: see the module docstring
        else:
            out[camel(key)] = _fields(v, k8s)
    return out


def _day_range(text: str) -> dict[str, int]:
    start, _, end = str(text).partition(":")
    return {"start": int(start), "end": int(end or start)}


def _matchers(ms: tuple[LabelMatcher, ...]) -> list[dict[str, str]]:
    return [{"name": m.label, "matchType": m.op, "value": m.value} for m in ms]


def inhibit_rule(rule: InhibitRule) -> dict[str, Any]:
    return {"sourceMatch": _matchers(rule.source), "targetMatch": _matchers(rule.target), "equal": list(rule.equal)}


def _defaults(routing: Routing, kind: str, k8s: Kubernetes) -> dict[str, Any]:
    """alertmanager.yml's global section, which the CRD lacks, for one integration kind."""
    out: dict[str, Any] = {}
    if kind == "email" and routing.smtp is not None:
        for key, value in thaw(routing.smtp).items():
            if key in _SMTP:
                out[_SMTP[key]] = value
            elif key == "smtp_auth_password_file":
                out["authPassword"] = secret_key(k8s, value)
    if kind == "slack" and routing.slack_api_url_file:
        out["apiURL"] = secret_key(k8s, routing.slack_api_url_file)
    return out


def alertmanager_config(model: Model, routing: Routing, k8s: Kubernetes) -> dict[str, Any]:
    receivers = []
    for r in routing.receivers:
        entry: dict[str, Any] = {"name": r.name}
        for i in r.integrations:
            key = _KINDS.get(i.kind, f"{camel(i.kind)}Configs")
            entry.setdefault(key, []).append({**_defaults(routing, i.kind, k8s), **_fields(thaw(i.config), k8s)})
        receivers.append(entry)
    spec: dict[str, Any] = {
        "route": route_tree(routing.root, camel, _matchers),
        "receivers": receivers,
        "inhibitRules": [inhibit_rule(r) for r in routing.inhibit_rules],
    }
    if routing.time_intervals:
        spec["muteTimeIntervals"] = [
            {"name": t.name, "timeIntervals": [_fields(thaw(s), k8s) for s in t.specs]} for t in routing.time_intervals
        ]
    meta: dict[str, Any] = {"name": conv.k8s_name(model.service.name), "namespace": k8s.namespace}
    if k8s.labels:
        meta["labels"] = dict(k8s.labels)
    kind = {"apiVersion": "monitoring.coreos.com/v1alpha1", "kind": "AlertmanagerConfig"}
    return {**kind, "metadata": meta, "spec": spec}
