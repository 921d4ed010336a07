"""A fresh monitoring repository uses monspec's pre-commit hooks from a local path, as its README says.

pre-commit clones the hook repository at `rev` and pip-installs it into its own environment (the
way every user gets it), so this test needs what `make setup` needs: pip able to fetch monspec's
dependencies. The hook repository is a commit of this working tree, uncommitted changes included,
so the test proves the hooks as they are now.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import MINIMAL_SPEC, ROOT, run_monspec

GIT_ENV = {
    "GIT_AUTHOR_NAME": "monspec-test",
    "GIT_AUTHOR_EMAIL": "test@monspec.invalid",
    "GIT_COMMITTER_NAME": "monspec-test",
    "GIT_COMMITTER_EMAIL": "test@monspec.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
}
# What pip needs to install monspec from the hook repository (the rest of the tree is not shipped).
SHIPPED = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "generator", "templates", "spec")


def git(*args: str, cwd: Path) -> str:
    proc = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, env={**os.environ, **GIT_ENV}
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    if shutil.which("git") is None:
        pytest.fail("git is not installed: pre-commit needs it (apt-get install git)")
    repo = tmp_path_factory.mktemp("hooks") / "monspec"
    listed = git("ls-files", "-co", "--exclude-standard", cwd=ROOT).splitlines()
    for rel in listed:
        if rel.split("/", 1)[0] in SHIPPED and (ROOT / rel).is_file():
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, repo / rel)
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "monspec under test", cwd=repo)
    return repo, git("rev-parse", "HEAD", cwd=repo)


def pre_commit(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env={**os.environ, "PRE_COMMIT_HOME": str(home)},
    )


def test_a_fresh_repository_runs_the_hooks_from_a_local_path(tmp_path: Path, hook_repo: tuple[Path, str]) -> None:
    hooks, rev = hook_repo
    repo = tmp_path / "monitoring"
    (repo / "spec").mkdir(parents=True)
    spec = repo / "spec" / "svc.yml"
    spec.write_text(MINIMAL_SPEC)
    git("init", "-q", cwd=repo)
    generated = run_monspec("generate", "spec", "--out", "out", cwd=repo)
    assert generated.returncode == 0, generated.stderr
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n"
        "      - id: monspec-validate\n      - id: monspec-generate-check\n"
    )
    git("add", "-A", cwd=repo)
    home = tmp_path / "pre-commit-home"

    ok = pre_commit(repo, home)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "monspec validate" in ok.stdout and "monspec generate --check" in ok.stdout
    assert ok.stdout.count("Passed") == 2

    # A spec that reads an undeclared metric: validate names it, and nothing was written to out/.
    spec.write_text(MINIMAL_SPEC.replace("{metric: depth}", "{metric: depht}"))
    git("add", "-A", cwd=repo)
    bad = pre_commit(repo, home)
    assert bad.returncode == 1
    assert "spec/svc.yml:6:" in bad.stdout and "[metrics/unknown]" in bad.stdout
    assert bad.stdout.count("Failed") == 2

    # A valid spec whose out/ was not regenerated: only the generate check fails, with the diff.
    spec.write_text(MINIMAL_SPEC.replace("critical: 10", "critical: 20"))
    git("add", "-A", cwd=repo)
    stale = pre_commit(repo, home)
    assert stale.returncode == 1
    assert stale.stdout.count("Passed") == 1 and stale.stdout.count("Failed") == 1
    assert "-    expr: job:depth:max > 10\n+    expr: job:depth:max > 20\n" in stale.stdout
    assert "out is stale" in stale.stdout
