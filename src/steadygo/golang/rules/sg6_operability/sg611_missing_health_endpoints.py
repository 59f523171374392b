"""SG611 missing-health-endpoints.

A service's main starts an HTTP server but no route in the module looks like a health, liveness or readiness endpoint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.facts import health_kind, node_of, service_facts_for
from steadygo.golang.frameworks import SERVER_IMPORTS
from steadygo.golang.listeners import file_listeners
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import SERVICE_ROLES, code_meta, RuleOption

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class MissingHealthEndpoints(GoRule):
    meta = code_meta(
        id="SG611",
        name="missing-health-endpoints",
        severity=Severity.INFO,
        breakpoint="Without liveness and readiness endpoints the orchestrator can only check that the port is open: a deadlocked or not-yet-warm instance keeps getting traffic and is never restarted.",
        summary="A service's main starts an HTTP server but no route in the module looks like a health, liveness or readiness endpoint.",
        status="preview",
        options=[RuleOption("health-paths", list, [], "extra route paths that count as health endpoints, e.g. [\"/_status\"]")],
        roles=SERVICE_ROLES,
    )
    module_facts = ("routes",)
    requires_imports = SERVER_IMPORTS

    def check(self, ctx: FileContext) -> None:
        if ctx.file.package_name != "main":
            return
        listeners = file_listeners(ctx)
        if not listeners:
            return
        facts = service_facts_for(ctx.pkg, "routes")
        if not facts.routes:
            return  # routing is invisible to us: no basis for a verdict
        extra = {p: "health" for p in ctx.options.get("health-paths", [])}
        if facts.health_endpoints or any(health_kind(r.path, extra) for r in facts.routes):
            return
        if any(d.startswith("google.golang.org/grpc") for d in facts.dependencies) and "grpc/health" in " ".join(
            p for f in ctx.pkg.files for p in f.imports.paths
        ):
            return
        ctx.report(node_of(ctx.pkg, listeners[0]), f"service exposes {len(facts.routes)} route(s) but no liveness or readiness "
                   "endpoint (/livez, /readyz, /healthz...): probes can only test the TCP port; add both, or list custom "
                   "paths in the health-paths option")
