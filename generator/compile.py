"""The whole pipeline as one library call: load -> schema -> checks -> model -> render -> serialise.

Nothing here writes to disk; the CLI hands `Result.files` to the writer only when no error was found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator import checks, schema
from generator.diagnostics import CompileError, Diagnostic, Severity, error, has_errors
from generator.load import Document, load_file
from generator.model import Model
from generator.model.build import build


@dataclass
class Result:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    models: list[Model] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)

    @property
    def worst(self) -> Severity | None:
        return max((d.severity for d in self.diagnostics), default=None)


def display_path(path: Path) -> str:
    """Paths in messages and generated headers are relative to the working directory when possible."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def validate_document(doc: Document) -> list[Diagnostic]:
    found = list(schema.validate(doc))
    if has_errors(found):
        return found  # semantic checks assume the shape the schema guarantees
    return found + checks.run_all(doc)


def _record_clashes(model: Model, doc: Document) -> list[Diagnostic]:
    """Recording rules named by convention can only be compared once the model has named them."""
    owners: dict[str, str] = {}
    found = []
    produced: list[tuple[str, str, tuple[str, ...]]] = [
        (i.record, f"indicator '{i.key}'", ("indicators", i.key)) for i in model.indicators
    ]
    produced += [
        (r.record, f"objective '{o.key}'", ("objectives", "slos", o.key)) for o in model.objectives for r in o.records
    ]
    for record, owner, path in produced:
        if record in owners:
            found.append(
                error(
                    "names/duplicate",
                    f"recording rule '{record}' is also produced by {owners[record]}",
                    doc.key_span(path),
                    "give one of them another `record:`" if path[0] == "indicators" else "rename the objective",
                )
            )
        owners.setdefault(record, owner)
    return found


def compile_specs(
    paths: list[Path], render: bool = True, dot: str | None = None, profiles: tuple[str, ...] | None = None
) -> Result:
    """Load, check, build and render SPECS; with `dot` (a Graphviz binary), routes.svg beside every routes.dot.
    `profiles` (from `generate --target`) replaces every spec's `output.profiles`."""
    result = Result()
    services: dict[str, str] = {}  # service name -> the spec that defined it first
    doc: Document | None = None
    for path in paths:
        shown = display_path(path)
        try:
            doc = load_file(path, shown)
        except CompileError as exc:
            result.diagnostics.extend(exc.diagnostics)
            continue
        found = validate_document(doc)
        result.diagnostics.extend(found)
        if has_errors(found):
            continue
        name = doc.data["service"]["name"]
        if name in services:
            result.diagnostics.append(
                error(
                    "names/duplicate-service",
                    f"service '{name}' is also defined in {services[name]}",
                    doc.span(("service", "name")),
                    "each service writes out/<name>/; give every spec its own service name",
                )
            )
            continue
        services[name] = doc.path
        model = build(doc, profiles)
        clashes = _record_clashes(model, doc)
        result.diagnostics.extend(clashes)
        if not clashes:
            result.models.append(model)
    result.diagnostics.sort(key=Diagnostic.sort_key)
    # The loaded document (values and the span of every node: 150 MiB at 10,000 indicators) is not
    # needed once the models are built; only the models are kept from here on.
    doc = None
    if render and result.ok:
        # Targets, templates and writers are imported here: `validate` never needs them (start-up time).
        from generator.targets import targets_for
        from generator.write import serialise_into

        files: dict[str, bytes] = {}
        for model in result.models:
            for target in targets_for(model):
                # Serialised as soon as rendered, so one target's documents are alive at a time, not all.
                serialise_into(files, target(model))
        result.files = dict(sorted(files.items()))
        if dot is not None:
            result.files = dict(sorted({**result.files, **_routes_svg(result.models, result.files, dot)}.items()))
    return result


def _routes_svg(models: list[Model], files: dict[str, bytes], dot: str) -> dict[str, bytes]:
    from generator import conventions as conv
    from generator.graphviz import render_svg

    graphs = ((conv.routes_graph_path(m.service.name), conv.routes_svg_path(m.service.name)) for m in models)
    return {svg: render_svg(files[path], dot) for path, svg in graphs if path in files}
