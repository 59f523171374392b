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
    p.add_argument("paths", nargs="*", default=["."], help="files or directories (default: .)")
    p.add_argument("--config", help="path to .steadygo.toml (default: closest one above the first path)")
    p.add_argument("--isolated", action="store_true", help="ignore every config file")
    p.add_argument("--format", action="append", default=[], metavar="FMT[=FILE]",
                   help="output format(s): text, json; comma-separated or repeated; FMT=FILE writes that format to FILE")
    p.add_argument("-o", "--output", help="write the (non-text) report to this file, atomically")
    p.add_argument("--select", help="comma-separated rule ids, names or prefixes to run (replaces config)")
    p.add_argument("--ignore", help="comma-separated rules to skip (added to config)")
    p.add_argument("--extend-select", help="comma-separated rules to add to the selection")
    p.add_argument("--preview", action="store_true", help="also run preview rules")
    p.add_argument("--fail-on", choices=("info", "warning", "error"), help="lowest severity that fails the run (default: warning)")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings (report-only runs)")
    p.add_argument("--include-tests", action="store_true", help="also analyse _test.go files")
    p.add_argument("--no-suppressions", action="store_true", help="ignore steadygo:ignore comments and show everything")
    p.add_argument("--show-suppressed", action="store_true", help="list suppressed findings in the text report")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the result cache")
    p.add_argument("--jobs", type=int, help="worker processes (default: number of cores)")
    p.add_argument("--go", metavar="VERSION", help="Go version to assume instead of go.mod's go directive (e.g. 1.22)")
    p.add_argument("--no-progress", action="store_true", help="never draw a progress bar")
    return p


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
    if args.fail_on:
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


def run(args) -> int:
    from steadygo.report import RunReport, reporters

    known = reporters()
    cfg = load_config(args)
    formats = parse_formats(args, known)
    progress = _Progress(sys.stderr.isatty() and not args.no_progress)
    try:
        result = scan(args.paths, cfg, use_cache=not args.no_cache, jobs=args.jobs, progress=progress)
    finally:
        progress.close()
    if args.no_suppressions:
        result.findings = [f.with_(suppressed=None) for f in result.findings]
    code = exit_code_for(result, cfg, args.exit_zero)
    for d in result.diagnostics:
        print(f"steadygo: {d.level}: {d.line()}", file=sys.stderr)
    for name, path in formats:
        rep = RunReport(result, cfg, code, color=(path is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")),
                        show_suppressed=args.show_suppressed)
        text = known[name]().render(rep)
        if path is None:
            sys.stdout.write(text)
        else:
            try:
                write_atomic(path, text)
            except OSError as exc:
                raise UserError(f"{path}: cannot write report: {exc.strerror}") from None
    return code


__all__ = ["add_parser", "run", "load_config", "exit_code_for", "registry"]
