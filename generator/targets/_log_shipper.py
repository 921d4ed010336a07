"""What every log shipper's config says of a source before its pipeline, and how the config is written.

Filebeat, Promtail and Alloy each name a source in the agent, read its paths, tag its lines with the
static labels and note the retention hint; only what they do to the lines afterwards differs. Each
target extends ShippedSource with its pipeline, so the shared part is derived once from the model
and the three configs cannot disagree on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Self

from generator.model import Model
from generator.model.durations import format_duration
from generator.model.logs import LogSource
from generator.targets import Output
from generator.targets._templates import render as render_template


def retention_text(ms: int | None) -> str | None:
    """Retention in days when it is whole days (180d reads better than 25w5d)."""
    if ms is None:
        return None
    day = 86_400_000
    return f"{ms // day}d" if ms % day == 0 else format_duration(ms)


@dataclass(frozen=True)
class ShippedSource:
    key: str  # Alloy's component label
    title: str
    name: str  # "<service>-<source key>": Filebeat's filestream id, Promtail's job_name
    paths: tuple[str, ...]
    labels: tuple[tuple[str, str], ...]  # the static labels (Filebeat's `fields`)
    retention: str | None  # a hint in a comment: agents ship, the store enforces retention

    @classmethod
    def of(cls, service: str, src: LogSource, **pipeline: Any) -> Self:
        """The shared part from the model; `pipeline` holds the fields the shipper's subclass adds."""
        return cls(
            key=src.key,
            title=src.title,
            name=f"{service}-{src.key}",
            paths=src.paths,
            labels=src.static_labels,
            retention=retention_text(src.retention_ms),
            **pipeline,
        )


def config_file(
    model: Model, path: str, template: str, sources: Sequence[ShippedSource], **context: object
) -> list[Output]:
    """The shipper's one config file, ending in exactly one newline whatever the template's last loop left."""
    text = render_template(template, source=model.source, service=model.service.name, sources=sources, **context)
    return [Output(path, "text", text.rstrip("\n") + "\n", model.source)]
