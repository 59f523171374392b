"""SG612 readiness-checks-nothing.

Readiness handler that only writes a response (no check, no condition) in a service that uses a database, cache or RPC client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.facts import extract_facts, service_facts_for
from steadygo.golang.frameworks import SERVER_IMPORTS
from steadygo.golang.health_handlers import CALLS_Q, health_handlers
from steadygo.golang.parse import captures, text
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_WRITE_METHODS = {"WriteHeader", "Write", "Header", "Set", "Add", "JSON", "String", "Status", "SendStatus", "SendString",
                  "NoContent", "Data", "AbortWithStatus", "IndentedJSON", "Encode", "Send", "WriteString"}
_WRITE_FUNCS = {("fmt", "Fprint"), ("fmt", "Fprintf"), ("fmt", "Fprintln"), ("io", "WriteString"), ("encoding/json", "NewEncoder"),
                ("net/http", "Error"), ("time", "Now"), ("time", "Since")}


def _checks_something(file, fn_node) -> bool:
    body = fn_node.child_by_field_name("body")
    if body is None:
        return True
    if captures("[(if_statement) (expression_switch_statement) (select_statement) (return_statement (expression_list))] @c", body).get("c"):
        return True
    for call in captures(CALLS_Q, body).get("call", []):
        t = file.call_target(call)
        if t is not None:
            if t in _WRITE_FUNCS:
                continue
            return True
        fn = call.child_by_field_name("function")
        name = text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else text(fn)
        if name not in _WRITE_METHODS:
            return True
    return False


class ReadinessChecksNothing(GoRule):
    meta = code_meta(
        id="SG612",
        name="readiness-checks-nothing",
        severity=Severity.INFO,
        breakpoint="A readiness endpoint that always answers 200 keeps sending traffic to an instance whose database or downstream is gone, and cannot take the pod out of rotation during shutdown.",
        summary="Readiness handler that only writes a response (no check, no condition) in a service that uses a database, cache or RPC client.",
        status="preview",
    )
    requires_imports = SERVER_IMPORTS

    def check(self, ctx: FileContext) -> None:
        handlers = list(health_handlers(ctx, ("readiness",)))
        if not handlers:
            return
        deps = extract_facts(ctx.pkg).dependencies or service_facts_for(ctx.pkg, "imports").dependencies
        if not deps:
            return
        for h, call, (f, fn) in handlers:
            if not _checks_something(f, fn):
                ctx.report(call, f"readiness endpoint {h.path} always succeeds although the service depends on "
                           f"{deps[0]}: check the dependencies it cannot serve without, and fail it once shutdown starts")
