"""filters/regex: `match` and `not_match` filters are valid RE2 regular expressions.

Prometheus compiles label regexes with Go's RE2 when it loads the rules; a bad one is found only
then. The check asks the PromQL parser (which validates matchers the same way) now instead.

Fail::

    failures: {rate: {metric: {metric: http_requests_total, filter: {code: {match: '5(['}}}, window: 5m}, ...}
"""

from __future__ import annotations

from collections.abc import Iterator

import promql_parser as pp

from generator.checks import _spec
from generator.diagnostics import Diagnostic, error
from generator.load import Document
from generator.model.promql import quote

NAME = "filters/regex"


def check(doc: Document) -> Iterator[Diagnostic]:
    for _, spec, path in _spec.indicators(doc):
        for _, ref_path, _ in _spec.selectors(spec, path):
            if ref_path[-1] != "metric":
                continue
            filt = doc.get((*ref_path[:-1], "filter"))
            for label, matcher in (filt or {}).items() if isinstance(filt, dict) else ():
                if not isinstance(matcher, dict):
                    continue
                for op in ("match", "not_match"):
                    regex = matcher.get(op)
                    if not isinstance(regex, str):
                        continue
                    try:
                        pp.parse(f"x{{{label}=~{quote(regex)}}}")
                    except ValueError as exc:
                        yield error(
                            NAME,
                            f"filter on '{label}': {regex!r} is not a valid RE2 regex ({exc})",
                            doc.span((*ref_path[:-1], "filter", label, op)),
                            "RE2 syntax: no look-around or backreferences; escape ( [ { with \\",
                        )
