"""The installed package carries what lives at the top level of the repository (spec/, templates/).

The design keeps spec/ and templates/ beside generator/; pyproject maps them into the package so
a wheel works without the source tree. A wheel is built and its file list checked.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT


def test_wheel_ships_schema_and_templates(tmp_path: Path) -> None:
    # setuptools builds in the source tree (build/, *.egg-info); build from a copy instead.
    source = tmp_path / "src"
    shutil.copytree(
        ROOT, source, ignore=shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "out", "__pycache__")
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (wheel,) = tmp_path.glob("monspec-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "generator/spec/monspec.schema.json" in names
    # Editors get the schema from the installed package (docs/gitops.md): the very file of spec/.
    shipped_schema = zipfile.ZipFile(wheel).read("generator/spec/monspec.schema.json").decode()
    assert shipped_schema == (ROOT / "spec" / "monspec.schema.json").read_text()
    assert "generator/templates/__init__.py" in names
    assert not any(n.startswith("generator/spec/examples") for n in names)
    shipped = {n.removeprefix("generator/templates/") for n in names if n.startswith("generator/templates/")}
    expected = {p.relative_to(ROOT / "templates").as_posix() for p in (ROOT / "templates").rglob("*.j2")}
    assert expected <= shipped
