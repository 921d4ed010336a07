"""From the spec's `routing` section (and its severities) to the Routing model, defaults resolved once.

The derived parts live here and nowhere else: per-severity notification timing, the inhibition
of less severe siblings, the escalated copies of alerts and the routes that carry them, and the
integration settings (templates, colours, PagerDuty severities) every receiver gets by default.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from generator import conventions as conv
from generator.model.durations import parse_duration
from generator.model.indicators import AlertRule
from generator.model.routing import (
    EscalationTier,
    Fields,
    InhibitRule,
    Integration,
    LabelMatcher,
    Receiver,
    Route,
    Routing,
    TimeInterval,
    Timing,
    any_of,
)
from generator.model.service import Severity

DEFAULT_VERSION = "0.25"
DEFAULT_RESOLVE_TIMEOUT = "5m"
DEFAULT_GROUP_BY = ("alertname", conv.SERVICE_LABEL, conv.SEVERITY_LABEL)
# Pages go out fast and repeat often; the second level is batched; everything below is a digest.
TIER_TIMING = {
    "page": ("10s", "1m", "4h"),
    "notify": ("30s", "5m", "12h"),
    "digest": ("5m", "1h", "24h"),
}
ROOT_TIMING = ("30s", "5m", "4h")  # Alertmanager's own defaults, written out so the file says them
NULL_RECEIVER = "default"

# Templates defined in the generated templates file (templates/alertmanager/notifications.tmpl.j2).
T_TITLE = '{{ template "monspec.title" . }}'
T_TEXT = '{{ template "monspec.text" . }}'
T_SLACK_TEXT = '{{ template "monspec.slack.text" . }}'
T_SUBJECT = '{{ template "monspec.subject" . }}'
T_HTML = '{{ template "monspec.email.html" . }}'
T_DASHBOARD = '{{ template "monspec.dashboard_url" . }}'
T_RUNBOOK = '{{ template "monspec.runbook_url" . }}'
T_LOGS = '{{ template "monspec.logs_url" . }}'
PAGERDUTY_SEVERITY = ("critical", "error", "warning", "info")
SLACK_COLOURS = ("danger", "warning", "#439FE0")


def _ms(raw: str | None) -> int | None:
    return parse_duration(raw) if raw is not None else None


def tier_of(rank: int) -> str:
    return "page" if rank == 0 else "notify" if rank == 1 else "digest"


def priority_tier(priority: str) -> str:
    number = int(priority[1:])
    return "page" if number <= 1 else "notify" if number == 2 else "digest"


class RoutingBuilder:
    def __init__(self, raw: dict[str, Any], severities: tuple[Severity, ...], service: str) -> None:
        self.raw = raw
        self.severities = severities
        self.service = service
        self.by_name = {s.name: s for s in severities}
        overrides = raw.get("severities") or {}
        self.severity_timing = {s.name: self._severity_timing(s, overrides.get(s.name) or {}) for s in severities}

    # -- timing ---------------------------------------------------------------------------------
    def _severity_timing(self, sev: Severity, override: dict[str, Any]) -> Timing:
        wait, interval, repeat = TIER_TIMING[tier_of(sev.rank)]
        return Timing(
            tuple(override["group_by"]) if "group_by" in override else None,
            parse_duration(override.get("group_wait", wait)),
            parse_duration(override.get("group_interval", interval)),
            parse_duration(override.get("repeat_interval", repeat)),
        )

    def _pinned_timing(self, match: dict[str, Any]) -> Timing | None:
        """The timing a route inherits from the single severity or priority its matchers pin.

        With `route_timing: parent` nothing is pinned: Alertmanager hands the parent's timing down.
        """
        if self.raw.get("route_timing") == "parent":
            return None
        sev = match.get(conv.SEVERITY_LABEL)
        if isinstance(sev, str) and sev in self.severity_timing:
            return self.severity_timing[sev]
        prio = match.get(conv.PRIORITY_LABEL)
        if isinstance(prio, str):
            owners = [s for s in self.severities if s.priority == prio]
            if len(owners) == 1:
                return self.severity_timing[owners[0].name]
            if prio[:1] == "P" and prio[1:].isdigit():
                wait, interval, repeat = TIER_TIMING[priority_tier(prio)]
                return Timing(None, parse_duration(wait), parse_duration(interval), parse_duration(repeat))
        return None

    def _timing(self, raw: dict[str, Any], inherited: Timing | None) -> Timing:
        base = inherited or Timing(None, None, None, None)
        return Timing(
            tuple(raw["group_by"]) if "group_by" in raw else base.group_by,
            _ms(raw.get("group_wait")) if "group_wait" in raw else base.group_wait_ms,
            _ms(raw.get("group_interval")) if "group_interval" in raw else base.group_interval_ms,
            _ms(raw.get("repeat_interval")) if "repeat_interval" in raw else base.repeat_interval_ms,
        )

    # -- routes ---------------------------------------------------------------------------------
    @staticmethod
    def matchers(match: dict[str, Any] | None, match_re: dict[str, str] | None = None) -> tuple[LabelMatcher, ...]:
        out = [any_of(k, (v,) if isinstance(v, str) else tuple(v)) for k, v in sorted((match or {}).items())]
        out += [LabelMatcher(k, "=~", v) for k, v in sorted((match_re or {}).items())]
        return tuple(out)

    def route(self, raw: dict[str, Any]) -> Route:
        return Route(
            self.matchers(raw.get("match"), raw.get("match_re")),
            raw["receiver"],
            bool(raw.get("continue", False)),
            self._timing(raw, self._pinned_timing(raw.get("match") or {})),
            tuple(raw.get("mute") or ()),
            tuple(raw.get("active") or ()),
            tuple(self.route(r) for r in raw.get("routes") or ()),
            "spec",
        )

    def tiers(self) -> tuple[EscalationTier, ...]:
        esc = self.raw.get("escalation") or {}
        tiers = [EscalationTier(t["name"], parse_duration(t["after"]), t["receiver"]) for t in esc.get("tiers") or ()]
        return tuple(sorted(tiers, key=lambda t: t.after_ms))

    def escalation_match(self) -> tuple[LabelMatcher, ...]:
        esc = self.raw.get("escalation") or {}
        if esc.get("match"):
            return self.matchers(esc["match"])
        return (LabelMatcher(conv.SEVERITY_LABEL, "=", self.severities[0].name),)

    def root(self, receivers: tuple[Receiver, ...], tiers: tuple[EscalationTier, ...]) -> Route:
        wait, interval, repeat = ROOT_TIMING
        timing = Timing(
            tuple(self.raw.get("group_by") or DEFAULT_GROUP_BY),
            parse_duration(self.raw.get("group_wait", wait)),
            parse_duration(self.raw.get("group_interval", interval)),
            parse_duration(self.raw.get("repeat_interval", repeat)),
        )
        page = self.severity_timing[self.severities[0].name]
        # Escalation routes come first: an escalated copy goes to its tier's receiver and stops there.
        escalation = tuple(
            Route(
                (LabelMatcher(conv.ESCALATION_LABEL, "=", t.name),),
                t.receiver,
                False,
                replace(page, group_by=None),
                (),
                (),
                (),
                "escalation",
            )
            for t in tiers
        )
        return Route(
            (),
            self.raw.get("receiver") or receivers[0].name,
            False,
            timing,
            (),
            (),
            escalation + tuple(self.route(r) for r in self.raw.get("routes") or ()),
            "root",
        )

    # -- inhibition -----------------------------------------------------------------------------
    def inhibit_rules(self) -> tuple[InhibitRule, ...]:
        inhibit = self.raw.get("inhibit") or {}
        out: list[InhibitRule] = []
        if inhibit.get("by_severity", True):
            # A label missing on both sides counts as equal in Alertmanager, so each rule requires
            # the sibling label on the source: a free-form critical alert must not mute every warning.
            for sibling in (conv.INDICATOR_LABEL, conv.OBJECTIVE_LABEL):
                for i, sev in enumerate(self.severities[:-1]):
                    lower = tuple(s.name for s in self.severities[i + 1 :])
                    out.append(
                        InhibitRule(
                            (LabelMatcher(conv.SEVERITY_LABEL, "=", sev.name), LabelMatcher(sibling, "=~", ".+")),
                            (any_of(conv.SEVERITY_LABEL, lower),),
                            (conv.SERVICE_LABEL, sibling),
                            "severity",
                        )
                    )
        for r in inhibit.get("rules") or ():
            out.append(
                InhibitRule(
                    self.matchers(r["source"]),
                    self.matchers(r["target"]),
                    tuple(r.get("equal") or (conv.SERVICE_LABEL,)),
                    "spec",
                )
            )
        return tuple(out)

    # -- receivers ------------------------------------------------------------------------------
    def receivers(self) -> tuple[Receiver, ...]:
        raw = self.raw.get("receivers") or {}
        out = [
            Receiver(
                name,
                str(spec.get("description", "")),
                tuple(
                    Integration(kind, self.integration(kind, item))
                    for kind in INTEGRATION_ORDER
                    if kind in spec
                    for item in (spec[kind] if isinstance(spec[kind], list) else [spec[kind]])
                ),
            )
            for name, spec in raw.items()
        ]
        return tuple(out) or (Receiver(NULL_RECEIVER, "Receives nothing: the spec declares no receivers.", ()),)

    def integration(self, kind: str, raw: dict[str, Any]) -> Fields:
        config: dict[str, Any] = {"send_resolved": bool(raw.get("send_resolved", kind != "email"))}
        config.update(_BUILDERS[kind](self, raw))
        if raw.get("http"):
            config["http_config"] = http_config(raw["http"])
        return fields(config)

    def pagerduty_severity(self) -> str:
        """A Go template mapping the alert's severity rank to PagerDuty's four severities."""
        parts = []
        for s in self.severities:
            parts.append(f'{{{{ if eq .CommonLabels.severity "{s.name}" }}}}{PAGERDUTY_SEVERITY[min(s.rank, 3)]}')
            parts.append("{{ else }}")
        return "".join(parts) + "info" + "{{ end }}" * len(self.severities)

    def slack_colour(self) -> str:
        parts = ['{{ if eq .Status "resolved" }}good{{ else }}']
        for s in self.severities:
            parts.append(
                f'{{{{ if eq .CommonLabels.severity "{s.name}" }}}}{SLACK_COLOURS[min(s.rank, 2)]}{{{{ else }}}}'
            )
        return "".join(parts) + SLACK_COLOURS[2] + "{{ end }}" * (len(self.severities) + 1)


def http_config(raw: dict[str, Any]) -> dict[str, object]:
    out: dict[str, object] = {}
    if raw.get("bearer_token_file"):
        out["authorization"] = {"type": "Bearer", "credentials_file": raw["bearer_token_file"]}
    if raw.get("basic_auth"):
        out["basic_auth"] = {
            "username": raw["basic_auth"]["username"],
            "password_file": raw["basic_auth"]["password_file"],
        }
    if raw.get("tls"):
        out["tls_config"] = dict(sorted(raw["tls"].items()))
    if raw.get("proxy_url"):
        out["proxy_url"] = raw["proxy_url"]
    return out


def fields(value: dict[str, Any]) -> Fields:
    return Fields(tuple((k, freeze(v)) for k, v in value.items()))


def time_interval_spec(raw: dict[str, Any]) -> Fields:
    """The spec's `start`/`end` times become Alertmanager's `start_time`/`end_time`."""
    out: dict[str, Any] = {}
    if raw.get("times"):
        out["times"] = [{"start_time": t["start"], "end_time": t["end"]} for t in raw["times"]]
    for key in ("weekdays", "days_of_month", "months", "years", "location"):
        if key in raw:
            out[key] = raw[key]
    return fields(out)


def freeze(value: object) -> object:
    if isinstance(value, dict):
        return Fields(tuple((k, freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


def _slack(b: RoutingBuilder, raw: dict[str, Any]) -> dict[str, object]:
    out: dict[str, object] = {}
    if raw.get("api_url_file"):
        out["api_url_file"] = raw["api_url_file"]
    out["channel"] = raw["channel"]
    out["color"] = raw.get("color") or b.slack_colour()
    out["title"] = raw.get("title") or T_TITLE
    out["title_link"] = T_DASHBOARD
    text = raw.get("text") or T_SLACK_TEXT
    out["text"] = f"{raw['mention']} {text}" if raw.get("mention") else text
    return out


def _pagerduty(b: RoutingBuilder, raw: dict[str, Any]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key in ("routing_key_file", "service_key_file", "url"):
        if raw.get(key):
            out[key] = raw[key]
    out["severity"] = raw.get("severity") or b.pagerduty_severity()
    out["description"] = T_TITLE
    out["client"] = "monspec"
    out["client_url"] = T_DASHBOARD
    out["details"] = {
        "summary": "{{ .CommonAnnotations.summary }}",
        "description": "{{ .CommonAnnotations.description }}",
        "action": "{{ .CommonAnnotations.action }}",
        "runbook_url": T_RUNBOOK,
        "dashboard_url": T_DASHBOARD,
        "logs_url": T_LOGS,
        "firing": "{{ .Alerts.Firing | len }}",
    }
    return out


def _email(b: RoutingBuilder, raw: dict[str, Any]) -> dict[str, object]:
    to = raw["to"] if isinstance(raw["to"], str) else ", ".join(raw["to"])
    out: dict[str, object] = {"to": to}
    if raw.get("from"):
        out["from"] = raw["from"]
    out["headers"] = {"Subject": raw.get("subject") or T_SUBJECT}
    out["html"] = raw.get("html") or T_HTML
    return out


def _webhook(b: RoutingBuilder, raw: dict[str, Any]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key in ("url", "url_file", "max_alerts"):
        if key in raw:
            out[key] = raw[key]
    return out


def _opsgenie(b: RoutingBuilder, raw: dict[str, Any]) -> dict[str, object]:
    out: dict[str, object] = {
        "api_key_file": raw["api_key_file"],
        "message": T_TITLE,
        "description": T_TEXT,
        "source": "monspec",
        "priority": raw.get("priority") or '{{ template "monspec.opsgenie.priority" . }}',
    }
    if raw.get("responders"):
        out["responders"] = [dict(r) for r in raw["responders"]]
    if raw.get("tags"):
        out["tags"] = ",".join(raw["tags"])
    return out


def _victorops(b: RoutingBuilder, raw: dict[str, Any]) -> dict[str, object]:
    return {
        "api_key_file": raw["api_key_file"],
        "routing_key": raw["routing_key"],
        "entity_display_name": T_TITLE,
        "state_message": T_TEXT,
    }


def _pushover(b: RoutingBuilder, raw: dict[str, Any]) -> dict[str, object]:
    return {
        "user_key_file": raw["user_key_file"],
        "token_file": raw["token_file"],
        "title": T_TITLE,
        "message": T_TEXT,
        "url": T_DASHBOARD,
        "priority": str(raw["priority"])
        if "priority" in raw
        else f'{{{{ if eq .CommonLabels.severity "{b.severities[0].name}" }}}}2{{{{ else }}}}0{{{{ end }}}}',
    }


def _telegram(b: RoutingBuilder, raw: dict[str, Any]) -> dict[str, object]:
    return {
        "bot_token_file": raw["bot_token_file"],
        "chat_id": raw["chat_id"],
        "parse_mode": "HTML",
        "message": '{{ template "monspec.telegram.message" . }}',
    }


def _discord(b: RoutingBuilder, raw: dict[str, Any]) -> dict[str, object]:
    return {"webhook_url_file": raw["webhook_url_file"], "title": T_TITLE, "message": T_TEXT}


def _msteams(b: RoutingBuilder, raw: dict[str, Any]) -> dict[str, object]:
    return {"webhook_url_file": raw["webhook_url_file"], "title": T_TITLE, "text": T_TEXT}


def _webex(b: RoutingBuilder, raw: dict[str, Any]) -> dict[str, object]:
    return {
        "room_id": raw["room_id"],
        "message": '{{ template "monspec.text" . }}',
        "http_config": {"authorization": {"type": "Bearer", "credentials_file": raw["bot_token_file"]}},
    }


def _sns(b: RoutingBuilder, raw: dict[str, Any]) -> dict[str, object]:
    out: dict[str, object] = {"topic_arn": raw["topic_arn"], "subject": raw.get("subject") or T_SUBJECT}
    out["message"] = T_TEXT
    if raw.get("region"):
        out["sigv4"] = {"region": raw["region"]}
    return out


_BUILDERS = {
    "slack": _slack,
    "pagerduty": _pagerduty,
    "email": _email,
    "webhook": _webhook,
    "opsgenie": _opsgenie,
    "victorops": _victorops,
    "pushover": _pushover,
    "telegram": _telegram,
    "discord": _discord,
    "msteams": _msteams,
    "webex": _webex,
    "sns": _sns,
}
INTEGRATION_ORDER = tuple(_BUILDERS)


def escalate(
    rules: tuple[AlertRule, ...], match: tuple[LabelMatcher, ...], tiers: tuple[EscalationTier, ...]
) -> tuple[AlertRule, ...]:
    """Each matching alert again per tier: the same condition held `after` longer, labelled with the tier."""
    out: list[AlertRule] = []
    for rule in rules:
        labels = {"alertname": rule.name, **dict(rule.labels)}
        if not all(m.matches(labels) for m in match):
            continue
        for tier in tiers:
            out.append(
                replace(
                    rule,
                    for_ms=rule.for_ms + tier.after_ms,
                    labels=tuple(sorted({**dict(rule.labels), conv.ESCALATION_LABEL: tier.name}.items())),
                )
            )
    return tuple(out)


def build_routing(
    raw: dict[str, Any] | None, severities: tuple[Severity, ...], service: str, rules: tuple[AlertRule, ...]
) -> Routing:
    raw = raw or {}
    b = RoutingBuilder(raw, severities, service)
    receivers = b.receivers()
    tiers = b.tiers()
    match = b.escalation_match()
    major, minor = (int(p) for p in str(raw.get("alertmanager_version", DEFAULT_VERSION)).split("."))
    email = raw.get("email")
    smtp = None
    if email:
        smtp = fields(
            {
                "smtp_smarthost": email["smarthost"],
                "smtp_from": email["from"],
                **({"smtp_hello": email["hello"]} if email.get("hello") else {}),
                **({"smtp_auth_username": email["auth_username"]} if email.get("auth_username") else {}),
                **({"smtp_auth_password_file": email["auth_password_file"]} if email.get("auth_password_file") else {}),
                "smtp_require_tls": bool(email.get("require_tls", True)),
            }
        )
    return Routing(
        (major, minor),
        parse_duration(raw.get("resolve_timeout", DEFAULT_RESOLVE_TIMEOUT)),
        smtp,
        raw.get("slack_api_url_file"),
        b.root(receivers, tiers),
        receivers,
        b.inhibit_rules(),
        tuple(
            TimeInterval(name, tuple(time_interval_spec(s) for s in specs))
            for name, specs in (raw.get("time_intervals") or {}).items()
        ),
        tiers,
        match,
        escalate(rules, match, tiers) if tiers else (),
    )
