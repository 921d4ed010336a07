"""An existing alertmanager.yml -> the spec's `routing` section (`monspec import RULES --alertmanager FILE`).

Kept: the root route's receiver, grouping and timing, nested routes with equality and regex
matchers, `continue`, mute/active time intervals, receivers with Slack, PagerDuty, e-mail and
webhook integrations, SMTP settings, inhibit rules with equality matchers, `resolve_timeout`.
Secrets are never copied: an inline `api_url`, `routing_key`, `service_key`, `auth_password` or
`slack_api_url` becomes a `*_file` placeholder under /etc/alertmanager/secrets/ and a note says
which file to fill. monspec's own inhibitions by severity are turned off, so only the file's
inhibit rules apply. What monspec cannot express is a note (a route with a negative matcher is
left out rather than widened); the routes that lead to a receiver left out are left out too.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

SECRET_DIR = "/etc/alertmanager/secrets"
_MATCHER = re.compile(r"^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$")
_RECEIVER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_LITERAL_ALTERNATION = re.compile(r"^[A-Za-z0-9_.:/ -]+(\|[A-Za-z0-9_.:/ -]+)*$")
_TIMINGS = ("group_wait", "group_interval", "repeat_interval")
# integration kind -> (monspec key, keys kept as they are, secret keys -> their *_file form)
_INTEGRATIONS: dict[str, tuple[str, tuple[str, ...], dict[str, str]]] = {
    "slack_configs": (
        "slack",
        ("channel", "color", "title", "text", "send_resolved", "api_url_file"),
        {"api_url": "api_url_file"},
    ),
    "pagerduty_configs": (
        "pagerduty",
        ("severity", "url", "send_resolved", "routing_key_file", "service_key_file"),
        {"routing_key": "routing_key_file", "service_key": "service_key_file"},
    ),
    "email_configs": ("email", ("to", "from", "send_resolved", "html"), {}),
    "webhook_configs": ("webhook", ("url", "url_file", "max_alerts", "send_resolved"), {}),
}


class AlertmanagerError(Exception):
    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return str(yaml.safe_load(value))
    return value


def parse_matcher(text: str) -> tuple[str, str, str] | None:
    m = _MATCHER.match(text)
    return (m.group(1), m.group(2), _unquote(m.group(3))) if m else None


class _Routing:
    def __init__(self, source: str) -> None:
        self.source = source
        self.notes: list[str] = []
        self.receivers: dict[str, Any] = {}
        self.secrets: list[str] = []

    def secret(self, receiver: str, kind: str, key: str) -> str:
        path = f"{SECRET_DIR}/{receiver}-{kind}-{key.replace('_', '-')}"
        self.secrets.append(path)
        self.notes.append(f"receiver {receiver}: its {kind} {key} is a secret and was not copied; write it into {path}")
        return path

    def receiver(self, raw: dict[str, Any]) -> None:
        name = str(raw.get("name", ""))
        if not _RECEIVER_NAME.match(name):
            self.notes.append(f"receiver {name!r}: not a monspec receiver name; left out")
            return
        entry: dict[str, Any] = {}
        for kind, configs in raw.items():
            if kind == "name":
                continue
            if kind not in _INTEGRATIONS:
                self.notes.append(f"receiver {name}: {kind} is not imported (configure it in the spec by hand)")
                continue
            key, kept, secrets = _INTEGRATIONS[kind]
            items = []
            for config in configs or []:
                item: dict[str, Any] = {}
                for k, v in (config or {}).items():
                    if k in secrets:
                        item[secrets[k]] = self.secret(name, key, k)
                    elif k in kept:
                        item[k] = v
                    else:
                        self.notes.append(f"receiver {name}: {key} key {k} is not imported")
                if key == "webhook" and "url" not in item and "url_file" not in item:
                    continue
                items.append(item)
            if items:
                entry[key] = items[0] if len(items) == 1 else items
        if not any(k != "description" for k in entry):
            self.notes.append(f"receiver {name}: no integration monspec imports; left out with the routes to it")
            return
        self.receivers[name] = entry

    def matchers(self, raw: dict[str, Any], where: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        match: dict[str, Any] = {str(k): str(v) for k, v in (raw.get("match") or {}).items()}
        match_re: dict[str, Any] = {str(k): str(v) for k, v in (raw.get("match_re") or {}).items()}
        for text in raw.get("matchers") or []:
            parsed = parse_matcher(str(text))
            if parsed is None or parsed[1] in ("!=", "!~"):
                self.notes.append(f"{where}: matcher {text!r} cannot be expressed (monspec matches = and =~); left out")
                return None
            label, op, value = parsed
            (match if op == "=" else match_re)[label] = value
        return match, match_re

    def route(self, raw: dict[str, Any], parent: str, where: str) -> dict[str, Any] | None:
        receiver = str(raw.get("receiver") or parent)
        if receiver not in self.receivers:
            self.notes.append(f"{where}: its receiver {receiver} is left out, so the route is too")
            return None
        found = self.matchers(raw, where)
        if found is None:
            return None
        match, match_re = found
        out: dict[str, Any] = {}
        if match:
            out["match"] = match
        if match_re:
            out["match_re"] = match_re
        out["receiver"] = receiver
        if raw.get("continue"):
            out["continue"] = True
        if raw.get("group_by"):
            out["group_by"] = [str(x) for x in raw["group_by"]]
        out.update({k: str(raw[k]) for k in _TIMINGS if k in raw})
        if raw.get("mute_time_intervals"):
            out["mute"] = list(raw["mute_time_intervals"])
        if raw.get("active_time_intervals"):
            out["active"] = list(raw["active_time_intervals"])
        children = [self.route(r, receiver, f"{where}.routes[{i}]") for i, r in enumerate(raw.get("routes") or [])]
        if any(c is not None for c in children):
            out["routes"] = [c for c in children if c is not None]
        return out

    def inhibit(self, rules: list[Any]) -> list[dict[str, Any]]:
        out = []
        for i, rule in enumerate(rules):
            sides: dict[str, dict[str, Any]] = {}
            for side in ("source", "target"):
                found = self.matchers(
                    {
                        "match": rule.get(f"{side}_match"),
                        "match_re": rule.get(f"{side}_match_re"),
                        "matchers": rule.get(f"{side}_matchers"),
                    },
                    f"inhibit_rules[{i}]",
                )
                if found is None:
                    break
                match, match_re = found
                if any(not _LITERAL_ALTERNATION.match(v) for v in match_re.values()):
                    self.notes.append(f"inhibit_rules[{i}]: a regex other than a|b|c cannot be expressed; left out")
                    break
                sides[side] = {**match, **{k: v.split("|") for k, v in match_re.items()}}
            if len(sides) != 2 or not all(sides.values()):
                if len(sides) == 2:
                    self.notes.append(f"inhibit_rules[{i}]: a side without matchers cannot be expressed; left out")
                continue
            out.append({**sides, "equal": [str(x) for x in rule.get("equal") or []]})
        return out


def _time_intervals(raw: list[Any], notes: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in raw:
        specs = []
        for spec in item.get("time_intervals") or []:
            entry: dict[str, Any] = {}
            for k, v in spec.items():
                if k == "times":
                    entry["times"] = [{"start": t["start_time"], "end": t["end_time"]} for t in v]
                elif k in ("weekdays", "days_of_month", "months", "years"):
                    entry[k] = [str(x) for x in v]
                elif k == "location":
                    entry[k] = v
            if entry:
                specs.append(entry)
        if specs:
            out[str(item["name"])] = specs
        else:
            notes.append(f"time interval {item.get('name')}: empty; left out")
    return out


def import_alertmanager(text: str, source: str) -> tuple[dict[str, Any], list[str]]:
    """The `routing` section and the notes on what it could not keep."""
    try:
        config = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise AlertmanagerError(where, f"not valid YAML: {exc.problem}") from exc
    if not isinstance(config, dict) or "route" not in config or "receivers" not in config:
        raise AlertmanagerError(source, "not an Alertmanager configuration: it needs `route` and `receivers`")
    r = _Routing(source)
    for raw in config.get("receivers") or []:
        r.receiver(raw)
    if not r.receivers:
        raise AlertmanagerError(
            source, "no receiver with an integration monspec imports (slack, pagerduty, email, webhook)"
        )
    routing: dict[str, Any] = {}
    glob = config.get("global") or {}
    if "resolve_timeout" in glob:
        routing["resolve_timeout"] = str(glob["resolve_timeout"])
    if "slack_api_url" in glob:
        routing["slack_api_url_file"] = f"{SECRET_DIR}/slack-api-url"
        r.notes.append(f"global slack_api_url is a secret and was not copied; write it into {SECRET_DIR}/slack-api-url")
    elif "slack_api_url_file" in glob:
        routing["slack_api_url_file"] = glob["slack_api_url_file"]
    email = {
        k: glob[f"smtp_{k}"]
        for k in ("smarthost", "from", "hello", "auth_username", "require_tls")
        if f"smtp_{k}" in glob
    }
    if "smtp_auth_password" in glob:
        email["auth_password_file"] = f"{SECRET_DIR}/smtp-auth-password"
        r.notes.append(
            f"global smtp_auth_password is a secret and was not copied; write it into {SECRET_DIR}/smtp-auth-password"
        )
    elif "smtp_auth_password_file" in glob:
        email["auth_password_file"] = glob["smtp_auth_password_file"]
    if email:
        routing["email"] = email
    ignored = sorted(
        set(glob)
        - {"resolve_timeout", "slack_api_url", "slack_api_url_file"}
        - {f"smtp_{k}" for k in (*email, "auth_password", "auth_password_file")}
    )
    if ignored:
        r.notes.append(f"global settings not imported: {', '.join(ignored)}")
    root = config["route"] or {}
    root_receiver = str(root.get("receiver", ""))
    if root_receiver in r.receivers:
        routing["receiver"] = root_receiver
    else:
        r.notes.append(f"the root receiver {root_receiver} is left out; monspec's default (the first receiver) applies")
    if root.get("group_by"):
        routing["group_by"] = [str(x) for x in root["group_by"]]
    routing.update({k: str(root[k]) for k in _TIMINGS if k in root})
    routing["receivers"] = r.receivers
    routes = [r.route(x, root_receiver, f"route.routes[{i}]") for i, x in enumerate(root.get("routes") or [])]
    if any(x is not None for x in routes):
        routing["routes"] = [x for x in routes if x is not None]
    intervals = _time_intervals(
        [*(config.get("time_intervals") or []), *(config.get("mute_time_intervals") or [])], r.notes
    )
    if intervals:
        routing["time_intervals"] = intervals
    routing["inhibit"] = {"by_severity": False}
    rules = r.inhibit(config.get("inhibit_rules") or [])
    if rules:
        routing["inhibit"]["rules"] = rules
    if config.get("templates"):
        r.notes.append("templates are not imported: monspec writes its own message templates")
    return routing, r.notes
