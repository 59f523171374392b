"""SG621 gomaxprocs-ignores-cpu-quota.

Server on a Go version below 1.25 that does not align GOMAXPROCS with the CPU quota (automaxprocs or explicit).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.facts import service_facts_for
from steadygo.golang.frameworks import SERVER_IMPORTS
from steadygo.golang.rules.base import GoRule
from steadygo.golang.service_main import server_main
from steadygo.rulemeta import SERVICE_ROLES, code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class GomaxprocsNotContainerAware(GoRule):
    meta = code_meta(
        id="SG621",
        name="gomaxprocs-ignores-cpu-quota",
        severity=Severity.INFO,
        status="preview",  # 0 of 2 judged true on 22 real code bases: docs/rules/SG621.md
        breakpoint="Before Go 1.25 GOMAXPROCS is the node's core count, not the container's CPU quota: a 2-CPU pod on a 64-core node runs 64 Ps and is CFS-throttled, which shows up as tail latency.",
        summary="Server on a Go version below 1.25 that does not align GOMAXPROCS with the CPU quota (automaxprocs or explicit).",
        roles=SERVICE_ROLES,
    )
    module_facts = ("limits",)
    requires_imports = SERVER_IMPORTS

    def check(self, ctx: FileContext) -> None:
        main = server_main(ctx)
        if main is None:
            return
        if ctx.pkg.module.go_at_least(1, 25) is not False:
            return  # 1.25+: the runtime reads the cgroup limit; unknown: no claim
        facts = service_facts_for(ctx.pkg, "limits")
        if facts.gomaxprocs:
            return
        v = ctx.pkg.module.go_version
        ctx.report(main.child_by_field_name("name"), f"go {v[0]}.{v[1]} sets GOMAXPROCS to the node's cores, not the "
                   "container's CPU limit: import go.uber.org/automaxprocs (or set GOMAXPROCS), or move to go 1.25+ "
                   "where the runtime follows the cgroup limit")
