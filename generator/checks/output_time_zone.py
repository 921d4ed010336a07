"""output/kubernetes-time-zone: a time interval in a zone the AlertmanagerConfig cannot express.

The AlertmanagerConfig CRD's time intervals have no `location`: the Prometheus Operator evaluates
them in UTC. A spec that writes the kubernetes profile and sets another zone would mute (or
activate) routes at the wrong hours in Kubernetes, while the files profile is right. UTC itself
is fine.

Pass::

    output: {profiles: [kubernetes]}
    routing:
      time_intervals: {nights: [{times: [{start: "22:00", end: "06:00"}], location: UTC}]}

Fail::

    output: {profiles: [kubernetes]}
    routing:
      time_intervals: {nights: [{times: [{start: "22:00", end: "06:00"}], location: Europe/Paris}]}
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks import _spec
from generator.diagnostics import Diagnostic, warning
from generator.load import Document

NAME = "output/kubernetes-time-zone"


def check(doc: Document) -> Iterator[Diagnostic]:
    if "kubernetes" not in (_spec.section(doc, "output").get("profiles") or ()):
        return
    for name, specs in (_spec.section(doc, "routing").get("time_intervals") or {}).items():
        for i, spec in enumerate(specs if isinstance(specs, list) else ()):
            location = spec.get("location") if isinstance(spec, dict) else None
            if location and location != "UTC":
                yield warning(
                    NAME,
                    f"time interval '{name}' is in {location}, but AlertmanagerConfig evaluates time intervals in UTC",
                    doc.span(("routing", "time_intervals", name, i, "location")),
                    "write the times in UTC for the kubernetes profile, or route in a plain alertmanager.yml",
                )
