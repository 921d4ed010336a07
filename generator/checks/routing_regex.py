"""routing/regex: `match_re` values are RE2 expressions Alertmanager can compile.

Fail::

    routing:
      routes: [{match_re: {alertname: "(?<=Auth).*"}, receiver: ops}]
"""

from __future__ import annotations

from collections.abc import Iterator

import promql_parser as pp

from generator.checks import _routing
from generator.diagnostics import Diagnostic, error
from generator.load import Document
from generator.model.promql import quote

NAME = "routing/regex"


def check(doc: Document) -> Iterator[Diagnostic]:
    for route, path in _routing.routes(doc):
        for label, regex in (route.get("match_re") or {}).items():
            try:
                pp.parse(f"x{{{label}=~{quote(regex)}}}")
            except ValueError as exc:
                yield error(
                    NAME,
                    f"match_re on '{label}': {regex!r} is not a valid RE2 regex ({exc})",
                    doc.span((*path, "match_re", label)),
                    "RE2 syntax: no look-around or backreferences",
                )
