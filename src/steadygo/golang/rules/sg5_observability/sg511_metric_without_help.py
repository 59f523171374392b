"""SG511 metric-without-help: Metric defined with no Help text, or an empty one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.facts import node_of
from steadygo.golang.frameworks import PROMETHEUS_CLIENT
from steadygo.golang.metric_defs import display_name, metrics_in_file, never_registered
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class MetricWithoutHelp(GoRule):
    meta = code_meta(
        id="SG511",
        name="metric-without-help",
        severity=Severity.INFO,
        breakpoint="Whoever is paged at 3 a.m. sees a metric name and no explanation of what it counts or in which unit.",
        summary="Metric defined with no Help text, or an empty one.",
        # Preview: judged on 22 code bases, every remaining finding was right
        # but cosmetic (cache_hit_total, request_duration_seconds name what
        # they measure); 0 of 22 judged worth a user's time.
        status="preview",
    )
    requires_imports = PROMETHEUS_CLIENT

    def check(self, ctx: FileContext) -> None:
        for m in metrics_in_file(ctx):
            if m.help is not None and not m.help.strip() and not never_registered(ctx, m):
                ctx.report(node_of(ctx.pkg, m), f"metric {display_name(ctx, m)!r} has no Help text: say what it "
                           "measures and in which unit")
