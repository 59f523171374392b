"""Reporters: one small interface, one name -> class table.

A reporter turns a ``RunReport`` into text.  The caller decides where it goes
(stdout or an atomically written file)."""

from __future__ import annotations

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


class Reporter:
    name = ""

    def render(self, report: RunReport) -> str:  # pragma: no cover - interface
        raise NotImplementedError


def reporters() -> dict[str, type[Reporter]]:
    from steadygo.report.json import JsonReporter
    from steadygo.report.text import TextReporter

    return {r.name: r for r in (TextReporter, JsonReporter)}
