"""The fuzzing harness: hostile inputs through the real `monspec generate`, in process, catching nothing.

Every input must end in one of two ways:

* exit 0: out/ is replaced by a complete tree whose every file parses (YAML, JSON, PromQL) and is
  later proven by the real tools (promtool check rules / check config, a sample of promtool test
  rules) in one batch per test;
* exit 2: positioned diagnostics `file:line:col: error [code] message`, and out/ untouched.

Anything else (a traceback, exit 3, an unpositioned message, a hang past the deadline, a partial or
modified out/) fails the example, and hypothesis shrinks it to the smallest input that still fails.

New targets need nothing here: all_targets() is rendered for every input, and every file of out/ is
checked by the rules in OUTPUT_CHECKS (by file name) and by its format; add a tool to OUTPUT_CHECKS
when a target brings one (amtool check-config for Alertmanager, a Filebeat schema, ...).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import strategies as st

from generator.cli import main
from generator.load import load_text
from generator.promql_check import parse as parse_promql
from tests.conftest import EXAMPLES, MINIMAL_SPEC

DEADLINE_SECONDS = 20.0  # per input; the largest example compiles in well under a second

# A spec that touches most of the language in few lines, so mutations of it reach every stage fast.
RICH_SPEC = """version: 1
service:
  name: shop
  title: Shop API
  job: shop
  metric_prefix: shop_
  labels: {team: payments}
  scrape:
    targets: ["shop.internal:8443"]
    scheme: https
    metrics_path: /metrics
    interval: 30s
    authorization: {type: Bearer, credentials_file: /etc/prometheus/shop.token}
    tls: {ca_file: /etc/prometheus/ca.pem, server_name: shop.internal}
prometheus: {scrape_interval: 15s, evaluation_interval: 30s, external_labels: {region: eu}}
defaults: {for: 5m, runbook_url: "https://runbooks.example.com/{service}/{runbook}", grafana_url: "https://grafana.example.com"}
severities:
  critical: {priority: P1, for: 2m, description: Page}
  warning: {priority: P2}
  info: {}
groups:
  shop-slow: {interval: 1m}
metrics:
  http_requests_total: {type: counter, labels: [code, route], help: Requests}
  errors_total: {type: counter, labels: [route]}
  latency_seconds: {type: histogram, labels: [route]}
  queue_depth: {type: gauge}
indicators:
  error_ratio:
    title: Error ratio
    ratio:
      numerator: [{metric: http_requests_total, filter: {code: {match: "5.."}}}, errors_total]
      denominator: http_requests_total
      window: 5m
    unit: percentunit
    by: [route]
    thresholds: {warning: 0.01, critical: {value: 0.05, for: 1m, alert: ShopErrors, summary: "Errors {{ $value }}"}}
    runbook: errors
    labels: {tier: web}
    annotations: {playbook: "Check {{ $labels.route }}"}
    compliance: [SOC2-CC7.2]
    absent: {for: 10m, severity: warning}
  latency_p95:
    quantile: {metric: latency_seconds, q: 0.95, window: 5m}
    unit: s
    thresholds: {warning: 0.5, critical: 2}
    group: shop-slow
  requests_1h:
    increase: {metric: {metric: http_requests_total, filter: {code: {ne: "200"}}}, window: 1h}
    direction: below
    inclusive: true
    thresholds: {info: 10}
  request_rate:
    rate: {metric: http_requests_total, window: 5m}
    unit: reqps
    thresholds: {warning: 100}
    action: Scale out
  depth:
    gauge: {metric: queue_depth, aggregate: sum}
    thresholds: {critical: 1000, warning: 100}
  raw_up:
    expr: up{job="shop"}
    direction: below
    thresholds: {critical: 1}
alerts:
  ShopStuck:
    expr: rate(shop_http_requests_total{job="shop"}[5m]) == 0 and shop_queue_depth{job="shop"} > 0
    severity: critical
    for: 10m
    summary: Shop is stuck
    test:
      firing: {'shop_http_requests_total{job="shop"}': '0+0x40', 'shop_queue_depth{job="shop"}': '5+0x40'}
      silent: {'shop_http_requests_total{job="shop"}': '0+10x40', 'shop_queue_depth{job="shop"}': '5+0x40'}
"""

# Strings that have broken parsers, templates, shells and file systems before.
HOSTILE_STRINGS = [
    "",
    " ",
    '"',
    "'",
    "\\",
    '\\"',
    '"}',
    '"} or vector(1) #',
    '", job!="',
    "\n",
    "\r\n",
    "\t",
    "a\nb: c",
    "{{",
    "}}",
    "{{ $value }}",
    "{{ .Labels.x }}",
    '{{ template "x" }}',
    "{{ end }}",
    "{{ nosuchfunc }}",
    "{{ $undefined }}",
    "{{/* c */}}",
    "{{ if }}",
    "$",
    "$1",
    "${HOME}",
    "$(rm -rf /)",
    "%{+yyyy.MM.dd}",
    "{service}",
    "{",
    "}",
    "`",
    "../",
    "../../etc/passwd",
    "/etc/passwd",
    ".",
    "..",
    "CON",
    "con",
    "nul",
    "a\x00b",
    "\u2028",
    "\x85",
    "\ufeff",
    "\u202e",
    "é",
    "😀",
    "#",
    ": ",
    "- ",
    "&a",
    "*a",
    "!tag",
    "|",
    ">",
    "@",
    "%",
    "on",
    "no",
    "yes",
    "null",
    "~",
    "0777",
    "0o17",
    "0x1F",
    "1e3",
    "12:30",
    ".inf",
    ".nan",
    "true",
    "<script>",
    "x" * 300,
    "y" * 20_000,
    "{{" * 200,
    "hooks.slack.com/services/T000/B000/XXXX",
]
HOSTILE_NUMBERS: list[Any] = [0, -1, 1, 0.5, -0.0, 1e300, 1e308, -1e308, float("inf"), float("nan"), 2**63, 10**400]
# YAML syntax fragments for token soup: the parser's error paths, not the schema's.
YAML_TOKENS = [
    ":",
    ": ",
    "- ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "&a ",
    "*a",
    "*b",
    "!!str ",
    "!!binary ",
    "!!set ",
    "!x ",
    "\n",
    "  ",
    "'",
    '"',
    "key",
    "version: 1\n",
    "service: {name: s, job: s}\n",
    "severities: {critical: {}}\n",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "%TAG ! tag:x,2000:\n",
    "? ",
    "|\n",
    ">-\n",
    "#",
    "\t",
    "\ufeff",
    "<<: ",
    "1e3",
    "0777",
    "no",
    "\\",
    "\x00",
    "\x85",
    "9" * 5000,
    "0x" + "f" * 5000,
]


def _load(text: str) -> Any:
    return load_text(text, "seed.yml").data


@dataclass(frozen=True)
class Seed:
    name: str
    data: Any
    paths: tuple[tuple[Any, ...], ...]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if prefix:
        yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


def _seed(name: str, text: str) -> Seed:
    data = _load(text)
    return Seed(name, data, tuple(_paths(data)))


SMALL_SEEDS = [_seed("minimal", MINIMAL_SPEC), _seed("rich", RICH_SPEC)]
EXAMPLE_SEEDS = [_seed(p.stem, p.read_text("utf-8")) for p in EXAMPLES]

# --- value strategies -----------------------------------------------------------------------------

hostile_text = st.one_of(
    st.sampled_from(HOSTILE_STRINGS),
    st.text(max_size=40),
    st.lists(st.sampled_from(HOSTILE_STRINGS[:60]), min_size=2, max_size=4).map("".join),
)
scalars = st.one_of(
    hostile_text,
    st.sampled_from(HOSTILE_NUMBERS),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(hostile_text, inner, max_size=4),
    max_leaves=12,
)


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        data = data[p]
    return data


def _swap_type(value: Any) -> Any:
    if isinstance(value, dict):
        return list(value.values()) or list(value)
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)} if value else ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        try:
            return float(value) if "." in value else int(value)
        except ValueError:
            return [value]
    return {}


def _mutate(draw: st.DrawFn, data: Any, seed: Seed) -> Any:
    paths = list(_paths(data)) or [()]
    path = draw(st.sampled_from(paths))
    if not path:
        return draw(values)
    parent, last = _get(data, path[:-1]), path[-1]
    op = draw(st.sampled_from(["set", "set", "hostile", "delete", "rename", "swap", "copy", "wrap", "empty"]))
    if op == "set":
        parent[last] = draw(values)
    elif op == "hostile":
        old = parent[last]
        parent[last] = draw(hostile_text) if isinstance(old, str | dict | list) else draw(scalars)
    elif op == "delete":
        del parent[last]
    elif op == "rename" and isinstance(parent, dict):
        new = draw(st.one_of(hostile_text, st.sampled_from([str(p[-1]) for p in seed.paths if p])))
        parent[new] = parent.pop(last)
    elif op == "swap":
        parent[last] = _swap_type(parent[last])
    elif op == "copy":
        other = draw(st.sampled_from(paths))
        parent[last] = copy.deepcopy(_get(data, other))
    elif op == "wrap":
        parent[last] = draw(st.sampled_from([[parent[last]], {"x": parent[last]}]))
    elif op == "empty":
        parent[last] = draw(st.sampled_from([None, "", [], {}]))
    return data


_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


# Keys whose values are free text (no pattern): hostile strings there reach the renderers.
FREE_TEXT = frozenset(
    {
        "title",
        "summary",
        "description",
        "action",
        "help",
        "runbook",
        "job",
        "unit",
        "credentials_file",
        "ca_file",
        "cert_file",
        "key_file",
        "server_name",
        "eq",
        "ne",
        "runbook_url",
    }
)


def _free_text(path: tuple[Any, ...]) -> bool:
    last = path[-1]
    return last in FREE_TEXT or (len(path) >= 2 and path[-2] in ("labels", "annotations", "filter", "external_labels"))


def _dump(draw: st.DrawFn, data: Any) -> str:
    return yaml.dump(
        data,
        Dumper=_DUMPER,
        allow_unicode=draw(st.booleans()),
        default_flow_style=draw(st.sampled_from([False, None, True])),
        sort_keys=False,
        width=draw(st.sampled_from([80, 10_000])),
    )


def _mangle_text(draw: st.DrawFn, text: str) -> str:
    """Edits below the data model: duplicate keys, broken indentation, stray syntax."""
    lines = text.splitlines(keepends=True) or [""]
    op = draw(st.sampled_from(["dup-line", "drop-line", "insert", "truncate", "indent", "replace-char"]))
    i = draw(st.integers(0, len(lines) - 1))
    if op == "dup-line":
        lines.insert(i, lines[i])
    elif op == "drop-line":
        del lines[i]
    elif op == "insert":
        pos = draw(st.integers(0, len(lines[i])))
        lines[i] = lines[i][:pos] + draw(st.sampled_from(YAML_TOKENS + HOSTILE_STRINGS[:60])) + lines[i][pos:]
    elif op == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    elif op == "indent":
        lines[i] = draw(st.sampled_from(["  ", " ", "\t", ""])) + lines[i].lstrip(" ")
    else:
        if lines[i]:
            pos = draw(st.integers(0, len(lines[i]) - 1))
            lines[i] = lines[i][:pos] + draw(st.characters()) + lines[i][pos + 1 :]
    return "".join(lines)


def _encode(draw: st.DrawFn, text: str) -> bytes:
    how = draw(st.sampled_from(["utf-8"] * 12 + ["utf-8-sig", "utf-16", "latin-1", "flip"]))
    if how == "flip":
        raw = bytearray(text.encode("utf-8"))
        if raw:
            raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))
        return bytes(raw)
    return text.encode(how, errors="replace")


@st.composite
def mutated_spec(draw: st.DrawFn, seeds: list[Seed]) -> bytes:
    """A valid spec with one to four structural mutations, sometimes text-level damage on top."""
    seed = draw(st.sampled_from(seeds))
    data = copy.deepcopy(seed.data)
    if draw(st.booleans()):
        # Only text changes: the spec keeps its shape, so hostile strings reach the renderers.
        strings = [p for p in _paths(data) if isinstance(_get(data, p), str)]
        free = [p for p in strings if _free_text(p)]
        if free and draw(st.booleans()):
            strings = free
        for _ in range(draw(st.integers(1, 3))):
            path = draw(st.sampled_from(strings))
            _get(data, path[:-1])[path[-1]] = draw(hostile_text)
    else:
        for _ in range(draw(st.integers(1, 4))):
            data = _mutate(draw, data, seed)
    text = _dump(draw, data)
    if draw(st.integers(0, 3)) == 0:
        text = _mangle_text(draw, text)
    return _encode(draw, text)


@st.composite
def random_document(draw: st.DrawFn) -> bytes:
    """Anything from raw bytes to documents shaped like a spec's top level."""
    kind = draw(st.sampled_from(["bytes", "tokens", "value", "shaped"]))
    if kind == "bytes":
        return draw(st.binary(max_size=400))
    if kind == "tokens":
        return draw(st.lists(st.sampled_from(YAML_TOKENS), max_size=40).map("".join)).encode("utf-8")
    if kind == "value":
        return _dump(draw, draw(values)).encode("utf-8")
    top = {"version": draw(st.sampled_from([1, 1, 2, "1", None]))}
    for key in draw(
        st.lists(
            st.sampled_from(
                ["service", "severities", "metrics", "indicators", "alerts", "defaults", "groups", "prometheus"]
            ),
            unique=True,
            max_size=8,
        )
    ):
        top[key] = draw(values)
    return _dump(draw, top).encode("utf-8")


# --- running one input ----------------------------------------------------------------------------


@dataclass
class Tally:
    """What `make fuzz` reports; shared by every fuzz test of the session."""

    inputs: int = 0
    exit_ok: int = 0
    exit_invalid: int = 0
    tracebacks: int = 0
    partial_writes: int = 0
    hangs: int = 0
    promtool_files: int = 0
    kills: int = 0
    kills_old: int = 0
    kills_new: int = 0
    kills_writing: int = 0  # the staging tree existed when the kill was sent

    def add(self, other: dict[str, int]) -> None:
        for key, value in other.items():
            setattr(self, key, getattr(self, key) + value)

    def line(self) -> str:
        return (
            f"fuzz: inputs={self.inputs:,} exit-0={self.exit_ok:,} exit-2={self.exit_invalid:,} "
            f"tracebacks={self.tracebacks} partial-writes={self.partial_writes} hangs={self.hangs} "
            f"promtool-checked-files={self.promtool_files:,} kills={self.kills} "
            f"(during the write {self.kills_writing}; left the old tree {self.kills_old}, the new {self.kills_new})"
        )


TALLY = Tally()

HEAD = re.compile(r"^(?P<file>[^\n]+?):(?P<line>\d+):(?P<col>\d+): (?:error|warning) \[[a-z0-9-]+/[a-z0-9-]+\] \S")
SENTINEL = {"README.txt": b"from an earlier run\n", "old/prometheus/rules.yml": b"groups: []\n"}
MAX_MESSAGE = 1500  # a diagnostic line never echoes a whole hostile value
# Files of out/ proven by a real tool after the test's examples ran: name -> promtool arguments.
OUTPUT_CHECKS: dict[str, list[str]] = {
    "rules.yml": ["check", "rules"],
    "prometheus.yml": ["check", "config", "--syntax-only"],
}


class Hang(Exception):
    """Raised by the per-input alarm: the input took longer than DEADLINE_SECONDS."""


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: Any) -> None:
        raise Hang(f"no result after {seconds:.0f}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def tree(root: Path) -> dict[str, bytes]:
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def scratch_root() -> Path:
    """Scratch space on tmpfs when there is one: fsync there is free, so inputs run fast."""
    shm = Path("/dev/shm")
    base = shm if shm.is_dir() and os.access(shm, os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix="monspec-fuzz-", dir=base))


@dataclass
class Arena:
    """One fuzz test's scratch directory: specs, an out/ with a sentinel tree, and the tool batch."""

    root: Path
    batch: list[tuple[Path, str]] = field(default_factory=list)  # (output dir, spec text)
    seen: set[str] = field(default_factory=set)

    def run(self, specs: list[bytes], fmt: str) -> int:
        TALLY.inputs += 1
        work = self.root / "work"
        shutil.rmtree(work, ignore_errors=True)
        (work / "specs").mkdir(parents=True)
        out = work / "run" / "out"
        for rel, data in SENTINEL.items():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            (out / rel).write_bytes(data)
        paths = []
        for i, data in enumerate(specs):
            p = work / "specs" / f"spec{i}.yml"
            p.write_bytes(data)
            paths.append(str(p))
        runner = CliRunner()
        try:
            with deadline(DEADLINE_SECONDS):
                result = runner.invoke(
                    main, ["generate", "--format", fmt, *paths, "--out", str(out)], env={"MONSPEC_DEBUG": "1"}
                )
        except Hang:
            TALLY.hangs += 1
            raise
        if isinstance(result.exception, Hang):
            TALLY.hangs += 1
            raise result.exception
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            TALLY.tracebacks += 1
            assert result.exc_info is not None
            trace = "".join(traceback.format_exception(*result.exc_info))
            raise AssertionError(f"monspec crashed:\n{trace}")
        code = result.exit_code
        siblings = sorted(os.listdir(out.parent))
        if code == 2:
            TALLY.exit_invalid += 1
            if tree(out) != SENTINEL or siblings != ["out"]:
                TALLY.partial_writes += 1
                raise AssertionError(f"a rejected spec touched out/: {sorted(tree(out))}, beside it {siblings}")
            # Machine formats are the result (standard output); human diagnostics are messages (standard error).
            self._check_diagnostics(result.stderr if fmt == "human" else result.stdout, fmt, paths)
            return code
        if code != 0:
            TALLY.tracebacks += 1
            raise AssertionError(f"exit {code}, expected 0 or 2:\n{result.stderr}")
        TALLY.exit_ok += 1
        written = tree(out)
        wrote = re.search(r"wrote (\d+) files", result.stderr)  # a status line: standard error, in every format
        if siblings != ["out"] or set(SENTINEL) & set(written) or not wrote or int(wrote.group(1)) != len(written):
            TALLY.partial_writes += 1
            raise AssertionError(f"out/ is not one complete new tree: {sorted(written)}, beside it {siblings}")
        self._check_outputs(out, written)
        digest = hashlib.sha256(json.dumps(sorted((k, v.hex()) for k, v in written.items())).encode()).hexdigest()
        if digest not in self.seen:
            self.seen.add(digest)
            keep = self.root / "batch" / digest[:16]
            shutil.copytree(out, keep)
            self.batch.append((keep, "\n---\n".join(s.decode("utf-8", "replace") for s in specs)))
        return code

    @staticmethod
    def _check_diagnostics(stream: str, fmt: str, paths: list[str]) -> None:
        assert stream.strip(), "exit 2 without a message"
        if fmt == "json":
            items = json.loads(stream)
            assert items and any(i["severity"] == "error" for i in items), stream
            for i in items:
                assert i["file"] in paths and isinstance(i["line"], int) and i["line"] >= 1, i
                assert len(i["message"]) <= MAX_MESSAGE, i["message"][:200]
            return
        lines = stream.splitlines()
        heads = [m for m in (HEAD.match(line) for line in lines) if m]
        assert heads, f"no positioned diagnostic in:\n{stream[:2000]}"
        first_line = lines[0]
        assert HEAD.match(first_line), f"the first line is not a positioned diagnostic: {first_line[:300]!r}"
        for m in heads:
            assert m.group("file") in paths, m.group(0)
        for line in lines:
            assert len(line) <= MAX_MESSAGE or fmt == "human", f"message of {len(line)} characters: {line[:200]}"

    @staticmethod
    def _check_outputs(out: Path, written: dict[str, bytes]) -> None:
        services = {rel.split("/", 1)[0] for rel in written}
        for svc in services:
            for need in ("prometheus/rules.yml", "prometheus/prometheus.yml"):
                assert f"{svc}/{need}" in written, f"{svc}/{need} missing from a complete tree"
        for rel, data in written.items():
            text = data.decode("utf-8")
            if rel.endswith((".yml", ".yaml")):
                doc = yaml.load(text, Loader=_LOADER)
                if rel.endswith("/rules.yml"):
                    for group in doc["groups"]:
                        for rule in group["rules"]:
                            parse_promql(rule["expr"])
            elif rel.endswith(".json"):
                json.loads(text)

    def prove(self, promtool: str, tests_sample: int) -> None:
        """The real tools over everything this test generated (distinct trees), in a few batches."""
        for name, args in OUTPUT_CHECKS.items():
            files = [(p, spec) for keep, spec in self.batch for p in sorted(keep.rglob(name))]
            for start in range(0, len(files), 200):
                chunk = files[start : start + 200]
                proc = subprocess.run(
                    [promtool, *args, *(str(p) for p, _ in chunk)],
                    capture_output=True,
                    text=True,
                    check=False,
                    timeout=600,
                )
                TALLY.promtool_files += len(chunk)
                if proc.returncode != 0:
                    raise AssertionError(_blame(proc.stdout + proc.stderr, chunk))
        tests = [(p, spec) for keep, spec in self.batch for p in sorted(keep.rglob("rules*.test.yml"))]
        for path, spec in tests[:tests_sample]:
            proc = subprocess.run(
                [promtool, "test", "rules", path.name], cwd=path.parent, capture_output=True, text=True, check=False
            )
            TALLY.promtool_files += 1
            if proc.returncode != 0:
                raise AssertionError(f"promtool test rules failed:\n{proc.stdout[-3000:]}\nspec:\n{spec[:5000]}")


def _blame(output: str, chunk: list[tuple[Path, str]]) -> str:
    bad = [
        spec
        for p, spec in chunk
        if re.search(rf"Checking {re.escape(str(p))}\n\s+FAILED|^{re.escape(str(p))}: ", output, re.M)
    ]
    shown = bad[0] if bad else "(could not tell which)"
    failures = "\n".join(line for line in output.splitlines() if "FAILED" in line or ": group " in line)
    return f"promtool rejected generated output:\n{failures[-4000:]}\nfirst failing spec:\n{shown[:6000]}"


def cleanup(arena: Arena) -> None:
    shutil.rmtree(arena.root, ignore_errors=True)
