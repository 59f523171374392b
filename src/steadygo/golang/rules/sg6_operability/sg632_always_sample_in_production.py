"""SG632 always-sample-in-production: sdktrace.AlwaysSample() used as the sampler in service code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.facts import node_of
from steadygo.golang.frameworks import OTEL_SDKTRACE
from steadygo.golang.rules.base import GoRule
from steadygo.golang.tracing import chosen_by_configuration, file_tracing
from steadygo.rulemeta import SERVICE_ROLES, code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class AlwaysSampleInProduction(GoRule):
    meta = code_meta(
        id="SG632",
        name="always-sample-in-production",
        severity=Severity.INFO,
        status="preview",  # 0 of 6 judged true on 22 real code bases: docs/rules/SG632.md
        breakpoint="Recording and exporting every span costs CPU, memory and exporter bandwidth in proportion to traffic; under a load spike the tracing pipeline drops data or slows the service.",
        summary="sdktrace.AlwaysSample() used as the sampler in service code.",
        roles=SERVICE_ROLES,
    )
    requires_imports = (OTEL_SDKTRACE,)

    def check(self, ctx: FileContext) -> None:
        for m in file_tracing(ctx, "trace.AlwaysSample"):
            call = node_of(ctx.pkg, m)
            if call is None or chosen_by_configuration(call):
                continue  # one arm of a configured sampler switch: the operator's choice
            parent = call.parent.parent if call.parent is not None else None
            inside_parent_based = parent is not None and parent.type == "call_expression" and ctx.file.call_target(parent) == (OTEL_SDKTRACE, "ParentBased")
            msg = ("AlwaysSample records and exports every trace: cost grows with traffic; use "
                   "ParentBased(TraceIDRatioBased(r)) or make the sampler configurable (OTEL_TRACES_SAMPLER)")
            if inside_parent_based:
                msg = "ParentBased(AlwaysSample()) still samples every root trace: " + msg.split(": ", 1)[1]
            ctx.report(call, msg)
