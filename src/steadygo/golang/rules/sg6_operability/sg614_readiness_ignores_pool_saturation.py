"""SG614 readiness-ignores-pool-saturation.

Readiness handler pings the database but never looks at the pool (db.Stats()).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.frameworks import SERVER_IMPORTS
from steadygo.golang.health_handlers import CALLS_Q, health_handlers
from steadygo.golang.parse import captures, text
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class ReadinessIgnoresPoolSaturation(GoRule):
    meta = code_meta(
        id="SG614",
        name="readiness-ignores-pool-saturation",
        severity=Severity.INFO,
        breakpoint="Ping succeeds while every pooled connection is busy: the instance reports ready and keeps taking traffic that can only queue for a connection.",
        summary="Readiness handler pings the database but never looks at the pool (db.Stats()).",
        status="preview",
    )
    requires_imports = SERVER_IMPORTS

    def check(self, ctx: FileContext) -> None:
        for h, call, (f, fn) in health_handlers(ctx, ("readiness", "health")):
            body = fn.child_by_field_name("body")
            if body is None:
                continue
            t = text(body)
            if ".Stats()" in t or "Stat()" in t:
                continue
            pings = [c for c in captures(CALLS_Q, body).get("call", [])
                     if c.child_by_field_name("function").type == "selector_expression"
                     and text(c.child_by_field_name("function").child_by_field_name("field")) in ("Ping", "PingContext")]
            if pings:
                ctx.report(call, f"{h.kind} endpoint {h.path} pings the database but ignores pool saturation: with every "
                           "connection in use it still says ready; also compare db.Stats().InUse with MaxOpenConnections "
                           "and watch WaitCount")
