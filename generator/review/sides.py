"""One side of a diff as catalog facts per service: from specs, from an out/ tree, or from a git revision."""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostic

Facts = dict[str, dict[str, Any]]  # service name -> its catalog.json document
SPEC_SUFFIXES = (".yml", ".yaml")


class SideError(ValueError):
    """A side that cannot be read; DIAGNOSTICS holds a spec's errors when it did not compile."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics or []


@dataclass(frozen=True, slots=True)
class Side:
    label: str  # how the report names it: the revision or the path as given
    facts: Facts


def _compiled(specs: list[Path], label: str) -> Facts:
    from generator.compile import compile_specs
    from generator.targets.catalog_json import facts

    result = compile_specs(specs, render=False)
    if not result.ok:
        raise SideError(f"{label}: the spec does not compile", result.diagnostics)
    # As the catalog.json of a tree reads back (keys sorted), so a spec and its tree compare alike.
    return {m.service.name: json.loads(json.dumps(facts(m), sort_keys=True)) for m in result.models}


def _tree(root: Path, label: str) -> Facts:
    from generator.targets.catalog_json import FORMAT

    found: Facts = {}
    for path in sorted(root.glob("*/catalog.json")):
        doc = json.loads(path.read_text("utf-8"))
        if doc.get("format") != FORMAT:
            raise SideError(
                f"{label}: {path.name} in {path.parent.name}/ is of another monspec version; diff the specs"
            )
        found[doc["service"]] = doc
    return found


def from_path(path: Path, label: str) -> Facts:
    """Facts of PATH: a spec file, a folder of specs, or an out/ tree (it holds */catalog.json)."""
    if path.is_file():
        return _compiled([path], label)
    if not path.is_dir():
        raise SideError(f"{label}: no such file or directory")
    if any(path.glob("*/catalog.json")):
        return _tree(path, label)
    specs = sorted(p for p in path.iterdir() if p.suffix in SPEC_SUFFIXES and p.is_file())
    if specs:
        return _compiled(specs, label)
    if any(path.glob("*/prometheus/rules.yml")):
        raise SideError(f"{label}: an out/ tree without catalog.json (written by an older monspec); diff the specs")
    raise SideError(f"{label}: neither specs (*.yml) nor an out/ tree (*/catalog.json)")


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)


def is_revision(text: str, repo: Path) -> bool:
    return _git(repo, "rev-parse", "--verify", "--quiet", f"{text}^{{commit}}").returncode == 0


def from_revision(rev: str, paths: tuple[str, ...], repo: Path) -> Facts:
    """Facts of PATHS as they are at git revision REV of REPO (specs or out/ trees, as `from_path` reads them)."""
    top = _git(repo, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise SideError(f"{rev}: not inside a git repository")
    root = Path(top.stdout.decode().strip())
    prefix = Path.cwd().resolve().relative_to(root.resolve()) if Path.cwd().resolve().is_relative_to(root) else Path()
    wanted = [(prefix / p).as_posix() for p in paths]
    archive = _git(root, "archive", "--format=tar", rev, "--", *wanted)
    if archive.returncode != 0:
        why = archive.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["git archive failed"]
        raise SideError(f"{rev}: {', '.join(paths)} not found at that revision ({why[0]})")
    facts: Facts = {}
    with tempfile.TemporaryDirectory(prefix="monspec-diff-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        for want, shown in zip(wanted, paths, strict=True):
            facts.update(from_path(Path(tmp) / want, f"{rev}:{shown}"))
    return facts


def load(arg: str, paths: tuple[str, ...], repo: Path) -> Side:
    """ARG as a path if one exists by that name, else as a git revision of the repository at REPO."""
    path = Path(arg)
    if path.exists():
        return Side(arg, from_path(path, arg))
    if is_revision(arg, repo):
        return Side(arg, from_revision(arg, paths or ("out",), repo))
    raise SideError(f"{arg}: neither a file, a directory nor a git revision")
