"""SG517 histogram-default-buckets: Histogram defined without explicit Buckets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.facts import node_of
from steadygo.golang.frameworks import PROMETHEUS_CLIENT
from steadygo.golang.metric_defs import metrics_in_file
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class HistogramDefaultBuckets(GoRule):
    meta = code_meta(
        id="SG517",
        name="histogram-default-buckets",
        severity=Severity.INFO,
        breakpoint="The default buckets (5ms to 10s) rarely match the latency SLO or the unit measured: quantiles and SLO burn rates computed from them are off by a bucket width.",
        summary="Histogram defined without explicit Buckets.",
        status="preview",
    )
    requires_imports = PROMETHEUS_CLIENT

    def check(self, ctx: FileContext) -> None:
        for m in metrics_in_file(ctx):
            if m.type != "histogram" or m.buckets or m.help is None:
                continue  # help None: the options were not visible, so neither are the buckets
            name = m.name or ""
            if name and not name.endswith("_seconds") and "seconds" not in name.split("_"):
                msg = (f"histogram {name!r} uses the default buckets, which are latencies in seconds (0.005..10): "
                       "meaningless for this unit; set Buckets (prometheus.ExponentialBuckets)")
            else:
                msg = (f"histogram {name or '(computed name)'!r} uses the default buckets (5ms..10s): set Buckets around "
                       "your latency SLO so quantiles and burn rates are accurate")
            ctx.report(node_of(ctx.pkg, m), msg)
