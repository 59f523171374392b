"""``steadygo check [PATH...]``: audit a Go service tree.

The command receives the resolved ``Config`` (see ``config.resolve``): every
flag and config key has already been merged and validated there."""

from __future__ import annotations

import os
import sys
import time

from steadygo.config import Config, Output
from steadygo.engine import ScanResult, scan
from steadygo.findings import exit_code
from steadygo.errors import UserError
from steadygo.fsutil import write_atomic, write_problem


def add_parser(sub, name):
    p = sub.add_parser(
        name,
        help="audit Go source for production breakpoints",
        description="Audit a Go service tree. Exit codes: 0 no finding at or above --fail-on, "
        "1 findings at or above it, 2 usage, config or input-path error.",
    )
    add_scan_options(p)
    p.add_argument("--format", action="append", default=[], metavar="FMT[=FILE]",
                   help="output format(s): text, concise, json, sarif, github, junit, markdown, html; comma-separated or "
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
                   help="older name of --evidence (a runtime command's JSON report is joined the same way); "
                        "also reads the bare goroutine analysis of earlier versions, drawn in the HTML report "
                        "with its findings listed (repeatable)")
    p.add_argument("--evidence", action="append", default=[], metavar="FILE",
                   help="live evidence: the JSON report of probe, shutdown-test, chaos, goroutines, heap, gctrace, "
                        "memstats or metrics; static findings it confirms are marked proved live (and raised one "
                        "severity level), those its checks found no sign of are marked contradicted; its own "
                        "findings join the run (repeatable; docs/evidence.md)")
    p.add_argument("--docs-url", metavar="TEMPLATE",
                   help="where your team hosts the rule docs, with {id} for the rule id "
                        "(e.g. https://wiki.example.internal/steadygo/{id}.html); SARIF and HTML reports link there "
                        "(default: docs-url in .steadygo.toml, else no links; '' for no links)")
    p.add_argument("--no-progress", action="store_true", help="never draw a progress bar")
    p.add_argument("--sort", choices=("file", "severity", "rule"), help="order of the text and concise reports "
                   "(default: file)")
    p.add_argument("--statistics", action="store_true", help="per-rule counts after the text and concise reports")
    p.add_argument("--fix", action="store_true",
                   help="apply the safe mechanical fixes (SG202 discarded cancel, SG302 rows close, SG402 %%w, SG403 "
                        "errors.Is), then report what is left")
    p.add_argument("--diff", action="store_true",
                   help="print those fixes as a unified diff and change nothing; exit 1 when there is one")
    p.add_argument("--allow-empty", action="store_true",
                   help="exit 0 when there is nothing to check (default: exit 2 with a message)")
    p.set_defaults(_wants_config=True)
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
    p.add_argument("--build-tags", metavar="TAG,...",
                   help="tags the project builds with (go build -tags): files only a development build "
                        "compiles (debug, integration, ...) are skipped unless their tag is given")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the result cache")
    p.add_argument("--jobs", type=int, help="worker processes (default: number of cores; at most 4 per core)")
    p.add_argument("--go", metavar="VERSION", help="Go version to assume instead of go.mod's go directive (e.g. 1.22)")
    p.add_argument("--k8s", action="append", default=[], metavar="FILE|DIR|-",
                   help="Kubernetes manifests to audit with the code (repeatable); '-' reads rendered YAML from "
                        "stdin: helm template ... | steadygo check --k8s - .")
    p.add_argument("--dockerfile", action="append", default=[], metavar="FILE",
                   help="a Dockerfile to audit with the code (repeatable), wherever it lives")
    p.add_argument("--vulndb", metavar="DIR",
                   help="a local Go vulnerability database (index/, ID/) for govulncheck (SG716); "
                        "nothing is downloaded (default: vulndb under [build] in .steadygo.toml)")


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


def exit_code_for(result: ScanResult, cfg: Config) -> int:
    if any(d.level == "error" for d in result.diagnostics):
        return 2
    return exit_code(result.findings, cfg.fail_on, cfg.exit_zero)


def _check_writable(path: str) -> None:
    """Fail before a long scan, not after it, when a report cannot be written
    (by the rules the write itself follows: ``-o /dev/stdout`` needs stdout,
    not a writable /dev)."""
    problem = write_problem(path)
    if problem is not None:
        raise UserError(f"{path}: cannot write report: {problem}")


def _with_github_annotations(formats: list[Output]) -> list[Output]:
    """In GitHub Actions, annotations come for free alongside the text report,
    unless stdout already carries a machine format they would corrupt."""
    if os.environ.get("GITHUB_ACTIONS") != "true" or any(o.name == "github" for o in formats):
        return formats
    if any(o.path is None and o.name != "text" for o in formats):
        return formats
    return formats + [Output("github")]


def run(cfg: Config) -> int:
    from steadygo import baseline as baseline_mod
    from steadygo import changed_lines, live_evidence
    from steadygo.report import RunReport, evidence, reporters

    known = reporters()
    formats = _with_github_annotations(cfg.formats)
    for _, path in formats:
        if path is not None:
            _check_writable(path)
    base = os.getcwd()
    bl = baseline_mod.load(cfg.baseline_file) if cfg.baseline_file else None
    changed = changed_lines.since(cfg.new_from_rev, base) if cfg.new_from_rev else None
    runtime_docs, live_files = [], [live_evidence.load(p) for p in cfg.evidence_files]
    for p in cfg.runtime_files:
        # --runtime predates --evidence: a runtime command's report given to it
        # is joined with the code too; the bare goroutine analysis of earlier
        # versions is only drawn and its findings listed.
        doc = evidence.read_json(p)
        # (a hand-made report naming no checked_rules can only be drawn)
        if evidence.is_live_report(doc) and isinstance(doc["evidence"].get("checked_rules"), list):
            live_files.append(live_evidence.from_report(doc, p))
        else:
            runtime_docs.append(evidence.from_json(doc, p))
    extra = [f for doc in runtime_docs for f in evidence.findings(doc)] + live_evidence.live_findings(live_files)
    join = live_evidence.Join.of(live_files, base) if live_files else None
    runtime_docs += [ef.doc for ef in live_files]  # drawn in the HTML report, counted by the scorecard
    enabled = cfg.enabled_rule_ids()
    progress = _Progress(sys.stderr.isatty() and cfg.progress)
    try:
        result = scan(cfg.paths, cfg, progress=progress, base=base,
                      baseline=(lambda fs: bl.apply(fs, enabled, mark=not cfg.no_suppressions)) if bl else None,
                      changed=(lambda fs: changed.filter(fs, base)) if changed is not None else None,
                      extra=extra, suppressions=not cfg.no_suppressions, live=join)
    finally:
        progress.close()
    if result.files == 0 and result.artifacts == 0 and not runtime_docs and not cfg.allow_empty:
        for d in result.diagnostics:
            print(f"steadygo: {d.level}: {d.line()}", file=sys.stderr)
        layers = ("Go source files, Dockerfiles, go.mod or Kubernetes YAML" if _artifact_rules_on(enabled)
                  else "Go source files (Dockerfiles, go.mod and Kubernetes YAML are audited with --preview)")
        raise UserError(f"nothing to check in {', '.join(cfg.paths)}: no {layers}; --allow-empty accepts an empty "
                        "tree with exit 0")
    if cfg.fix or cfg.diff:
        done = _apply_fixes(result, cfg, base)
        if done is not None:
            return done
    code = exit_code_for(result, cfg)
    notes = []
    if bl is not None:
        notes.append(bl.summary() + ("; shown anyway (--no-suppressions)" if cfg.no_suppressions else ""))
    if changed is not None:
        notes.append(f"only lines changed since {cfg.new_from_rev} are reported")
    for d in result.diagnostics:
        print(f"steadygo: {d.level}: {d.line()}", file=sys.stderr)
    for name, path in formats:
        rep = RunReport(result, cfg, code, color=(path is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")),
                        show_suppressed=cfg.show_suppressed, notes=notes, base=base, baseline=bl,
                        new_from_rev=cfg.new_from_rev, runtime=runtime_docs)
        text = known[name]().render(rep)
        if path is None:
            sys.stdout.write(text)
        else:
            try:
                write_atomic(path, text)
            except OSError as exc:
                raise UserError(f"{path}: cannot write report: {exc.strerror or exc}") from None
    return code


def _apply_fixes(result, cfg: Config, base: str) -> int | None:
    """--diff: the diff and its exit code.  --fix: write the fixes and drop
    the fixed findings from the result (None: go on and report the rest)."""
    from steadygo import autofix

    plan = autofix.plan(result.findings, base)  # re-reads and re-parses each file it would touch
    for note in plan.notes:
        print(f"steadygo: note: {note}", file=sys.stderr)
    if cfg.diff:
        for d in result.diagnostics:
            print(f"steadygo: {d.level}: {d.line()}", file=sys.stderr)
        sys.stdout.write(autofix.unified_diff(plan))
        n = len(plan.fixed)
        print(f"steadygo: {n} fix{'es' if n != 1 else ''} in {len(plan.changes)} file{'s' if len(plan.changes) != 1 else ''}"
              " (--fix applies them)", file=sys.stderr)
        return 1 if plan.changes else 0
    for failure in autofix.write(plan, base):
        print(f"steadygo: error: {failure}", file=sys.stderr)
    fixed = {id(f) for f in plan.fixed}
    result.findings = [f for f in result.findings if id(f) not in fixed]
    files = sum(1 for c in plan.changes if c.fixed)
    print(f"steadygo: fixed {len(fixed)} finding{'s' if len(fixed) != 1 else ''} in {files} file{'s' if files != 1 else ''}",
          file=sys.stderr)
    return None


def _artifact_rules_on(enabled) -> bool:
    from steadygo import registry

    return any(registry.lookup(r).meta.layer.value in ("build", "deploy") for r in enabled)


__all__ = ["add_parser", "add_scan_options", "run", "exit_code_for"]
