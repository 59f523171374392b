"""SG513 metric-name-encodes-label-or-quantile.

Metric name that carries a label value (status code, HTTP method) or a pre-computed quantile (p95, p99).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.facts import node_of
from steadygo.golang.frameworks import PROMETHEUS_CLIENT
from steadygo.golang.metric_defs import LEGAL_NAME, metrics_in_file
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_QUANTILE = re.compile(r"(?:^|_)(p\d{2,3}|p99\d*|percentile\d*|quantile\d*|median)(?:_|$)")
_STATUS = re.compile(r"(?:^|_)(status_?[1-5]\d\d|[1-5]xx|[1-5]\d\d)(?:_|$)")
_METHOD = re.compile(r"^(?:[a-z0-9]+_)*?(get|post|put|delete|patch)_(?:[a-z0-9]+_)*(requests?|calls?)(?:_|$)")


class MetricNameEncodesLabel(GoRule):
    meta = code_meta(
        id="SG513",
        name="metric-name-encodes-label-or-quantile",
        severity=Severity.WARNING,
        breakpoint="Values baked into names (status 200, GET, p99) multiply metrics, cannot be summed or re-aggregated, and pre-computed quantiles cannot be combined across instances.",
        summary="Metric name that carries a label value (status code, HTTP method) or a pre-computed quantile (p95, p99).",
        status="preview",
    )
    requires_imports = PROMETHEUS_CLIENT

    def check(self, ctx: FileContext) -> None:
        for m in metrics_in_file(ctx):
            if not m.name or not LEGAL_NAME.match(m.name):
                continue
            low = m.name.lower()
            q = _QUANTILE.search(low)
            node = node_of(ctx.pkg, m)
            if q:
                ctx.report(node, f"metric {m.name!r} encodes a quantile ({q.group(1)}) in its name: quantiles cannot be "
                           "aggregated across instances; use a histogram and histogram_quantile()")
                continue
            s = _STATUS.search(low) or _METHOD.search(low)
            if s:
                ctx.report(node, f"metric {m.name!r} bakes a label value ({s.group(1)}) into its name: use one metric "
                           "with a label (code, method) so it can be summed and filtered")
