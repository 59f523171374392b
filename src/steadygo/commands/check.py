"""``steadygo check [PATH...]``: audit a Go service tree."""

from __future__ import annotations

import os
import sys
import time

from steadygo import config as config_mod
from steadygo import registry
from steadygo.engine import ScanResult, scan
from steadygo.errors import UserError
from steadygo.findings import Severity
from steadygo.fsutil import write_atomic
from steadygo.golang.module import parse_version


def add_parser(sub, name):
    p = sub.add_parser(
        name,
        help="audit Go source for production breakpoints",
        description="Audit a Go service tree. Exit codes: 0 no finding at or above --fail-on, "
        "1 findings at or above it, 2 usage, config or input-path error.",
    )
    add_scan_options(p)
    p.add_argument("--format", action="append", default=[], metavar="FMT[=FILE]",
                   help="output format(s): text, json, sarif, github, junit, markdown, html; comma-separated or "
                        "repeated; FMT=FILE writes that format to FILE")
    p.add_argument("-o", "--output", help="write the (non-text) report to this file, atomically")
    p.add_argument("--fail-on", choices=("info", "warning", "error"), help="lowest severity that fails the run (default: warning)")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings (report-only runs)")
    p.add_argument("--no-suppressions", action="store_true", help="ignore steadygo:ignore comments and show everything")
    p.add_argument("--show-suppressed", action="store_true", help="list suppressed findings in the text report")
    p.add_argument("--baseline", metavar="FILE",
                   help="hide findings recorded in this baseline (see 'steadygo baseline create') and count the fixed ones")
    p.add_argument("--new-from-rev", metavar="REV",
                   help="report only findings on lines changed since git revision REV (working tree and untracked files included)")
    p.add_argument("--runtime", action="append", default=[], metavar="FILE",
                   help="runtime evidence: JSON from 'steadygo goroutines --format json'; drawn in the HTML report, "
                        "its findings join the run (repeatable)")
    p.add_argument("--no-progress", action="store_true", help="never draw a progress bar")
    return p


def add_scan_options(p) -> None:
    """What decides which findings a scan produces; shared with 'baseline create'
    so a baseline is made with the same selection the check will use."""
    p.add_argument("paths", nargs="*", default=["."], help="files or directories (default: .)")
    p.add_argument("--config", help="path to .steadygo.toml (default: closest one above the first path)")
    p.add_argument("--isolated", action="store_true", help="ignore every config file")
    p.add_argument("--select", help="comma-separated rule ids, names or prefixes to run (replaces config)")
    p.add_argument("--ignore", help="comma-separated rules to skip (added to config)")
    p.add_argument("--extend-select", help="comma-separated rules to add to the selection")
    p.add_argument("--preview", action="store_true", help="also run preview rules")
    p.add_argument("--include-tests", action="store_true", help="also analyse _test.go files")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the result cache")
    p.add_argument("--jobs", type=int, help="worker processes (default: number of cores)")
    p.add_argument("--go", metavar="VERSION", help="Go version to assume instead of go.mod's go directive (e.g. 1.22)")


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def load_config(args) -> config_mod.Config:
    if args.isolated:
        cfg = config_mod.Config()
    else:
        path = args.config or config_mod.find_config(args.paths[0] if args.paths else ".")
        cfg = config_mod.load(path)
    try:
        if args.select:
            cfg.select = config_mod._rule_list("--select", "value", _split(args.select))
        if args.ignore:
            cfg.ignore = cfg.ignore + config_mod._rule_list("--ignore", "value", _split(args.ignore))
        if args.extend_select:
            cfg.extend_select = cfg.extend_select + config_mod._rule_list("--extend-select", "value", _split(args.extend_select))
    except UserError as exc:
        raise UserError(str(exc).replace("--select: value: ", "--select: ").replace("--ignore: value: ", "--ignore: ")
                        .replace("--extend-select: value: ", "--extend-select: ")) from None
    if args.preview:
        cfg.preview = True
    if getattr(args, "fail_on", None):
        cfg.fail_on = Severity.parse(args.fail_on)
    if args.include_tests:
        cfg.include_tests = True
    if args.go:
        try:
            cfg.go_version = parse_version(args.go)
        except ValueError as exc:
            raise UserError(f"--go: {exc}") from None
    return cfg


def parse_formats(args, known: dict) -> list[tuple[str, str | None]]:
    entries: list[tuple[str, str | None]] = []
    for raw in args.format or ["text"]:
        for item in _split(raw):
            name, _, path = item.partition("=")
            if name not in known:
                raise UserError(f"--format: unknown format {name!r} (known: {', '.join(sorted(known))})")
            entries.append((name, path or None))
    if args.output:
        free = [i for i, (n, p) in enumerate(entries) if p is None]
        machine = [i for i in free if entries[i][0] != "text"] or free
        if not machine:
            raise UserError("-o/--output given but every format already has its own file")
        i = machine[0]
        entries[i] = (entries[i][0], args.output)
    return entries


class _Progress:
    """A progress bar on stderr, drawn only on a terminal and only once a scan
    has taken more than a second."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.start = time.monotonic()
        self.bar = None
        self.task = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if time.monotonic() - self.start < 1.0:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.bar = Progress(TextColumn("scanning packages"), BarColumn(), MofNCompleteColumn(),
                                console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("scan", total=total)
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def exit_code_for(result: ScanResult, cfg, exit_zero: bool) -> int:
    if any(d.level == "error" for d in result.diagnostics):
        return 2
    if exit_zero:
        return 0
    return 1 if result.failing(cfg.fail_on) else 0


def _check_writable(path: str) -> None:
    """Fail before a long scan, not after it, when a report cannot be written."""
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise UserError(f"{path}: cannot write report: is a directory")
    if not os.path.isdir(directory):
        raise UserError(f"{path}: cannot write report: directory {directory} does not exist")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise UserError(f"{path}: cannot write report: directory {directory} is not writable")


def _with_github_annotations(formats: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    """In GitHub Actions, annotations come for free alongside the text report,
    unless stdout already carries a machine format they would corrupt."""
    if os.environ.get("GITHUB_ACTIONS") != "true" or any(n == "github" for n, _ in formats):
        return formats
    if any(p is None and n != "text" for n, p in formats):
        return formats
    return formats + [("github", None)]


def run(args) -> int:
    from steadygo import baseline as baseline_mod
    from steadygo import changed_lines
    from steadygo.report import RunReport, evidence, reporters

    known = reporters()
    cfg = load_config(args)
    formats = _with_github_annotations(parse_formats(args, known))
    for _, path in formats:
        if path is not None:
            _check_writable(path)
    base = os.getcwd()
    bl = baseline_mod.load(args.baseline) if args.baseline else None
    changed = changed_lines.since(args.new_from_rev, base) if args.new_from_rev else None
    runtime_docs = [evidence.load(p) for p in args.runtime]
    extra = [f for doc in runtime_docs for f in evidence.findings(doc)]
    enabled = cfg.enabled_rule_ids()
    progress = _Progress(sys.stderr.isatty() and not args.no_progress)
    try:
        result = scan(args.paths, cfg, use_cache=not args.no_cache, jobs=args.jobs, progress=progress, base=base,
                      baseline=(lambda fs: bl.apply(fs, enabled, mark=not args.no_suppressions)) if bl else None,
                      changed=(lambda fs: changed.filter(fs, base)) if changed is not None else None,
                      extra=extra, suppressions=not args.no_suppressions)
    finally:
        progress.close()
    code = exit_code_for(result, cfg, args.exit_zero)
    notes = []
    if bl is not None:
        notes.append(bl.summary() + ("; shown anyway (--no-suppressions)" if args.no_suppressions else ""))
    if changed is not None:
        notes.append(f"only lines changed since {args.new_from_rev} are reported")
    for d in result.diagnostics:
        print(f"steadygo: {d.level}: {d.line()}", file=sys.stderr)
    for name, path in formats:
        rep = RunReport(result, cfg, code, color=(path is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")),
                        show_suppressed=args.show_suppressed, notes=notes, base=base, baseline=bl,
                        new_from_rev=args.new_from_rev, runtime=runtime_docs)
        text = known[name]().render(rep)
        if path is None:
            sys.stdout.write(text)
        else:
            try:
                write_atomic(path, text)
            except OSError as exc:
                raise UserError(f"{path}: cannot write report: {exc.strerror or exc}") from None
    return code


__all__ = ["add_parser", "add_scan_options", "run", "load_config", "exit_code_for", "registry"]
