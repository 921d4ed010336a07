"""The `monspec` command: a thin layer over compile_specs(); formatting of diagnostics lives only here."""

from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from generator import __version__
from generator.diagnostics import Diagnostic, Severity
from generator.model.output import PROFILES

F = TypeVar("F", bound=Callable[..., Any])
EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_INTERNAL = 0, 1, 2, 3
FRAME_WIDTH = 160  # characters of a source line shown under a diagnostic


def _frame(diag: Diagnostic) -> str:
    span = diag.span
    if span is None:
        return ""
    try:
        text = Path(span.file).read_text("utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    if not 1 <= span.line <= len(text):
        return ""
    line = text[span.line - 1]
    width = max(1, (span.end_col - span.col) if span.end_line == span.line else len(line) - span.col + 1)
    col = span.col
    if len(line) > FRAME_WIDTH:  # a window around the column, not a whole minified line
        start = max(0, col - 1 - FRAME_WIDTH // 4)
        lead = "..." if start else ""
        tail = "..." if start + FRAME_WIDTH < len(line) else ""
        line = lead + line[start : start + FRAME_WIDTH] + tail
        col = col - start + len(lead)
        width = max(1, min(width, FRAME_WIDTH - (col - 1 - len(lead))))
    gutter = f"{span.line:>4} | "
    return f"{gutter}{line}\n{' ' * (len(gutter) - 2)}| {' ' * (col - 1)}{'^' * width}\n"


def format_diagnostic(diag: Diagnostic, fmt: str) -> str:
    where = f"{diag.span}: " if diag.span else ""
    head = f"{where}{diag.severity} [{diag.code}] {diag.message}"
    if fmt == "parsable":
        return head + (f" (hint: {diag.hint})" if diag.hint else "") + "\n"
    out = head + "\n" + _frame(diag)
    if diag.hint:
        out += f"     = hint: {diag.hint}\n"
    return out


def report(diagnostics: list[Diagnostic], fmt: str, err: bool | None = None) -> None:
    """Diagnostics in FMT: the machine formats (parsable, json) on standard output, so `> report.json`
    captures them whole; the human format, and the count line after the others, on standard error."""
    machine_err = fmt == "human" if err is None else err
    if fmt == "json":
        click.echo(json.dumps([_as_json(d) for d in diagnostics], indent=2), err=machine_err)
        return
    for d in diagnostics:
        click.echo(format_diagnostic(d, fmt), err=machine_err, nl=False)
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
    if diagnostics:
        click.echo(f"{errors} error(s), {warnings} warning(s)", err=True)


def _as_json(d: Diagnostic) -> dict[str, Any]:
    return {
        "file": d.span.file if d.span else None,
        "line": d.span.line if d.span else None,
        "column": d.span.col if d.span else None,
        "end_line": d.span.end_line if d.span else None,
        "end_column": d.span.end_col if d.span else None,
        "severity": str(d.severity),
        "code": d.code,
        "message": d.message,
        "hint": d.hint,
    }


def status(message: str, quiet: bool) -> None:
    """A human message about what a command did (never a result): standard error, silenced by --quiet."""
    if not quiet:
        click.echo(message, err=True)


def handle_errors(fn: F) -> F:
    """One place that turns unexpected failures into exit 2 with a message, never a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except OSError as exc:
            click.echo(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), err=True)
            sys.exit(EXIT_INVALID)
        except Exception as exc:
            # A bug in monspec, not in the spec: say so in one line (MONSPEC_DEBUG=1 shows where).
            if os.environ.get("MONSPEC_DEBUG"):
                raise
            click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
            click.echo("this is a monspec bug; rerun with MONSPEC_DEBUG=1 and report the output", err=True)
            sys.exit(EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


def spec_options(fn: F) -> F:
    fn = click.argument("specs", nargs=-1, required=True, type=click.Path(path_type=Path))(fn)
    fn = click.option(
        "--format",
        "fmt",
        type=click.Choice(["human", "parsable", "json"]),
        default="human",
        show_default=True,
        help="How diagnostics are printed: human (standard error), parsable or json (standard output).",
    )(fn)
    return fn


def quiet_option(fn: F) -> F:
    return click.option(
        "-q", "--quiet", is_flag=True, help="Print only diagnostics: no summary or status line (for hooks)."
    )(fn)


def spec_files(specs: tuple[Path, ...]) -> list[Path]:
    """SPECS as files: a directory stands for its *.yml and *.yaml files (not its subdirectories), sorted.

    A pre-commit hook or a CI step can then name the specs of a repository without a shell glob.
    """
    files: list[Path] = []
    for p in specs:
        if not p.is_dir():
            files.append(p)
            continue
        found = sorted(f for f in p.iterdir() if f.suffix in (".yml", ".yaml") and f.is_file())
        if not found:
            raise click.UsageError(f"no *.yml or *.yaml spec in directory {p}")
        files.extend(found)
    return files


def _compile(
    specs: tuple[Path, ...],
    fmt: str,
    render: bool = True,
    dot: str | None = None,
    profiles: tuple[str, ...] | None = None,
) -> Any:
    from generator.compile import compile_specs

    missing = [p for p in specs if not p.is_file() and not p.is_dir()]
    if missing:
        raise click.UsageError(f"no such spec file: {missing[0]}")
    # A one-shot run allocates millions of small objects that form no cycles; the cyclic collector's
    # passes over them cost more than the compilation itself at 10,000 indicators (7 s of 16 s).
    gc.disable()
    result = compile_specs(spec_files(specs), render=render, dot=dot, profiles=profiles)
    report(result.diagnostics, fmt)
    if not result.ok:
        sys.exit(EXIT_INVALID)
    return result


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="monspec")
def main() -> None:
    """Compile monitoring specs into Prometheus rules and their tests, Alertmanager routing and server config."""


@main.command()
@spec_options
@quiet_option
@handle_errors
def validate(specs: tuple[Path, ...], fmt: str, quiet: bool) -> None:
    """Check SPECS (schema and semantics) without writing anything."""
    result = _compile(specs, fmt, render=False)
    files = len(spec_files(specs))
    indicators = sum(len(m.indicators) for m in result.models)
    alerts = sum(len(m.alert_rules()) for m in result.models)
    warnings = sum(d.severity is Severity.WARNING for d in result.diagnostics)
    status(f"{files} spec file(s) valid: {indicators} indicator(s), {alerts} alert(s), {warnings} warning(s)", quiet)


@main.command()
@spec_options
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Output directory, replaced as a whole.",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 with a diff if OUT is not what SPECS generate.")
@click.option("--svg", is_flag=True, help="Also render each routes.dot to routes.svg (needs Graphviz `dot`).")
@click.option(
    "--target",
    "targets",
    multiple=True,
    type=click.Choice(list(PROFILES)),
    help="Output profile to write (repeatable); replaces every spec's output.profiles (default: the spec's, or files).",
)
@quiet_option
@handle_errors
def generate(
    specs: tuple[Path, ...],
    fmt: str,
    out_dir: Path,
    check: bool,
    svg: bool,
    targets: tuple[str, ...],
    quiet: bool,
) -> None:
    """Generate every output of SPECS into OUT (atomically), or --check that OUT is current."""
    from generator.graphviz import GraphvizError
    from generator.write import diff_tree, write_tree

    try:
        result = _compile(specs, fmt, dot=_dot() if svg else None, profiles=targets or None)
    except GraphvizError as exc:
        click.echo(f"error: dot -Tsvg failed: {exc}", err=True)
        sys.exit(EXIT_FAILED)
    if check:
        diff = diff_tree(out_dir, result.files)
        if diff:
            # The diff is the result (standard output), unless --format json keeps standard output for JSON.
            click.echo("".join(diff), nl=False, err=fmt == "json")
            click.echo(f"{out_dir} is stale: run `monspec generate` and commit the result", err=True)
            sys.exit(EXIT_FAILED)
        status(f"{out_dir} is current ({len(result.files)} files)", quiet)
        return
    write_tree(out_dir, result.files)
    status(f"wrote {len(result.files)} files to {out_dir}", quiet)


def _dot() -> str:
    from generator.graphviz import find_dot

    dot = find_dot()
    if dot is None:
        raise click.UsageError("--svg needs Graphviz's `dot` on PATH (apt-get install graphviz)")
    return dot


@main.command("scan-secrets")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@handle_errors
def scan_secrets(directory: Path) -> None:
    """Exit 1 when a file under DIRECTORY holds a credential (token, key, password, webhook URL).

    Generated files must read secrets from files or the environment; see generator/secrets.py
    for what is recognised. The secret itself is never printed.
    """
    from generator.secrets import scan_tree

    findings = scan_tree(directory)
    for finding in findings:
        click.echo(str(finding))
    if findings:
        click.echo(f"{len(findings)} secret(s) found under {directory}", err=True)
        sys.exit(EXIT_FAILED)
    click.echo(f"no secrets found under {directory}", err=True)


def _tool(name: str, given: str | None) -> str:
    import shutil

    path = given or shutil.which(name)
    if not path:
        raise click.UsageError(f"{name} not found on PATH (install Debian's prometheus package or pass --{name})")
    return path


@main.command()
@spec_options
@click.option("--promtool", "promtool_path", help="promtool binary (default: from PATH).")
@click.option("--amtool", "amtool_path", help="amtool binary (default: from PATH).")
@handle_errors
def test(specs: tuple[Path, ...], fmt: str, promtool_path: str | None, amtool_path: str | None) -> None:
    """Generate SPECS into a scratch directory and prove the output with promtool and amtool.

    Runs `promtool check rules`, `promtool check config --syntax-only` and `promtool test rules`,
    then `amtool check-config` and `amtool config routes test` for every row of the routing
    table, over what would be written; exit 1 when any of them fails.
    """
    import subprocess
    import tempfile

    from generator import conventions as conv
    from generator.write import write_tree

    promtool = _tool("promtool", promtool_path)
    amtool = _tool("amtool", amtool_path)
    result = _compile(specs, fmt)
    failed = False
    with tempfile.TemporaryDirectory(prefix="monspec-test-") as tmp:
        root = Path(tmp) / "out"
        write_tree(root, result.files)
        for model in result.models:
            name = model.service.name
            steps = [
                ["check", "rules", conv.rules_path(name)],
                ["check", "config", "--syntax-only", conv.prometheus_config_path(name)],
            ]
            steps += [
                ["test", "rules", p]
                for p in (
                    conv.rules_test_path(name),
                    conv.rules_long_test_path(name),
                    *(conv.objective_test_path(name, o.key) for o in model.objectives),
                )
                if (root / p).is_file()
            ]
            for step in steps:
                proc = subprocess.run([promtool, *step], cwd=root, capture_output=True, text=True, check=False)
                status = "ok" if proc.returncode == 0 else "FAILED"
                click.echo(f"{status:>6}  promtool {' '.join(step)}")
                if proc.returncode != 0:
                    failed = True
                    click.echo((proc.stdout + proc.stderr).rstrip(), err=True)
            if model.routing is not None:
                failed = _routes_test(amtool, root, name) or failed
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


def _routes_test(amtool: str, root: Path, service: str) -> bool:
    """amtool over the generated Alertmanager config and its routing table; True when anything failed."""
    import subprocess

    import yaml

    from generator import conventions as conv
    from generator.model.promql import quote

    config = root / conv.alertmanager_config_path(service)
    proc = subprocess.run([amtool, "check-config", str(config)], capture_output=True, text=True, check=False)
    click.echo(f"{'ok' if proc.returncode == 0 else 'FAILED':>6}  amtool check-config {config.relative_to(root)}")
    failed = proc.returncode != 0
    if failed:
        click.echo((proc.stdout + proc.stderr).rstrip(), err=True)
    table = yaml.safe_load((root / conv.routes_test_path(service)).read_text())
    bad = 0
    for row in table["tests"]:
        labels = [f"{k}={quote(v)}" for k, v in row["labels"].items()]
        verify = "--verify.receivers=" + ",".join(row["receivers"])
        run = subprocess.run(
            [amtool, "config", "routes", "test", f"--config.file={config}", verify, *labels],
            capture_output=True,
            text=True,
            check=False,
        )
        if run.returncode != 0:
            bad += 1
            click.echo(f"routing table row '{row['name']}': {run.stdout.strip()}", err=True)
    status = "ok" if bad == 0 else "FAILED"
    click.echo(f"{status:>6}  amtool config routes test: {len(table['tests']) - bad}/{len(table['tests'])} rows")
    return failed or bad > 0


@main.command()
@click.argument("base")
@click.argument("head")
@click.argument("paths", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@click.option("--fail-on-weakening", is_flag=True, help="Exit 1 when a change weakens detection.")
@handle_errors
def diff(base: str, head: str, paths: tuple[str, ...], fmt: str, fail_on_weakening: bool) -> None:
    """What changes between BASE and HEAD: alerts, routing, dashboards, logs and objectives.

    BASE and HEAD are each a spec file, a folder of specs, an out/ tree or a git revision. For a
    revision, PATHS (default: out) are the specs or out/ trees read at that revision. Changes that
    weaken detection (a threshold moved away from firing, a longer `for`, a removed alert, a dropped
    receiver...) are flagged.
    """
    from generator.review import compare, sides
    from generator.review import report as review

    try:
        old = sides.load(base, paths, Path.cwd())
        new = sides.load(head, paths, Path.cwd())
    except sides.SideError as exc:
        report(exc.diagnostics, "human")
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_INVALID)
    changes = compare.compare(old.facts, new.facts)
    render = review.as_json if fmt == "json" else review.as_markdown
    click.echo(render(old.label, new.label, changes), nl=False)
    if fail_on_weakening and any(c.weakens for c in changes):
        sys.exit(EXIT_FAILED)


@main.command()
@click.argument("specs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--prometheus", "url", required=True, help="Base URL of the Prometheus that holds the history.")
@click.option("--from", "start", default="-7d", show_default=True, help="Start: now, -7d, RFC 3339 or unix seconds.")
@click.option("--to", "end", default="now", show_default=True, help="End, in the same forms.")
@click.option("--base", "base", multiple=True, type=click.Path(path_type=Path), help="The spec(s) before the change.")
@click.option(
    "--records",
    type=click.Choice(["inline", "stored"]),
    default="inline",
    show_default=True,
    help="inline: recording rules are replaced by their expressions; stored: read the series Prometheus recorded.",
)
@click.option("--timeout", "timeout", default="60s", show_default=True, help="Per-query time-out.")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@click.option("--quiet", is_flag=True, help="No progress on standard error.")
@handle_errors
def backtest(
    specs: tuple[Path, ...],
    url: str,
    start: str,
    end: str,
    base: tuple[Path, ...],
    records: str,
    timeout: str,
    fmt: str,
    quiet: bool,
) -> None:
    """How often the alerts of SPECS would have fired and notified over a stretch of real history.

    Runs each generated alert's expression as a range query at its rule group's interval against
    Prometheus, replays `for` and `keep_firing_for`, and sends what fires through the routing
    model (grouping, group intervals, inhibition). With --base, old and new side by side.
    """
    from generator.backtest import api, report, run
    from generator.backtest.times import parse_time
    from generator.model.durations import parse_duration

    try:
        t0, t1 = parse_time(start), parse_time(end)
        limit = parse_duration(timeout) / 1000
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if t0 >= t1:
        raise click.BadParameter(f"--from ({start}) must be before --to ({end})")
    say = None if quiet else (lambda line: click.echo(f"backtest: {line}", err=True))
    prom = api.Prometheus(url, timeout_s=limit, progress=say)

    def one(paths: tuple[Path, ...]) -> run.Outcome:
        result = _compile(paths, "human")
        return run.run(result.models, result.files, prom, t0, t1, inline=records == "inline", progress=say)

    try:
        head = one(specs)
        before = one(base) if base else None
    except api.PrometheusError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_FAILED)
    click.echo(report.as_json(head, before) if fmt == "json" else report.as_markdown(head, before), nl=False)


@main.command(name="import")
@click.argument("rules", nargs=-1, type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--openslo",
    "openslo",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="OpenSLO v1 file of SLO (and SLI) documents to turn into monspec objectives.",
)
@click.option(
    "--alertmanager",
    "alertmanager",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="An alertmanager.yml whose receivers, routes and inhibit rules become the spec's routing section.",
)
@click.option("--service", "service", help="service.name of the spec (default: from the rules, else the first file).")
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the spec here (default: stdout).",
)
@handle_errors
def import_(
    rules: tuple[Path, ...], openslo: Path | None, alertmanager: Path | None, service: str | None, output: Path | None
) -> None:
    """Turn Prometheus rule files RULES (or --openslo FILE) into a monspec spec to review and commit.

    Prints what the spec language cannot keep in the spec's header, checks that the spec is
    valid, and regenerates its rules to prove them equivalent to RULES.
    """
    from generator.importers import cli_import

    if alertmanager is not None and not rules:
        raise click.UsageError("--alertmanager goes with the rule files whose alerts it routes")
    if bool(rules) == bool(openslo):
        raise click.UsageError("give either rule files or --openslo FILE (one kind of input per run)")
    try:
        if openslo is not None:
            done = cli_import.openslo(openslo, output)
        else:
            done = cli_import.rules(list(rules), service, output, alertmanager)
    except cli_import.ImportFailed as exc:
        report(exc.diagnostics, "parsable", err=True)
        for line in exc.lines:
            click.echo(line, err=True)
        sys.exit(EXIT_INVALID)
    for warning in done.warnings:
        click.echo(f"warning: {warning}", err=True)
    if output is None:
        click.echo(done.text, nl=False)
        return
    output.write_text(done.text, "utf-8")
    click.echo(f"wrote {output} ({done.summary})", err=True)


if __name__ == "__main__":
    main()
