"""SG631 trace-propagator-not-set.

A global tracer provider is installed (otel.SetTracerProvider) but otel.SetTextMapPropagator is never called in the module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.facts import extract_facts, node_of, service_facts_for
from steadygo.golang.frameworks import OTEL
from steadygo.golang.rules.base import GoRule
from steadygo.golang.tracing import file_tracing
from steadygo.rulemeta import SERVICE_ROLES, code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class NoTracePropagator(GoRule):
    meta = code_meta(
        id="SG631",
        status="preview",  # 0 of 6 first-run holdout findings true: docs/rules/SG631.md
        name="trace-propagator-not-set",
        severity=Severity.WARNING,
        breakpoint="The global propagator defaults to a no-op: trace context is neither read from incoming requests nor sent on outgoing ones, so every service starts a new trace and cross-service traces are broken.",
        summary="A global tracer provider is installed (otel.SetTracerProvider) but otel.SetTextMapPropagator is never called in the module.",
        roles=SERVICE_ROLES,
    )
    module_facts = ("otel",)
    requires_imports = OTEL

    def check(self, ctx: FileContext) -> None:
        sets = file_tracing(ctx, "otel.SetTracerProvider")
        if not sets:
            return
        facts = service_facts_for(ctx.pkg, "otel")
        if any(m.kind == "otel.SetTextMapPropagator" for m in facts.tracing + extract_facts(ctx.pkg).tracing):
            return
        for m in sets:
            ctx.report(node_of(ctx.pkg, m), "tracer provider installed but no propagator: the default is a no-op, so "
                       "traceparent headers are ignored and never sent; call otel.SetTextMapPropagator("
                       "propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))")
