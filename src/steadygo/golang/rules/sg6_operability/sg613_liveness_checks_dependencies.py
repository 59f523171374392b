"""SG613 liveness-checks-dependencies: Liveness handler that pings a database or calls another service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.frameworks import SERVER_IMPORTS
from steadygo.golang.health_handlers import first_dependency_call, health_handlers
from steadygo.golang.parse import text
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


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
            dep = first_dependency_call(f, fn)
            if dep is not None:
                ctx.report(call, f"liveness endpoint {h.path} calls {text(dep.child_by_field_name('function'))}: when that "
                           "dependency is down every replica is restarted at once; liveness should only prove the process "
                           "can serve, move dependency checks to readiness")
