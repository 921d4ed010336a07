"""Files shipped inside the package (the schema, the burn-rate table), read without importlib.resources.

importlib.resources pulls zipfile, tempfile, shutil and random into every run (about 10 ms of the
`monspec validate` start-up); the package's directory, which the import system already knows, is
enough for a wheel or an editable install. importlib.resources stays the answer for anything else.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path


def read_text(package: str, name: str) -> str:
    spec = importlib.util.find_spec(package)
    for location in (spec.submodule_search_locations or []) if spec is not None else []:
        path = Path(location) / name
        if path.is_file():
            return path.read_text("utf-8")
    from importlib import resources

    return resources.files(package).joinpath(name).read_text("utf-8")
