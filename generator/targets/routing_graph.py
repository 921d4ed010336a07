"""The Alertmanager route tree as a Graphviz DOT picture: routes in walk order, and the receivers they notify.

Node names are generated (`route_1_2`, `receiver_3`); user strings only ever appear in labels,
quoted by the `dot_str` filter. SVG is not rendered here: `dot` output differs between Graphviz
versions, so out/ holds the DOT text and `monspec generate --svg` renders it on request.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator import conventions as conv
from generator.model import Model
from generator.model.durations import format_duration
from generator.model.routing import Route, Routing
from generator.targets import Output
from generator.targets._templates import render as render_template


@dataclass(frozen=True, slots=True)
class RouteNode:
    id: str
    parent: str | None
    position: int  # 1-based order among its siblings: Alertmanager tries them in this order
    label: str
    continue_: bool
    receiver: str  # node id of its receiver
    origin: str


def _label(r: Route, path: str) -> str:
    lines = [path or "root"]
    lines += [m.text() for m in r.matchers] or ([] if r.origin == "root" else ["(matches everything)"])
    t = r.timing
    if t.group_by is not None:
        lines.append("group_by: " + (", ".join(t.group_by) or "(none)"))
    lines += [f"{name}: {format_duration(ms)}" for name, ms in t.intervals()]
    if r.mute:
        lines.append("mute: " + ", ".join(r.mute))
    if r.active:
        lines.append("active: " + ", ".join(r.active))
    if r.continue_:
        lines.append("continue")
    return "\n".join(lines)


def graph(routing: Routing) -> tuple[list[RouteNode], list[tuple[str, str]]]:
    receiver_ids = {r.name: f"receiver_{i + 1}" for i, r in enumerate(routing.receivers)}
    nodes: list[RouteNode] = []

    def walk(r: Route, node: str, parent: str | None, position: int, path: str) -> None:
        nodes.append(
            RouteNode(node, parent, position, _label(r, path), r.continue_, receiver_ids[r.receiver], r.origin)
        )
        for i, child in enumerate(r.routes):
            walk(child, f"{node}_{i + 1}", node, i + 1, f"{path}.{i + 1}" if path else str(i + 1))

    walk(routing.root, "route", None, 0, "")
    receivers = []
    for r in routing.receivers:
        kinds = ", ".join(i.kind for i in r.integrations) or "(no integrations)"
        receivers.append((receiver_ids[r.name], f"{r.name}\n{kinds}"))
    return nodes, receivers


def render(model: Model) -> list[Output]:
    routing = model.routing
    if routing is None:
        return []
    nodes, receivers = graph(routing)
    text = render_template(
        "catalog/routes.dot.j2", source=model.source, service=model.service.name, routes=nodes, receivers=receivers
    )
    return [Output(conv.routes_graph_path(model.service.name), "text", text, model.source)]
