"""What may become a file or folder name under out/: one rule for every name taken from a spec.

Service names (and, as the sections land, dashboard names) become path components. A component
must stay inside out/ and be portable: no separators, no `.`/`..`, no control characters, and
none of the names Windows reserves for devices (`CON`, `nul.txt`...), which a checkout on Windows
could not create.
"""

from __future__ import annotations

import re

_WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_COMPONENT_BYTES = 255


def component_problem(name: str) -> str | None:
    """Why name cannot be one path component under out/, or None when it can."""
    if name in ("", ".", ".."):
        return f"'{name}' is not a file name"
    if "/" in name or "\\" in name:
        return f"'{name}' contains a path separator"
    if _CONTROL.search(name):
        return "the name contains a control character"
    if name.split(".", 1)[0].lower() in _WINDOWS_DEVICES:
        return f"'{name}' is a device name reserved on Windows"
    if name.endswith((" ", ".")):
        return f"'{name}' ends with a space or a dot, which Windows drops"
    if len(name.encode("utf-8")) > MAX_COMPONENT_BYTES:
        return f"the name is longer than {MAX_COMPONENT_BYTES} bytes"
    return None


def relpath_problem(rel: str) -> str | None:
    """Why rel (a '/'-separated path relative to out/) could land outside out/, or None."""
    if rel.startswith("/") or re.match(r"^[A-Za-z]:", rel):
        return "it is absolute"
    for part in rel.split("/"):
        why = component_problem(part)
        if why:
            return why
    return None
