"""SG613 liveness-checks-dependencies: Liveness handler that pings a database or calls another service."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.frameworks import SERVER_IMPORTS
from steadygo.golang.health_handlers import CALLS_Q, health_handlers
from steadygo.golang.parse import captures, text
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_DEP_CALLS = {"Ping", "PingContext", "Exec", "ExecContext", "Query", "QueryContext", "QueryRow", "QueryRowContext",
              "HealthCheck", "Do", "Get", "Head", "Dial", "DialContext"}


class LivenessChecksDependencies(GoRule):
    meta = code_meta(
        id="SG613",
        name="liveness-checks-dependencies",
        severity=Severity.WARNING,
        breakpoint="When the database blips, every replica fails liveness at once and the kubelet restarts them all: a dependency outage becomes a full outage plus a cold-start stampede.",
        summary="Liveness handler that pings a database or calls another service.",
        status="preview",
    )
    requires_imports = SERVER_IMPORTS

    def check(self, ctx: FileContext) -> None:
        for h, call, (f, fn) in health_handlers(ctx, ("liveness",)):
            dep = _first_dependency_call(f, fn)
            if dep is not None:
                ctx.report(call, f"liveness endpoint {h.path} calls {text(dep.child_by_field_name('function'))}: when that "
                           "dependency is down every replica is restarted at once; liveness should only prove the process "
                           "can serve, move dependency checks to readiness")


def _first_dependency_call(file, fn_node):
    body = fn_node.child_by_field_name("body")
    if body is None:
        return None
    for call in sorted(captures(CALLS_Q, body).get("call", []), key=lambda n: n.start_byte):
        t = file.call_target(call)
        if t is not None:
            if t[0] == "net/http" and t[1] in ("Get", "Head", "Post"):
                return call
            continue
        fn = call.child_by_field_name("function")
        if fn.type == "selector_expression" and text(fn.child_by_field_name("field")) in _DEP_CALLS:
            operand = text(fn.child_by_field_name("operand"))
            if text(fn.child_by_field_name("field")) in ("Get", "Head", "Do") and not re.search(r"(?i)client|http", operand):
                continue  # map/cache Get, not an outbound call
            return call
    return None
