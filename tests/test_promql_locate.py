"""PromQL errors are placed and worded as promtool places and words them, and mapped into the spec.

The oracle is promtool itself: every expression of tests/data/promql_errors.yml goes into one rule
file, `promtool check rules` reports each one's `line:col: parse error: message` within the
expression, and monspec must report the same message at the same place, both within the expression
(generator/promql_locate.py) and in the spec (the expression's start plus that column), whatever
YAML style holds the expression.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import promql_parser as pp
import pytest
import yaml

from generator.promql_functions import FUNCTIONS
from generator.promql_lex import metric_names
from generator.promql_locate import locate
from tests.conftest import MINIMAL_SPEC, OUT, ROOT, run_monspec

CORPUS: list[str] = yaml.safe_load((ROOT / "tests" / "data" / "promql_errors.yml").read_text("utf-8"))
PROMTOOL_ERROR = re.compile(r'group "g(\d+)", rule 1, "r": could not parse expression: (\d+):(\d+): parse error: (.*)')
Position = tuple[int, int, str]  # line and column within the expression (1-based), message


@pytest.fixture(scope="module")
def promtool_says(promtool: str, tmp_path_factory: pytest.TempPathFactory) -> dict[int, Position]:
    """promtool's first error for each corpus expression, by index (one run over one rule file)."""
    rules = {"groups": [{"name": f"g{i}", "rules": [{"record": "r", "expr": e}]} for i, e in enumerate(CORPUS)]}
    path = tmp_path_factory.mktemp("promql") / "rules.yml"
    path.write_text(yaml.safe_dump(rules, width=10_000), "utf-8")
    proc = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    found: dict[int, Position] = {}
    for m in PROMTOOL_ERROR.finditer(proc.stdout + proc.stderr):
        found.setdefault(int(m.group(1)), (int(m.group(2)), int(m.group(3)), m.group(4)))
    return found


def _ours(expr: str) -> Position | None:
    problem = locate(expr)
    if problem is None:
        return None
    before = expr[: problem.pos]
    return before.count("\n") + 1, problem.pos - (before.rfind("\n") + 1) + 1, problem.message


def test_corpus_is_large_and_refused_by_promql_parser() -> None:
    assert len(CORPUS) >= 100
    assert len(set(CORPUS)) == len(CORPUS)
    for expr in CORPUS:
        with pytest.raises(ValueError):
            pp.parse(expr)


@pytest.fixture(scope="module")
def promtool_major(promtool: str) -> int:
    out = subprocess.run([promtool, "--version"], capture_output=True, text=True, timeout=30).stdout
    m = re.search(r"version (\d+)\.", out)
    return int(m.group(1)) if m else 3  # a build without version stamps is a source build: current Prometheus


def test_every_error_is_placed_and_worded_as_promtool_does(
    promtool_says: dict[int, Position], promtool_major: int
) -> None:
    """Positions hold for every promtool; the words are Prometheus 2.x's (promql-parser's grammar), and
    Prometheus 3 rewords a few lexer errors ("bad number or duration syntax", "expected number,
    duration, step(), or range()"), so the messages are compared with a 2.x promtool."""
    assert len(promtool_says) == len(CORPUS), "promtool accepted an expression of the corpus"
    ours = {i: _ours(e) for i, e in enumerate(CORPUS)}
    placed = {i: (ours[i] or ())[:2] for i in ours}
    misplaced = [(e, promtool_says[i], ours[i]) for i, e in enumerate(CORPUS) if placed[i] != promtool_says[i][:2]]
    assert misplaced == []
    if promtool_major == 2:
        reworded = [(e, promtool_says[i][2], ours[i]) for i, e in enumerate(CORPUS) if ours[i] != promtool_says[i]]
        assert reworded == []
    assert len({message for _, _, message in promtool_says.values()}) >= 60  # distinct errors, not one repeated


# --- the same errors in a spec -------------------------------------------------------------------


def _plain_safe(expr: str) -> bool:
    try:
        return yaml.safe_load(f"k: {expr}") == {"k": expr} and "#" not in expr
    except yaml.YAMLError:
        return False


def _scalar(expr: str, i: int) -> tuple[str, int, int, Callable[[str], int]]:
    """expr written in one of YAML's styles: (source after `expr: `, the line offset of the expression's
    first line, the column of its first character on that line, how to count source characters)."""
    if "\n" in expr:
        chomp = "|" if expr.endswith("\n") and not expr.endswith("\n\n") else "|-"
        body = "".join(f"\n      {line}" for line in expr.rstrip("\n").split("\n"))
        return chomp + body, 1, 7, lambda prefix: 0
    style = i % 3
    if style == 0 and _plain_safe(expr):
        return expr, 0, 11, lambda prefix: 0
    if style == 1 or "\\" in expr or '"' in expr:
        # Double quotes: `"` and `\` escaped, and each `s` written as the escape \x73.
        source = expr.replace("\\", "\\\\").replace('"', '\\"').replace("s", "\\x73")
        return f'"{source}"', 0, 12, lambda p: p.count("\\") + p.count('"') + 3 * p.count("s")
    return "'" + expr.replace("'", "''") + "'", 0, 12, lambda prefix: prefix.count("'")


def test_spec_column_is_the_expression_start_plus_promtools_column(
    promtool_says: dict[int, Position], tmp_path: Path
) -> None:
    lines = [*MINIMAL_SPEC.rstrip("\n").split("\n"), "alerts:"]
    expected: dict[str, tuple[int, int, str]] = {}
    for i, expr in enumerate(CORPUS):
        source, line_offset, start_col, extra = _scalar(expr, i)
        lines += [f"  A{i}:", "    severity: critical"]
        expr_line = len(lines) + 1
        lines += f"    expr: {source}".split("\n")
        line, col, _ = promtool_says[i]
        expr_lines = expr.split("\n")
        prefix = expr_lines[line - 1][: col - 1]
        ours = _ours(expr)
        assert ours is not None, expr
        expected[f"A{i}"] = (expr_line + line_offset + line - 1, start_col + col - 1 + extra(prefix), ours[2])
    spec = tmp_path / "spec.yml"
    spec.write_text("\n".join(lines) + "\n", "utf-8")
    assert yaml.safe_load(spec.read_text())["alerts"]["A0"]["expr"] == CORPUS[0]
    proc = run_monspec("validate", "--format", "json", str(spec))
    assert proc.returncode == 2, proc.stderr
    got = {}
    for d in json.loads(proc.stdout):
        if d["code"] == "promql/invalid":
            m = re.match(r"alert '(A\d+)' expr is not valid PromQL: (.*)", d["message"])
            assert m, d["message"]
            got[m.group(1)] = (d["line"], d["column"], m.group(2))
    assert got == expected


# --- no false alarms, and the facts the locator relies on ----------------------------------------


def _generated_expressions() -> list[str]:
    exprs = []
    for path in sorted(OUT.glob("*/prometheus/rules.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            exprs += [rule["expr"] for rule in group["rules"]]
    return exprs


VALID = [
    'sum by (job) (rate(x{a=~"b|c", d!="e"}[5m] offset 1h)) / on(job) group_left(team) y',
    "histogram_quantile(0.9, sum without (instance) (rate(x_bucket[5m:30s] @ end())))",
    "-x ^ 2 * -(y) % 3 atan2 z or bool_metric unless on() vector(1) and x > bool 1",
    'topk(3, x) + bottomk by (a) (1, x) + quantile(0.5, x) + count_values("v", x)',
    'label_replace(x, "a", "$1", "b", "(.*)") + label_join(x, "a", ",", "b", "c", "d")',
    "x @ 1609746000 offset -5m + round(x) + round(x, 5) + day_of_week() + time() + pi()",
    "sum(x) by (le) # a comment",
    "1 > bool 2",
    '{__name__=~"job:.+"}',
    "rate(x[1h30m]) + x[5m:] [1h:1m] != 0" if False else "max_over_time(rate(x[5m])[1h:1m])",
]


@pytest.mark.parametrize("expr", VALID + _generated_expressions())
def test_valid_expressions_have_no_error(expr: str) -> None:
    pp.parse(expr)
    assert locate(expr) is None


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_function_signatures_are_promql_parsers(name: str) -> None:
    sig = FUNCTIONS[name]
    sample = {"vector": "x", "matrix": "x[5m]", "scalar": "1", "string": '"a"'}
    call = pp.parse(f"{name}({', '.join(sample[a] for a in sig.args)})")
    assert isinstance(call, pp.Call)
    func = call.func
    assert [str(t).rsplit(".", 1)[-1].lower() for t in func.arg_types] == list(sig.args)
    assert func.variadic == sig.variadic
    assert str(func.return_type).rsplit(".", 1)[-1].lower() == sig.returns


def test_metric_names_are_found_where_they_are_written() -> None:
    expr = 'sum by (job) (rate(foo{a="b", c!="d"}[5m])) / on(x) group_left(y) bar:baz + histogram_quantile(0.9, qux)'
    names = metric_names(expr)
    assert {n: expr[a:b] for n, (a, b) in names.items()} == {"foo": "foo", "bar:baz": "bar:baz", "qux": "qux"}
