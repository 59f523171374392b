"""The end every runtime command shares with ``check``: its findings go
through the same processors (``pipeline``), the same reporters write them
(``--format NAME[=FILE]``), the same function turns them into the exit code
(``findings.exit_code``).

What the command saw besides findings (goroutine buckets, top allocators, GC
summary, memstats) is its *evidence*: a JSON-ready dict naming the ``command``
that wrote it and the ``checked_rules`` the analysis ran.  The JSON report carries it under
``"evidence"`` (docs/json-format.md); ``check --runtime`` reads it back; the
HTML report draws it; the text report prints the command's own summary of it
before the findings.  SARIF, JUnit, Markdown and GitHub carry the findings.
"""

from __future__ import annotations

import io
import os
import sys
import time
from dataclasses import dataclass
from typing import Callable

from steadygo import baseline as baseline_mod
from steadygo import config as config_mod
from steadygo import pipeline
from steadygo.errors import UserError
from steadygo.findings import Finding, exit_code
from steadygo.fsutil import write_atomic


@dataclass
class RuntimeRun:
    config: config_mod.Config
    baseline: baseline_mod.Baseline | None
    started: float


def start(args) -> RuntimeRun:
    """Before any input is read: flags over ``.steadygo.toml`` (the closest
    one above ``--src``, else above the current directory), resolved by the
    same ``config.resolve`` as ``check``, and the baseline read, so a usage or
    config mistake stops the run before a 256 MiB download."""
    src = getattr(args, "src", None)
    cfg = config_mod.resolve({
        "paths": [src] if src else ["."], "config": args.config, "isolated": args.isolated,
        "fail_on": args.fail_on, "exit_zero": args.exit_zero, "format": args.format, "output": args.output,
        "baseline": args.baseline, "docs_url": args.docs_url, "show_suppressed": args.show_suppressed,
    })
    bl = baseline_mod.load(cfg.baseline_file) if cfg.baseline_file else None
    return RuntimeRun(cfg, bl, time.monotonic())


def process(run: RuntimeRun, findings: list[Finding], checked_rules: list[str]) -> list[Finding]:
    """The pipeline in its documented order.  Evidence has no inline
    suppression comments, so that processor is left out; the others
    (per-path ignores, overlap, dedupe, credential masking, fingerprints,
    baseline, severity overrides, sort) run as they do for ``check``."""
    bl = run.baseline
    ctx = pipeline.Run(
        run.config, frozenset(checked_rules),
        # Entries of rules this command does not check are not "fixed".
        baseline=(lambda fs: bl.apply(fs, set(checked_rules))) if bl is not None else None)
    return pipeline.run(findings, ctx, pipeline.processors(suppressions=False))


def finish(run: RuntimeRun, *, evidence: dict, findings: list[Finding], inputs: list[str], scope: str,
           draw: Callable, grew_too_much: bool = False) -> int:
    """Process the findings, write every requested report, return the exit
    code.  ``draw(console)`` prints the command's text summary; ``scope``
    says what was read ("2 goroutine dumps") where check says files and
    lines.  ``grew_too_much`` (--fail-if-growth) fails the run like a
    finding at fail-on does, and --exit-zero overrides both."""
    from steadygo.result import ScanResult
    from steadygo.report import RunReport, reporters

    cfg = run.config
    checked = list(evidence.get("checked_rules", []))
    processed = process(run, findings, checked)
    code = exit_code(processed, cfg.fail_on, cfg.exit_zero)
    if grew_too_much and not cfg.exit_zero:
        code = 1
    result = ScanResult(findings=processed, files=len(inputs), enabled_rules=checked, roots=list(inputs),
                        seconds=time.monotonic() - run.started)
    notes = [run.baseline.summary()] if run.baseline is not None else []
    known = reporters()
    for name, path in cfg.formats:
        color = path is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        rep = RunReport(result, cfg, code, color=color, show_suppressed=cfg.show_suppressed, notes=notes,
                        base=os.getcwd(), baseline=run.baseline, runtime=[evidence], evidence=evidence,
                        scope=scope, preamble=_drawn(draw, color) if name == "text" else "")
        text = known[name]().render(rep)
        if path is None:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            write_report(path, text)
    return code


def _drawn(draw: Callable, color: bool) -> str:
    from rich.console import Console

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=None if color else 120,
                      highlight=False, soft_wrap=False)
    draw(console)
    console.print()
    return buf.getvalue()


def write_report(path: str, text: str) -> None:
    """Any OSError (missing directory, read-only file system, a directory in
    the way, a full disk) is one line naming the file."""
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise UserError(f"{path}: cannot write report: {exc.strerror or exc}") from None
