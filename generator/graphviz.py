"""Graphviz rendering of the routing tree, outside the pure targets: `dot` reads DOT on stdin, writes SVG to stdout.

Only `monspec generate --svg` asks for it. The SVG depends on the installed Graphviz (its version
is in the file, layouts change between releases), so out/ is reproducible without it: the DOT file
is always generated, the SVG only when asked for, and `generate --check --svg` compares it too.
"""

from __future__ import annotations

import shutil
import subprocess


class GraphvizError(Exception):
    pass


def find_dot() -> str | None:
    return shutil.which("dot")


def render_svg(dot_text: bytes, dot: str) -> bytes:
    proc = subprocess.run([dot, "-Tsvg"], input=dot_text, capture_output=True, timeout=120, check=False)
    if proc.returncode != 0:
        raise GraphvizError(proc.stderr.decode("utf-8", "replace").strip() or f"dot exited with {proc.returncode}")
    return proc.stdout
