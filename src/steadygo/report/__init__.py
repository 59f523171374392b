"""Reporters: one small interface, one name -> class table.

A reporter turns a ``RunReport`` into text.  The caller decides where it goes
(stdout or an atomically written file)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from steadygo.config import Config
from steadygo.engine import ScanResult


@dataclass
class RunReport:
    result: ScanResult
    config: Config
    exit_code: int
    color: bool = False
    show_suppressed: bool = False
    notes: list[str] = field(default_factory=list)  # extra lines for humans (e.g. baseline summary)
    # Directory finding paths are relative to; SARIF publishes it as %SRCROOT%.
    base: str = field(default_factory=os.getcwd)
    baseline: object | None = None  # steadygo.baseline.Baseline when --baseline was given
    new_from_rev: str | None = None
    # Runtime evidence documents given with --runtime (see docs/reports.md),
    # or the one a runtime command analysed: the HTML report draws them.
    runtime: list[dict] = field(default_factory=list)
    # Set by the runtime commands (steadygo.runtime.command): the evidence the
    # JSON report carries under "evidence", what was read ("2 goroutine
    # dumps", said where check says files and lines) and the command's text
    # summary, printed before the findings.
    evidence: dict | None = None
    scope: str = ""
    preamble: str = ""


class Reporter:
    name = ""

    def render(self, report: RunReport) -> str:  # pragma: no cover - interface
        raise NotImplementedError


def reporters() -> dict[str, type[Reporter]]:
    from steadygo.report.github import GithubReporter
    from steadygo.report.html import HtmlReporter
    from steadygo.report.json import JsonReporter
    from steadygo.report.junit import JunitReporter
    from steadygo.report.markdown import MarkdownReporter
    from steadygo.report.sarif import SarifReporter
    from steadygo.report.text import TextReporter

    return {r.name: r for r in (TextReporter, JsonReporter, SarifReporter, GithubReporter, JunitReporter,
                                MarkdownReporter, HtmlReporter)}
