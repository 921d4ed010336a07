"""The writer replaces out/ as a whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import write
from tests.conftest import MINIMAL_SPEC, run_monspec


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_replaces_whole_tree_and_leaves_no_temp(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write.write_tree(out, {"a/old.yml": b"old\n", "keep.txt": b"x"})
    write.write_tree(out, {"a/new.yml": b"new\n"})
    assert tree(out) == {"a/new.yml": b"new\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_failure_during_write_keeps_previous_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    write.write_tree(out, {"a.yml": b"1\n"})
    calls = {"n": 0}
    real_fsync = write.os.fsync

    def failing_fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(write.os, "fsync", failing_fsync)
    with pytest.raises(OSError):
        write.write_tree(out, {"a.yml": b"2\n", "b.yml": b"3\n"})
    assert tree(out) == {"a.yml": b"1\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_invalid_spec_leaves_out_untouched(tmp_path: Path) -> None:
    spec = tmp_path / "s.yml"
    spec.write_text(MINIMAL_SPEC)
    out = tmp_path / "out"
    assert run_monspec("generate", str(spec), "--out", str(out)).returncode == 0
    before = tree(out)
    spec.write_text(MINIMAL_SPEC.replace("critical: 10}", "critical: ten}"))
    proc = run_monspec("generate", str(spec), "--out", str(out))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert tree(out) == before


def test_diff_tree_reports_changes(tmp_path: Path) -> None:
    write.write_tree(tmp_path / "o", {"x.yml": b"a\nb\n"})
    assert write.diff_tree(tmp_path / "o", {"x.yml": b"a\nb\n"}) == []
    diff = "".join(write.diff_tree(tmp_path / "o", {"x.yml": b"a\nc\n"}))
    assert "-b\n" in diff and "+c\n" in diff


def test_yaml_is_deterministic_and_keeps_order() -> None:
    data = {"z": 1, "a": ["multi\nline", "plain"], "m": {"y": True, "b": None}}
    first = write.dump_yaml(data)
    assert first == write.dump_yaml(data)
    assert first.index("z:") < first.index("a:") < first.index("m:")
    assert "|-\n" in first or "|\n" in first


def test_leftovers_of_a_killed_run_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write.write_tree(out, {"a.yml": b"1\n"})
    for stale in (".out.new-abc123", ".out.old-def456"):
        (tmp_path / stale / "svc").mkdir(parents=True)
        (tmp_path / stale / "svc" / "half.yml").write_bytes(b"half")
    (tmp_path / ".other.new-keep").mkdir()
    write.write_tree(out, {"b.yml": b"2\n"})
    assert tree(out) == {"b.yml": b"2\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.new-keep", "out"]
