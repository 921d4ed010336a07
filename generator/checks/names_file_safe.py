"""names/file-name: a name that becomes a folder or file under out/ is a safe, portable path component.

The schema's patterns already keep separators and dots out of service names; this check adds the
rules a pattern cannot say well (names Windows reserves for devices, such as `con` or `nul`) and is
the one place where every section that names files from the spec registers its names
(FILE_NAMES below), so they all follow generator/filenames.py.

Pass::

    service: {name: console, job: console}

Fail::

    service: {name: con, job: con}
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.diagnostics import Diagnostic, error
from generator.filenames import component_problem
from generator.load import Document, PathKey

NAME = "names/file-name"

# Paths of spec values that name a folder or file under out/. Sections that write files named
# after spec keys or values (dashboards, ...) add their paths here.
FILE_NAMES: tuple[PathKey, ...] = (("service", "name"),)
# Mappings whose keys become file names: dashboards/<board>.json, objective-<key>.test.yml.
FILE_NAME_KEYS: tuple[PathKey, ...] = (("dashboards", "boards"), ("objectives", "slos"))


def check(doc: Document) -> Iterator[Diagnostic]:
    for path in FILE_NAMES:
        value = doc.get(path)
        if not isinstance(value, str):
            continue
        why = component_problem(value)
        if why:
            yield error(
                NAME,
                f"{'.'.join(map(str, path))} names a folder under the output directory, but {why}",
                doc.span(path),
                "choose another name; it must be a portable file name",
            )
    for path in FILE_NAME_KEYS:
        mapping = doc.get(path)
        for key in mapping if isinstance(mapping, dict) else ():
            why = component_problem(str(key))
            if why:
                yield error(
                    NAME,
                    f"{'.'.join(map(str, path))}.{key} names a file under the output directory, but {why}",
                    doc.key_span((*path, key)),
                    "choose another key; it must be a portable file name",
                )
