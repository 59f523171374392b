"""SG630 tracer-provider-never-shut-down: sdktrace.NewTracerProvider created and Shutdown never called on it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.facts import extract_facts, node_of, service_facts_for
from steadygo.golang.frameworks import OTEL_SDKTRACE
from steadygo.golang.parse import captures, text
from steadygo.golang.rules.base import GoRule
from steadygo.golang.tracing import file_tracing
from steadygo.golang.values import holder_of
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class TracerProviderNotShutDown(GoRule):
    meta = code_meta(
        id="SG630",
        name="tracer-provider-never-shut-down",
        severity=Severity.WARNING,
        breakpoint="The batch span processor exports every few seconds; on exit without Shutdown the last batch is dropped, so the traces of the requests that ended the process (the interesting ones) never arrive.",
        summary="sdktrace.NewTracerProvider created and Shutdown never called on it.",
    )
    module_facts = ("otel",)
    requires_imports = (OTEL_SDKTRACE,)

    def check(self, ctx: FileContext) -> None:
        made = file_tracing(ctx, "trace.NewTracerProvider")
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
