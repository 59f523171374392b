"""Reporters: one small interface, one name -> class table.

A reporter turns a ``RunReport`` into text.  The caller decides where it goes
(stdout or an atomically written file)."""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from steadygo.config import Config
from steadygo.result import ScanResult


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


def ordered(findings, how: str = "file") -> list:
    """Findings in the order a person reads them: ``file`` (path, line),
    ``severity`` (errors first, then by path), ``rule`` (by rule id)."""
    if how == "severity":
        return sorted(findings, key=lambda f: (-f.severity.value, f.sort_key))
    if how == "rule":
        return sorted(findings, key=lambda f: (f.rule_id, f.sort_key))
    return sorted(findings, key=lambda f: f.sort_key)


def statistics(findings) -> list[str]:
    """Per-rule counts, most frequent first: ``  12  SG402  error-wrapped-with-v  warning``."""
    from collections import Counter

    counts = Counter((f.rule_id, f.rule_name, f.severity.label) for f in findings)
    width = max((len(str(n)) for n in counts.values()), default=1)
    return [f"{n:>{width}}  {rid}  {name}  {sev}" for (rid, name, sev), n in
            sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))]


class Reporter:
    name = ""

    def render(self, report: RunReport) -> str:  # pragma: no cover - interface
        raise NotImplementedError


# name -> (module, class): a reporter's module is imported when it is used,
# not for every run (html alone pulls in the scorecard and the rule pages).
_REPORTERS = {
    "text": ("steadygo.report.text", "TextReporter"),
    "json": ("steadygo.report.json", "JsonReporter"),
    "sarif": ("steadygo.report.sarif", "SarifReporter"),
    "github": ("steadygo.report.github", "GithubReporter"),
    "junit": ("steadygo.report.junit", "JunitReporter"),
    "markdown": ("steadygo.report.markdown", "MarkdownReporter"),
    "html": ("steadygo.report.html", "HtmlReporter"),
    "concise": ("steadygo.report.concise", "ConciseReporter"),
}


class _Reporters(Mapping):
    def __getitem__(self, name: str) -> type[Reporter]:
        module, cls = _REPORTERS[name]
        return getattr(importlib.import_module(module), cls)

    def __iter__(self):
        return iter(_REPORTERS)

    def __len__(self) -> int:
        return len(_REPORTERS)


def reporters() -> Mapping[str, type[Reporter]]:
    """Every reporter by name; each class is imported on first look-up."""
    return _Reporters()
