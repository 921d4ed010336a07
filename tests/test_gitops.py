"""The example CI workflow: its annotation step turns `--format json` diagnostics into GitHub annotations."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import MINIMAL_SPEC, ROOT, run_monspec

WORKFLOW = ROOT / "docs" / "examples" / "github-workflow.yml"


def steps() -> dict[str, dict[str, Any]]:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    return {s.get("name", s.get("uses", "")): s for s in workflow["jobs"]["monspec"]["steps"]}


def run_step(name: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The step's script under bash -e, as GitHub runs it, with this environment's monspec and python3 first."""
    script = steps()[name]["run"]
    bin_dir = Path(sys.executable).parent
    assert (bin_dir / "monspec").exists(), "monspec is installed next to the test interpreter"
    bash = shutil.which("bash")
    assert bash is not None
    return subprocess.run(
        [bash, "-e", "-c", script],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", **(env or {})},
    )


def test_validate_step_annotates_each_error_on_its_spec_line(tmp_path: Path) -> None:
    (tmp_path / "spec").mkdir()
    spec = tmp_path / "spec" / "svc.yml"
    spec.write_text(MINIMAL_SPEC.replace("{metric: depth}", "{metric: depht}").replace("critical: 10", "critical: x"))
    bad = run_step("Validate the specs", tmp_path)
    assert bad.returncode == 2, bad.stdout + bad.stderr
    lines = bad.stdout.splitlines()
    assert lines, bad.stderr
    assert all(line.startswith("::error file=spec/svc.yml,line=") for line in lines), lines
    assert any(",title=schema/type::" in line or ",title=schema/" in line for line in lines), lines

    spec.write_text(MINIMAL_SPEC.replace("{metric: depth}", "{metric: depht}"))
    unknown = run_step("Validate the specs", tmp_path)
    assert unknown.returncode == 2
    assert unknown.stdout == (
        "::error file=spec/svc.yml,line=6,col=27,endLine=6,endColumn=32,title=metrics/unknown"
        "::unknown metric 'depht' (hint: did you mean 'depth'?)\n"
    )

    spec.write_text(MINIMAL_SPEC)
    good = run_step("Validate the specs", tmp_path)
    assert (good.returncode, good.stdout) == (0, "")


def test_workflow_fails_on_a_stale_out_and_uploads_the_generated_tree() -> None:
    by_name = steps()
    assert by_name["out/ is current"]["run"] == "monspec generate --check spec --out out"
    assert "monspec test spec" in by_name["Prove the generated configuration"]["run"]
    assert by_name["actions/upload-artifact@v4"]["with"]["path"] == "build/out/"
    assert "--out build/out" in by_name["Build the artifact"]["run"]


def test_generate_format_json_keeps_standard_output_to_the_json(tmp_path: Path) -> None:
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "svc.yml").write_text(MINIMAL_SPEC)
    proc = run_monspec("generate", "--format", "json", "spec", "--out", "out", cwd=tmp_path)
    assert proc.returncode == 0 and json.loads(proc.stdout) == []
    assert "wrote" in proc.stderr
    (tmp_path / "out" / "svc" / "catalog.md").write_text("edited by hand\n")
    stale = run_monspec("generate", "--check", "--format", "json", "spec", "--out", "out", cwd=tmp_path)
    assert stale.returncode == 1 and json.loads(stale.stdout) == []
    assert "+edited by hand" not in stale.stderr and "-edited by hand" in stale.stderr


def test_review_step_writes_the_diff_of_the_pull_request(tmp_path: Path) -> None:
    """The step's own script, in a clone whose origin has the base branch: review.md is `monspec diff`."""
    origin, clone = tmp_path / "origin", tmp_path / "clone"
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q", "-b", "main", str(origin)], check=True)
    (origin / "spec").mkdir()
    (origin / "spec" / "svc.yml").write_text(MINIMAL_SPEC)
    subprocess.run([*git, "-C", str(origin), "add", "spec"], check=True)
    subprocess.run([*git, "-C", str(origin), "commit", "-qm", "base"], check=True)
    subprocess.run([*git, "clone", "-q", str(origin), str(clone)], check=True)
    (clone / "spec" / "svc.yml").write_text(MINIMAL_SPEC.replace("critical: 10", "critical: 12"))
    subprocess.run([*git, "-C", str(clone), "commit", "-qam", "raise the threshold"], check=True)
    step = steps()["Review report"]
    assert step["if"] == "github.event_name == 'pull_request'"
    proc = run_step("Review report", clone, {"BASE_REF": "main"})
    assert proc.returncode == 0, proc.stderr
    report = (clone / "review.md").read_text()
    assert report.startswith("## monspec diff `origin/main` → `HEAD`")
    assert "alert `DepthCritical critical`: the threshold moved away from firing (`> 10` → `> 12`)" in report
    post = steps()["Post the review report on the pull request"]["run"]
    assert post.startswith('gh pr comment "$PR" --body-file review.md')
