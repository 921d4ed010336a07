"""logs/destination: log sources go somewhere, over TLS when the destination is remote.

* Filebeat has exactly one output: at most one of `elasticsearch`, `logstash`, `kafka`.
* Counters need Promtail or Alloy (Filebeat cannot count events into Prometheus counters): a
  source with `count` needs `loki`.
* A remote `http://` destination is refused unless the spec turns TLS off explicitly
  (`tls: {enabled: false}`); `insecure_skip_verify: true` is reported as a warning.

Fail (counters, but only Filebeat ships)::

    logs:
      sources: {audit: {paths: [/var/log/a.jsonl], format: json, count: {events_total: {}}}}
      elasticsearch: {hosts: ["https://es:9200"], index: audit}
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from generator.checks import _spec
from generator.diagnostics import Diagnostic, error, warning
from generator.load import Document
from generator.model.build_logs import all_local

NAME = "logs/destination"
_FILEBEAT = ("elasticsearch", "logstash", "kafka")


def check(doc: Document) -> Iterator[Diagnostic]:
    logs = _spec.section(doc, "logs")
    if not logs:
        return
    outputs = [k for k in _FILEBEAT if k in logs]
    if not outputs and "loki" not in logs:
        yield error(
            NAME,
            "logs: no destination; the sources would not be shipped anywhere",
            doc.key_span(("logs",)),
            "add `loki:` (Promtail and Alloy) or one of `elasticsearch:`, `logstash:`, `kafka:` (Filebeat)",
        )
    for extra in outputs[1:]:
        yield error(
            NAME,
            f"logs.{extra}: Filebeat has exactly one output, and `{outputs[0]}` is already set",
            doc.key_span(("logs", extra)),
            "keep one of elasticsearch, logstash and kafka",
        )
    configured = [*outputs, *(["loki"] if "loki" in logs else [])]
    used: set[str] = set()
    for key, src, path in _spec.log_sources(doc):
        to = src.get("to") or configured
        used.update(to)
        for i, dest in enumerate(src.get("to") or ()):
            if dest not in logs:
                yield error(
                    NAME,
                    f"source '{key}' ships to {dest}, which `logs` does not configure",
                    doc.span((*path, "to", i)),
                    f"add `{dest}:` under `logs`, or remove it from `to`",
                )
        if src.get("count") and "loki" in logs and "loki" not in to:
            yield error(
                "logs/counter-needs-agent",
                f"source '{key}' counts events, but is not shipped by Promtail or Alloy (not `to` loki), "
                "and Filebeat cannot count log events into Prometheus counters",
                doc.key_span((*path, "count")),
                "add loki to `to`, or remove `count`",
            )
    yield from _shared_paths(doc, configured)
    for dest in configured:
        if dest not in used:
            yield warning(
                NAME,
                f"logs.{dest}: no source ships to it",
                doc.key_span(("logs", dest)),
                "list it in a source's `to`, or remove it",
            )
    if "loki" not in logs:
        for key, src, path in _spec.log_sources(doc):
            if src.get("count"):
                yield error(
                    "logs/counter-needs-agent",
                    f"source '{key}' counts events, but only Filebeat ships and Filebeat cannot count "
                    "log events into Prometheus counters",
                    doc.key_span((*path, "count")),
                    "add `loki:` so Promtail or Alloy count them, or remove `count`",
                )
    for dest in (*outputs, "loki"):
        spec = logs.get(dest)
        if not isinstance(spec, dict):
            continue
        tls = spec.get("tls") or {}
        addresses = [spec["url"]] if dest == "loki" else list(spec.get("hosts") or ())
        explicit_off = tls.get("enabled") is False
        for i, addr in enumerate(addresses):
            if urlsplit(addr).scheme == "http" and not all_local((addr,)) and not explicit_off:
                path = ("logs", dest, "url") if dest == "loki" else ("logs", dest, "hosts", i)
                yield error(
                    "logs/tls",
                    f"{addr} is a remote destination over plain HTTP; logs leave the host unencrypted",
                    doc.span(path),
                    "use https://, or set `tls: {enabled: false}` to send them in clear text on purpose",
                )
        if tls.get("insecure_skip_verify") is True:
            yield warning(
                "logs/tls-unverified",
                f"logs.{dest}: the server certificate is not verified; anyone on the path can read the logs",
                doc.span(("logs", dest, "tls", "insecure_skip_verify")),
                "set `ca_file` to the CA that signed the server certificate instead",
            )


def _shared_paths(doc: Document, configured: list[str]) -> Iterator[Diagnostic]:
    """One file in two sources of one shipper is read twice (filebeat.reference.yml: "Make sure a
    file is not defined twice as this can lead to unexpected behaviour"; Promtail and Alloy tail it
    twice and ship every line twice)."""
    seen: dict[tuple[str, str], str] = {}
    for key, src, path in _spec.log_sources(doc):
        shippers = {"loki" if d == "loki" else "filebeat" for d in (src.get("to") or configured)}
        for i, p in enumerate(src.get("paths") or ()):
            for shipper in sorted(shippers):
                first = seen.setdefault((shipper, p), key)
                if first != key:
                    yield error(
                        "logs/duplicate-path",
                        f"'{p}' is also read by source '{first}' for the same shipper",
                        doc.span((*path, "paths", i)),
                        "read each file in one source, or send the sources to different destinations with `to`",
                    )
