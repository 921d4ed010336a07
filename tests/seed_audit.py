"""The element-by-element audit of each seed guide: data in docs/seeds/<seed>.yml, tables in <seed>.md.

Each element of a guide (a metric, a level, an alert, a query, a panel, a route, a log source, a
retention, a report...) is one row: where the guide says it, where the spec says it, which output
file carries it, and a verdict:

* `faithful`: out/ does what the guide says; the row's checks prove it against out/;
* `changed`: out/ does something else on purpose, and the spec's comment (quoted as `reason`)
  says why; the row's checks prove what out/ does instead;
* `missing`: nothing in out/, because the element is not monitoring configuration (`reason` says
  what it is: a script, a procedure, prose);
* `depends`: another branch builds the general mechanism (`branch`, `reason`); no check yet.

The markdown tables are rendered from the data, so the table and the test cannot drift:

    python -m tests.seed_audit           # rewrite docs/seeds/*.md
    python -m tests.seed_audit --check   # exit 1 when a table is stale

Checks (a row's `check` is one mapping or a list of them), all against out/<service>/:

    {alert: NAME, severity:, escalation:, priority:, for:, expr: REGEX, labels: {..}, annotations: {k: REGEX}}
    {record: NAME, expr: REGEX}
    {panel: TITLE, board: KEY, type:, query: REGEX, unit:, steps: [[value, colour], ...], ...}
    {route: {label: value, ...}, receivers: [...]}        # amtool config routes test
    {file: PATH, path: a/b[key=value]/0, equals: V | match: REGEX | absent: true}
    {file: PATH, text: REGEX, absent: true}               # anywhere in the file (or nowhere)
    {query: NAME, logql: REGEX, kql: REGEX}               # logs/queries.yml
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "seeds"
OUT = ROOT / "out"
VERDICTS = ("faithful", "changed", "missing", "depends")
BRANCHES = {"wiring": "issue 19", "proof": "issue 17", "mutate": "issue 17"}


@dataclass(frozen=True)
class Seed:
    key: str  # 000..004
    service: str
    guide_file: str  # under shared/seeds
    title: str

    @property
    def data_path(self) -> Path:
        return DOCS / f"{self.key}-{self.service}.yml"

    @property
    def table_path(self) -> Path:
        return DOCS / f"{self.key}-{self.service}.md"

    @property
    def spec_path(self) -> Path:
        return ROOT / "spec" / "examples" / f"{self.service}.yml"


SEEDS = {
    s.key: s
    for s in (
        Seed("000", "moltbot", "000_abdce2cae3e248a7.txt", 'Moltbot, "Security Metrics and KPIs"'),
        Seed("001", "express-api", "001_2295f9177334e9a6.txt", 'Express API, "Security Metrics Monitoring Setup"'),
        Seed("002", "memory-service", "002_4fb06a77a0030858.txt", 'rust memory service, "Security Monitoring Guide"'),
        Seed("003", "security-platform", "003_02200e9c0e24d35d.txt", "FastAPI security platform, audit and response"),
        Seed("004", "filagent", "004_49cdb681b6b194e8.txt", 'FilAgent, "Security Monitoring & Alerting Guide"'),
    )
}


@dataclass(frozen=True)
class Element:
    number: int
    section: str
    element: str
    guide: str  # "52" or "49-53"
    quote: str  # text of the guide at those lines
    spec: tuple[str, ...]  # dotted paths into the spec
    out: tuple[str, ...]  # files under out/<service>/
    verdict: str
    reason: str
    branch: str
    checks: tuple[dict[str, Any], ...] = field(default=())


def _listed(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)


def elements(seed: Seed) -> list[Element]:
    data = yaml.safe_load(seed.data_path.read_text(encoding="utf-8"))
    out, n = [], 0
    for section in data["sections"]:
        for raw in section["elements"]:
            n += 1
            out.append(
                Element(
                    n,
                    section["title"],
                    raw["element"],
                    str(raw["guide"]),
                    str(raw.get("quote", "")),
                    tuple(str(p) for p in _listed(raw.get("spec"))),
                    tuple(_listed(raw.get("out"))),
                    raw["verdict"],
                    str(raw.get("reason", "")).strip(),
                    str(raw.get("branch", "")),
                    tuple(_listed(raw.get("check"))),
                )
            )
    return out


# --- spec lines ------------------------------------------------------------------------------------
@cache
def _spec_doc(path: Path) -> Any:
    from generator.load import load_file

    return load_file(path, str(path.relative_to(ROOT)))


def spec_key(part: str) -> str | int:
    return int(part) if part.isdigit() else part


def spec_line(seed: Seed, dotted: str) -> int:
    """The line of the spec where the path's key (or list item) is; KeyError when it does not exist."""
    doc = _spec_doc(seed.spec_path)
    path = tuple(spec_key(p) for p in dotted.split("."))
    if path not in doc.spans:
        raise KeyError(f"{seed.spec_path.name}: no `{dotted}`")
    pos = doc.key_spans.get(path) or doc.spans[path]
    return int(pos[0])


def guide_lines(text: str) -> tuple[int, int]:
    a, _, b = text.partition("-")
    return int(a), int(b or a)


def guides_dir() -> Path | None:
    for candidate in (
        ROOT.parent / "shared" / "seeds",
        ROOT.parents[1] / "shared" / "seeds",
        Path("/work/shared/seeds"),
    ):
        if candidate.is_dir():
            return candidate
    return None


# --- rendering -------------------------------------------------------------------------------------
def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def verdict_text(e: Element) -> str:
    if e.verdict == "faithful":
        return "faithful" + (f" ({e.reason})" if e.reason else "")
    if e.verdict == "changed":
        return f"changed: {e.reason}"
    if e.verdict == "missing":
        return f"missing, not monitoring configuration: {e.reason}"
    return f"depends on branch `{e.branch}` ({BRANCHES.get(e.branch, '?')}): {e.reason}"


def counts(rows: list[Element]) -> dict[str, int]:
    out = dict.fromkeys(VERDICTS, 0)
    for e in rows:
        out[e.verdict] += 1
    return out


def render(seed: Seed) -> str:
    rows = elements(seed)
    c = counts(rows)
    spec_rel = seed.spec_path.relative_to(ROOT).as_posix()
    lines = [
        f"# Seed {seed.key}: {seed.title}",
        "",
        f"Guide `shared/seeds/{seed.guide_file}`, spec [{spec_rel}](../../{spec_rel}), output "
        f"[out/{seed.service}/](../../out/{seed.service}/).",
        "",
        f"Rendered from [{seed.data_path.name}]({seed.data_path.name}) by `python -m tests.seed_audit`. "
        "`tests/test_seed_audit.py` checks every faithful and changed row against out/, that each guide "
        "line quotes the guide and each spec line exists, and that this page is current.",
        "",
        "| Verdict | Elements |",
        "|---|---|",
        f"| faithful | {c['faithful']} |",
        f"| changed, with the reason the spec gives | {c['changed']} |",
        f"| missing, not monitoring configuration | {c['missing']} |",
        f"| depends on another branch's general mechanism | {c['depends']} |",
        f"| **total** | {len(rows)} |",
    ]
    section = None
    for e in rows:
        if e.section != section:
            section = e.section
            lines += [
                "",
                f"## {section}",
                "",
                "| # | Element | Guide | Spec | Output | Verdict |",
                "|---|---|---|---|---|---|",
            ]
        spec = ", ".join(f"[{spec_line(seed, p)}](../../{spec_rel}#L{spec_line(seed, p)})" for p in e.spec) or "-"
        out = ", ".join(f"`{o}`" for o in e.out) or "-"
        lines.append(
            f"| {e.number} | {_cell(e.element)} | {e.guide} | {spec} | {_cell(out)} | {_cell(verdict_text(e))} |"
        )
    return "\n".join(lines) + "\n"


# --- checks against out/ ---------------------------------------------------------------------------
@cache
def _file(service: str, rel: str) -> Any:
    path = OUT / service / rel
    text = path.read_text(encoding="utf-8")
    if rel.endswith(".json"):
        return json.loads(text)
    if rel.endswith((".yml", ".yaml")):
        return yaml.safe_load(text)
    return text


@cache
def _text(service: str, rel: str) -> str:
    return (OUT / service / rel).read_text(encoding="utf-8")


_SEGMENT = re.compile(r"^([^\[]*)(?:\[([^=\]]+)=([^\]]*)\])?$")


def walk(node: Any, path: str) -> Any:
    """a/b[key=value]/0: mapping keys, list items by index or by a field's value."""
    for part in path.split("/") if path else ():
        m = _SEGMENT.match(part)
        assert m, f"bad path segment {part!r}"
        key, sel_key, sel_value = m.groups()
        if key:
            if isinstance(node, list):
                node = node[int(key)]
            else:
                if key not in node:
                    raise KeyError(path)
                node = node[key]
        if sel_key is not None:
            found = [item for item in node if isinstance(item, dict) and str(item.get(sel_key)) == sel_value]
            if len(found) != 1:
                raise KeyError(f"{path}: {len(found)} items with {sel_key}={sel_value}")
            node = found[0]
    return node


def _rules(service: str) -> list[dict[str, Any]]:
    return [r for g in _file(service, "prometheus/rules.yml")["groups"] for r in g["rules"]]


def _panels(service: str, board: str | None) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted((OUT / service / "grafana" / "dashboards").glob("*.json")):
        if board is not None and path.stem != board:
            continue
        for p in json.loads(path.read_text())["panels"]:
            out.append((path.stem, p))
            out.extend((path.stem, q) for q in p.get("panels") or [])
    return out


def _seconds(text: str) -> float:
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
    return sum(int(n) * units[u] for n, u in re.findall(r"(\d+)(ms|y|w|d|h|m|s)", text or "0s"))


def _norm(expr: str) -> str:
    return " ".join(str(expr).split())


def _alert(service: str, c: dict[str, Any]) -> list[str]:
    base = [
        r
        for r in _rules(service)
        if r.get("alert") == c["alert"]
        and (r.get("labels") or {}).get("escalation") == c.get("escalation")
        and ("severity" not in c or r["labels"].get("severity") == c["severity"])
    ]
    if len(base) != 1:
        return [f"{len(base)} alerting rules named {c['alert']}" + (f" ({c['severity']})" if "severity" in c else "")]
    r, bad = base[0], []
    labels, annotations = r.get("labels") or {}, r.get("annotations") or {}
    if "priority" in c and labels.get("priority") != c["priority"]:
        bad.append(f"priority {labels.get('priority')}, want {c['priority']}")
    if "for" in c and _seconds(r.get("for", "0s")) != _seconds(c["for"]):
        bad.append(f"for {r.get('for', '0s')}, want {c['for']}")
    if "expr" in c and not re.search(c["expr"], _norm(r["expr"])):
        bad.append(f"expr {_norm(r['expr'])!r} does not match {c['expr']!r}")
    for k, v in (c.get("labels") or {}).items():
        if labels.get(k) != v:
            bad.append(f"label {k}={labels.get(k)!r}, want {v!r}")
    for k, v in (c.get("annotations") or {}).items():
        if not re.search(v, str(annotations.get(k, ""))):
            bad.append(f"annotation {k}={annotations.get(k)!r} does not match {v!r}")
    return [f"{c['alert']}: {b}" for b in bad]


def _record(service: str, c: dict[str, Any]) -> list[str]:
    found = [r for r in _rules(service) if r.get("record") == c["record"]]
    if len(found) != 1:
        return [f"{len(found)} recording rules named {c['record']}"]
    if "expr" in c and not re.search(c["expr"], _norm(found[0]["expr"])):
        return [f"{c['record']}: expr {_norm(found[0]['expr'])!r} does not match {c['expr']!r}"]
    return []


def _panel(service: str, c: dict[str, Any]) -> list[str]:
    found = [p for _, p in _panels(service, c.get("board")) if p.get("title") == c["panel"]]
    if len(found) != 1:
        return [f"{len(found)} panels titled {c['panel']!r}" + (f" on board {c['board']}" if "board" in c else "")]
    p, bad = found[0], []
    defaults = (p.get("fieldConfig") or {}).get("defaults") or {}
    exprs = [_norm(t.get("expr", "")) for t in p.get("targets") or []]
    if "type" in c and p["type"] != c["type"]:
        bad.append(f"type {p['type']}, want {c['type']}")
    for q in _listed(c.get("query")):
        if not any(re.search(q, e) for e in exprs):
            bad.append(f"no query matches {q!r} in {exprs}")
    if "unit" in c and defaults.get("unit") != c["unit"]:
        bad.append(f"unit {defaults.get('unit')}, want {c['unit']}")
    if "steps" in c:
        steps = [[s["value"], s["color"]] for s in defaults["thresholds"]["steps"]]
        if steps != c["steps"]:
            bad.append(f"steps {steps}, want {c['steps']}")
    for key in ("min", "max"):
        if key in c and defaults.get(key) != c[key]:
            bad.append(f"{key} {defaults.get(key)}, want {c[key]}")
    if "color_mode" in c and (p.get("options") or {}).get("colorMode") != c["color_mode"]:
        bad.append(f"colorMode {(p.get('options') or {}).get('colorMode')}, want {c['color_mode']}")
    if "legend" in c and not any(t.get("legendFormat") == c["legend"] for t in p.get("targets") or []):
        bad.append(f"no legend {c['legend']!r}")
    if "datasource" in c and (p.get("datasource") or {}).get("type") != c["datasource"]:
        bad.append(f"datasource {(p.get('datasource') or {}).get('type')}, want {c['datasource']}")
    return [f"panel {c['panel']!r}: {b}" for b in bad]


def _route(service: str, c: dict[str, Any]) -> list[str]:
    amtool = shutil.which("amtool")
    if amtool is None:
        return ["amtool is not installed (make tools)"]
    config = OUT / service / "alertmanager" / "alertmanager.yml"
    labels = [f'{k}="{v}"' for k, v in c["route"].items()]
    proc = subprocess.run(
        [amtool, "config", "routes", "test", f"--config.file={config}", *labels],
        capture_output=True,
        text=True,
        check=False,
    )
    got = sorted(r for r in proc.stdout.strip().split(",") if r)
    if proc.returncode != 0 or got != sorted(c["receivers"]):
        return [f"labels {c['route']} reach {got or proc.stderr.strip()}, want {sorted(c['receivers'])}"]
    return []


def _path(service: str, c: dict[str, Any]) -> list[str]:
    if "text" in c:
        found = re.search(c["text"], _text(service, c["file"]), re.M) is not None
        if c.get("absent"):
            return [f"{c['file']}: {c['text']!r} found, want none"] if found else []
        return [] if found else [f"{c['file']}: no match for {c['text']!r}"]
    try:
        value = walk(_file(service, c["file"]), c.get("path", ""))
    except (KeyError, IndexError) as e:
        return [] if c.get("absent") else [f"{c['file']}: {c.get('path')}: not found ({e})"]
    if c.get("absent"):
        return [f"{c['file']}: {c['path']} exists ({value!r}), want none"]
    if "equals" in c and value != c["equals"]:
        return [f"{c['file']}: {c['path']} is {value!r}, want {c['equals']!r}"]
    if "match" in c and not re.search(c["match"], _norm(value if isinstance(value, str) else json.dumps(value))):
        return [f"{c['file']}: {c['path']} is {value!r}, no match for {c['match']!r}"]
    return []


def _query(service: str, c: dict[str, Any]) -> list[str]:
    sources = _file(service, "logs/queries.yml")["sources"]
    found = [q for s in sources.values() for q in s["queries"] if q["name"] == c["query"]]
    if len(found) != 1:
        return [f"{len(found)} saved queries named {c['query']}"]
    bad = []
    for lang in ("logql", "kql"):
        if lang in c and not re.search(c[lang], str(found[0].get(lang) or "")):
            bad.append(f"query {c['query']}: {lang} {found[0].get(lang)!r} does not match {c[lang]!r}")
    return bad


def run_check(service: str, c: dict[str, Any]) -> list[str]:
    for key, fn in (("alert", _alert), ("record", _record), ("panel", _panel), ("route", _route), ("query", _query)):
        if key in c:
            return fn(service, c)
    if "file" in c:
        return _path(service, c)
    return [f"unknown check {c}"]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a table is stale")
    args = parser.parse_args(argv)
    stale = []
    for seed in SEEDS.values():
        text = render(seed)
        if seed.table_path.exists() and seed.table_path.read_text(encoding="utf-8") == text:
            continue
        stale.append(seed.table_path)
        if not args.check:
            seed.table_path.write_text(text, encoding="utf-8")
    for path in stale:
        print(f"{'stale' if args.check else 'wrote'} {path.relative_to(ROOT)}", file=sys.stderr)
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
