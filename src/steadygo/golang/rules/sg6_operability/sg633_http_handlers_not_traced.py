"""SG633 http-handlers-not-traced.

Service that sets up an OpenTelemetry tracer provider but wraps no HTTP/gRPC server handler with otelhttp/otelgin/otelecho/otelgrpc.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.facts import extract_facts, node_of, service_facts_for
from steadygo.golang.frameworks import SERVER_IMPORTS
from steadygo.golang.listeners import file_listeners
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import SERVICE_ROLES, code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_SERVER_INSTRUMENTATION = {"otelhttp.NewHandler", "otelhttp.WithRouteTag", "otelhttp.NewMiddleware", "otelgin.Middleware",
                           "otelecho.Middleware", "otelmux.Middleware", "otelfiber.Middleware", "otelchi.Middleware",
                           "otelgrpc.NewServerHandler", "otelgrpc.UnaryServerInterceptor", "otelgrpc.StreamServerInterceptor"}


class HandlersNotInstrumented(GoRule):
    meta = code_meta(
        id="SG633",
        name="http-handlers-not-traced",
        severity=Severity.INFO,
        breakpoint="A tracer provider with no server instrumentation produces no request spans: incoming trace context is dropped and the service is a gap in every distributed trace.",
        summary="Service that sets up an OpenTelemetry tracer provider but wraps no HTTP/gRPC server handler with otelhttp/otelgin/otelecho/otelgrpc.",
        status="preview",
        roles=SERVICE_ROLES,
    )
    module_facts = ("otel",)
    requires_imports = SERVER_IMPORTS

    def check(self, ctx: FileContext) -> None:
        listeners = file_listeners(ctx)
        if ctx.file.package_name != "main" or not listeners:
            return
        facts = service_facts_for(ctx.pkg, "otel")
        kinds = {m.kind for m in facts.tracing + extract_facts(ctx.pkg).tracing}
        if "trace.NewTracerProvider" not in kinds or kinds & _SERVER_INSTRUMENTATION:
            return
        ctx.report(node_of(ctx.pkg, listeners[0]), "a tracer provider is set up but no server handler is instrumented: "
                   "requests create no spans and incoming traceparent headers are ignored; wrap the handler with "
                   "otelhttp.NewHandler (or otelgin/otelecho/otelgrpc middleware)")
