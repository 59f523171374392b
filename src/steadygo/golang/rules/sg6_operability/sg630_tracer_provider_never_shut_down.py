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
from steadygo.rulemeta import SERVICE_ROLES, code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class TracerProviderNotShutDown(GoRule):
    meta = code_meta(
        id="SG630",
        name="tracer-provider-never-shut-down",
        severity=Severity.WARNING,
        status="preview",  # 7 of 10 judged true on the 46 real services (3 debatable): docs/rules/SG630.md
        breakpoint="The batch span processor exports every few seconds; on exit without Shutdown the last batch is dropped, so the traces of the requests that ended the process (the interesting ones) never arrive.",
        summary="sdktrace.NewTracerProvider created and Shutdown never called on it.",
        roles=SERVICE_ROLES,
    )
    module_facts = ("otel",)
    requires_imports = (OTEL_SDKTRACE,)

    def check(self, ctx: FileContext) -> None:
        made = file_tracing(ctx, "trace.NewTracerProvider")
        if not made:
            return
        facts = service_facts_for(ctx.pkg, "otel")
        shutdowns = [sc for sc in facts.shutdown_calls + extract_facts(ctx.pkg).shutdown_calls if sc.kind == "otel"]
        shut_elsewhere = bool(shutdowns)
        # the global provider shut down through otel.GetTracerProvider()
        shut_global = any("GetTracerProvider" in sc.target for sc in shutdowns) or (
            shut_elsewhere and any(b"GetTracerProvider().(" in f.source for f in ctx.pkg.files))
        for m in made:
            call = node_of(ctx.pkg, m)
            h = holder_of(call)
            if h.kind == "var" and h.func is not None:
                body = h.func.child_by_field_name("body")
                if f"{h.path}.Shutdown" in text(body):
                    continue
                if shut_elsewhere and (_escapes(body, h.path) or not _declared_in(body, h.path)):
                    continue  # returned, stored, or a package variable: a stop function shuts it down
                if shut_global and _set_global(ctx, body, h.path):
                    continue
            elif h.kind == "arg":
                is_global = ctx.file.call_target(h.call) == ("go.opentelemetry.io/otel", "SetTracerProvider")
                if (not is_global and shut_elsewhere) or (is_global and shut_global):
                    continue
            elif shut_elsewhere:  # returned, stored in a field or package variable
                continue
            ctx.report(call, "tracer provider is never shut down: spans still buffered in the batch processor are lost "
                       "on exit; defer tp.Shutdown(ctx) with a timeout after the server has drained")



def _escapes(body, var: str) -> bool:
    """The provider leaves the function: returned (``return tp``, ``return
    &closer{provider: tp}``), stored in a field or another variable, or put in a
    composite literal."""
    for n in captures("(identifier) @i", body).get("i", []):
        if text(n) != var:
            continue
        p = n.parent
        while p is not None and p.type in ("expression_list", "unary_expression", "parenthesized_expression",
                                           "literal_element", "keyed_element", "literal_value"):
            if p.type == "literal_value":
                return True
            p = p.parent
        if p is None:
            continue
        if p.type == "return_statement":
            return True
        if p.type == "assignment_statement" and p.child_by_field_name("right") is not None and \
                p.child_by_field_name("right").start_byte <= n.start_byte:
            return True
    return False


def _declared_in(body, var: str) -> bool:
    q = "[(short_var_declaration left: (expression_list (identifier) @n)) (var_spec name: (identifier) @n) (parameter_declaration name: (identifier) @n)]"
    if any(text(n) == var for n in captures(q, body).get("n", [])):
        return True
    fn = body.parent
    params = fn.child_by_field_name("parameters") if fn is not None else None
    return params is not None and any(text(n) == var for n in captures(q, params).get("n", []))


def _set_global(ctx, body, var: str) -> bool:
    for call in captures("(call_expression) @c", body).get("c", []):
        if ctx.file.call_target(call) == ("go.opentelemetry.io/otel", "SetTracerProvider"):
            args = call.child_by_field_name("arguments").named_children
            if args and text(args[0]) == var:
                return True
    return False
