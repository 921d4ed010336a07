"""`monspec import` as one library call per input kind: text of the spec, or ImportFailed.

An importer bug must never reach the user as a spec that does not compile, or as rules that are
not what they imported: the written spec is validated, and for rule files compiled again, its
rules compared with the input (equivalence.differences); what differs is returned to be printed.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostic


class ImportFailed(Exception):
    """`lines` are printed as they are (file:line:col: error [code] message); exit code 2."""

    def __init__(self, lines: list[str], diagnostics: list[Diagnostic] | None = None) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines
        self.diagnostics = diagnostics or []


@dataclass
class Done:
    text: str
    summary: str
    warnings: list[str] = field(default_factory=list)


def _validated(text: str, shown: str, code: str, source: str) -> None:
    from generator.compile import validate_document
    from generator.diagnostics import has_errors
    from generator.load import load_text

    found = validate_document(load_text(text, shown))
    if has_errors(found):
        raise ImportFailed([f"{source}: error [{code}] the imported spec is not valid (a monspec bug)"], found)


def openslo(path: Path, output: Path | None) -> Done:
    from generator.importers.openslo import OpenSloError, import_openslo

    try:
        imported = import_openslo(path.read_text("utf-8"))
    except OpenSloError as exc:
        raise ImportFailed([f"{path}: error [import/openslo] {exc}"]) from exc
    text = imported.text(path.name)
    _validated(text, str(output or "<stdout>"), "import/openslo", str(path))
    return Done(text, f"{len(imported.spec.get('objectives', {}).get('slos', {}))} objectives")


def rules(paths: list[Path], service: str | None, output: Path | None, alertmanager: Path | None = None) -> Done:
    from generator import conventions as conv
    from generator.compile import compile_specs
    from generator.importers.equivalence import differences
    from generator.importers.prometheus_rules import import_rules, service_from_path
    from generator.importers.rule_files import RuleFileError, read_rule_file

    if service is not None and not re.fullmatch(r"[a-z][a-z0-9-]{0,62}", service):
        raise ImportFailed(
            [f"error [import/rules] --service {service!r} is not a service name (^[a-z][a-z0-9-]{{0,62}}$)"]
        )
    routing: dict[str, Any] | None = None
    am_notes: list[str] = []
    if alertmanager is not None:  # read first: its errors are cheaper to find than a rules round trip
        from generator.importers.alertmanager import AlertmanagerError, import_alertmanager

        try:
            routing, am_notes = import_alertmanager(alertmanager.read_text("utf-8"), str(alertmanager))
        except AlertmanagerError as exc:
            raise ImportFailed([f"{exc.where}: error [import/alertmanager] {exc.message}"]) from exc
    files = []
    for path in paths:
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportFailed([f"{path}: error [import/rules] not UTF-8 text ({exc.reason})"]) from exc
        try:
            files.append((str(path), read_rule_file(text, str(path))))
        except RuleFileError as exc:
            raise ImportFailed([f"{exc.where}: error [import/rules] {exc.message}"]) from exc
    imported = import_rules(files, service or service_from_path(paths[0].stem))
    if service:
        imported.spec["service"] = {"name": service, "job": service}
    secrets: list[str] = []
    if alertmanager is not None and routing is not None:
        imported.spec["routing"] = routing
        imported.notes += [f"{alertmanager.name}: {n}" for n in am_notes]
        secrets = [f"{alertmanager.name}: {n}" for n in am_notes if "secret" in n]
    text = imported.text([p.name for p in paths] + ([f"--alertmanager {alertmanager.name}"] if alertmanager else []))
    _validated(text, str(output or "<stdout>"), "import/rules", str(paths[0]))
    with tempfile.TemporaryDirectory(prefix="monspec-import-") as tmp:
        spec = Path(tmp) / "imported.yml"
        spec.write_text(text, "utf-8")
        result = compile_specs([spec])
        name = imported.spec["service"]["name"]
        regenerated = read_rule_file(result.files[conv.rules_path(name)].decode("utf-8"), "regenerated rules.yml")
    original = [g for _, groups in files for g in groups]
    found = differences(original, regenerated)
    indicators = len([i for i in imported.spec.get("indicators", {}).values() if "thresholds" in i])
    summary = (
        f"{indicators} threshold indicators, {len(imported.spec.get('alerts', {}))} free-form alerts, "
        f"{len(imported.spec.get('indicators', {})) - indicators} recording rules, "
        f"{len(imported.notes)} notes in its header"
    )
    if routing is not None:
        summary += f", {len(routing['receivers'])} receivers"
    return Done(text, summary, secrets + [f"round trip: {d}" for d in found])
