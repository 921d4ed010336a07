"""The one jinja2 environment of the text targets: templates come from the installed package."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

import generator.templates


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    # StrictUndefined: a template that names a value the target did not pass is a bug, not "".
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(generator.templates.__file__).parent),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )


def render_template(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)
