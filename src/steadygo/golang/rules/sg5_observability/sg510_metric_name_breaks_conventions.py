"""SG510 metric-name-breaks-conventions.

Metric name fails a `promtool check metrics` naming lint (_total suffix, base units, reserved suffixes, type in name, camelCase, colons).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.facts import node_of
from steadygo.golang.frameworks import PROMETHEUS_CLIENT
from steadygo.golang.metric_defs import LEGAL_NAME, metrics_in_file, promlint
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


def _advice(problem: str) -> str:
    if "abbreviated units" in problem:
        return "spell the base unit out (_seconds, _bytes)"
    if "base unit" in problem:
        return "convert to the base unit when observing"
    if "_total" in problem and "should have" in problem:
        return "rate() and increase() dashboards expect it"
    if "':'" in problem:
        return "colons are reserved for recording rules"
    return ""


class MetricNameBreaksConventions(GoRule):
    meta = code_meta(
        id="SG510",
        name="metric-name-breaks-conventions",
        # info: right as promtool's lint, but on real code almost every finding
        # is a published name that renaming would break (docs/rules/SG510.md)
        severity=Severity.INFO,
        status="preview",  # 0 of 30 judged true on 22 real code bases: docs/rules/SG510.md
        breakpoint="Dashboards, alerts and recording rules written to the Prometheus conventions silently match nothing, or mis-scale by 1000x, when names and units do not follow them.",
        summary="Metric name fails a `promtool check metrics` naming lint (_total suffix, base units, reserved suffixes, type in name, camelCase, colons).",
    )
    requires_imports = PROMETHEUS_CLIENT

    def check(self, ctx: FileContext) -> None:
        for m in metrics_in_file(ctx):
            if not m.name or not LEGAL_NAME.match(m.name):
                continue  # unknown, or illegal (SG512)
            problems = promlint(m.name, m.type, m.labels or ())
            if problems:
                adv = _advice(problems[0])
                ctx.report(node_of(ctx.pkg, m), f"{m.type} {m.name!r}: " + "; ".join(problems) + (f" ({adv})" if adv else ""))
