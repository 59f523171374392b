"""SG512 invalid-metric-name.

Metric or label name with characters that are not legal in a classic Prometheus name (-, ., %, space, leading digit).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.facts import node_of
from steadygo.golang.frameworks import PROMETHEUS_CLIENT
from steadygo.golang.metric_defs import LEGAL_LABEL, LEGAL_NAME, metrics_in_file, never_registered
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class InvalidMetricName(GoRule):
    meta = code_meta(
        id="SG512",
        name="invalid-metric-name",
        severity=Severity.ERROR,
        status="preview",  # 0 of 5 first-run judgements true (metrics built and never registered): docs/rules/SG512.md
        breakpoint="A metric or label name outside [a-zA-Z_:][a-zA-Z0-9_:]* is refused at registration by client_golang releases without UTF-8 names (MustRegister panics at start-up) and needs quoting or escaping everywhere else.",
        summary="Metric or label name with characters that are not legal in a classic Prometheus name (-, ., %, space, leading digit).",
    )
    requires_imports = PROMETHEUS_CLIENT

    def check(self, ctx: FileContext) -> None:
        for m in metrics_in_file(ctx):
            if never_registered(ctx, m):
                continue  # promauto.With(nil): a stub nothing registers or exposes
            node = node_of(ctx.pkg, m)
            if m.name is not None and m.name and not LEGAL_NAME.match(m.name):
                ctx.report(node, f"metric name {m.name!r} is not a legal Prometheus name ([a-zA-Z_:][a-zA-Z0-9_:]*): "
                           "older client_golang panics when registering it, PromQL needs quoting; use snake_case")
            elif m.name == "":
                ctx.report(node, "metric has an empty Name: registration fails (prometheus.NewDesc rejects it)")
            for lab in m.labels or ():
                if not LEGAL_LABEL.match(lab) or lab.startswith("__"):
                    ctx.report(node, f"label name {lab!r} is not a legal Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, "
                               "no leading __): registration fails")
