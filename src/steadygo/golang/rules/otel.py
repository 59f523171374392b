"""OpenTelemetry set-up (SG63x): provider shutdown, propagation, sampling."""

from __future__ import annotations

from steadygo.findings import Severity
from steadygo.golang.facts import extract_facts, node_of, service_facts_for
from steadygo.golang.parse import captures, text
from steadygo.golang.rules.base import FileContext, GoRule, code_meta as _meta
from steadygo.golang.rules.shutdown import SERVER_IMPORTS, file_listeners
from steadygo.golang.values import holder_of

OTEL = ("go.opentelemetry.io/otel",)
SDKTRACE = "go.opentelemetry.io/otel/sdk/trace"




def _file_tracing(ctx, kind):
    return [m for m in extract_facts(ctx.pkg).tracing if m.location.path == ctx.file.relpath and m.kind == kind]


class TracerProviderNotShutDown(GoRule):
    meta = _meta(
        "SG630",
        "tracer-provider-never-shut-down",
        Severity.WARNING,
        "The batch span processor exports every few seconds; on exit without Shutdown the last batch is dropped, so the traces of the requests that ended the process (the interesting ones) never arrive.",
        "sdktrace.NewTracerProvider created and Shutdown never called on it.",
    )
    module_facts = ('otel',)
    requires_imports = (SDKTRACE,)

    def check(self, ctx: FileContext) -> None:
        made = _file_tracing(ctx, "trace.NewTracerProvider")
        if not made:
            return
        facts = service_facts_for(ctx.pkg, "otel")
        shut_elsewhere = any(sc.kind == "otel" for sc in facts.shutdown_calls + extract_facts(ctx.pkg).shutdown_calls)
        for m in made:
            call = node_of(ctx.pkg, m)
            h = holder_of(call)
            if h.kind == "var" and h.func is not None:
                body = h.func.child_by_field_name("body")
                if f"{h.path}.Shutdown" in text(body):
                    continue
                if _returned(body, h.path) and shut_elsewhere:
                    continue
            elif h.kind == "arg":
                if ctx.file.call_target(h.call) != ("go.opentelemetry.io/otel", "SetTracerProvider") and shut_elsewhere:
                    continue
            elif shut_elsewhere:  # returned, stored in a field or package variable
                continue
            ctx.report(call, "tracer provider is never shut down: spans still buffered in the batch processor are lost "
                       "on exit; defer tp.Shutdown(ctx) with a timeout after the server has drained")


def _returned(body, var: str) -> bool:
    for r in captures("(return_statement) @r", body).get("r", []):
        if var in text(r).replace("(", " ").replace(")", " ").replace(",", " ").split():
            return True
    return False


class NoTracePropagator(GoRule):
    meta = _meta(
        "SG631",
        "trace-propagator-not-set",
        Severity.WARNING,
        "The global propagator defaults to a no-op: trace context is neither read from incoming requests nor sent on outgoing ones, so every service starts a new trace and cross-service traces are broken.",
        "A global tracer provider is installed (otel.SetTracerProvider) but otel.SetTextMapPropagator is never called in the module.",
    )
    module_facts = ('otel',)
    requires_imports = OTEL

    def check(self, ctx: FileContext) -> None:
        sets = _file_tracing(ctx, "otel.SetTracerProvider")
        if not sets:
            return
        facts = service_facts_for(ctx.pkg, "otel")
        if any(m.kind == "otel.SetTextMapPropagator" for m in facts.tracing + extract_facts(ctx.pkg).tracing):
            return
        for m in sets:
            ctx.report(node_of(ctx.pkg, m), "tracer provider installed but no propagator: the default is a no-op, so "
                       "traceparent headers are ignored and never sent; call otel.SetTextMapPropagator("
                       "propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))")


class AlwaysSampleInProduction(GoRule):
    meta = _meta(
        "SG632",
        "always-sample-in-production",
        Severity.INFO,
        "Recording and exporting every span costs CPU, memory and exporter bandwidth in proportion to traffic; under a load spike the tracing pipeline drops data or slows the service.",
        "sdktrace.AlwaysSample() used as the sampler in service code.",
    )
    requires_imports = (SDKTRACE,)

    def check(self, ctx: FileContext) -> None:
        for m in _file_tracing(ctx, "trace.AlwaysSample"):
            call = node_of(ctx.pkg, m)
            parent = call.parent.parent if call.parent is not None else None
            inside_parent_based = parent is not None and parent.type == "call_expression" and ctx.file.call_target(parent) == (SDKTRACE, "ParentBased")
            msg = ("AlwaysSample records and exports every trace: cost grows with traffic; use "
                   "ParentBased(TraceIDRatioBased(r)) or make the sampler configurable (OTEL_TRACES_SAMPLER)")
            if inside_parent_based:
                msg = "ParentBased(AlwaysSample()) still samples every root trace: " + msg.split(": ", 1)[1]
            ctx.report(call, msg)


_SERVER_INSTRUMENTATION = {"otelhttp.NewHandler", "otelhttp.WithRouteTag", "otelhttp.NewMiddleware", "otelgin.Middleware",
                           "otelecho.Middleware", "otelmux.Middleware", "otelfiber.Middleware", "otelchi.Middleware",
                           "otelgrpc.NewServerHandler", "otelgrpc.UnaryServerInterceptor", "otelgrpc.StreamServerInterceptor"}


class HandlersNotInstrumented(GoRule):
    meta = _meta(
        "SG633",
        "http-handlers-not-traced",
        Severity.INFO,
        "A tracer provider with no server instrumentation produces no request spans: incoming trace context is dropped and the service is a gap in every distributed trace.",
        "Service that sets up an OpenTelemetry tracer provider but wraps no HTTP/gRPC server handler with otelhttp/otelgin/otelecho/otelgrpc.",
        status="preview",
    )
    module_facts = ('otel',)
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


RULES = [TracerProviderNotShutDown(), NoTracePropagator(), AlwaysSampleInProduction(), HandlersNotInstrumented()]
