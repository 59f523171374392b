"""SG620 missing-memory-limit.

A server's main sets no memory limit (debug.SetMemoryLimit, automemlimit) on Go >= 1.19.
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


class MissingMemoryLimit(GoRule):
    meta = code_meta(
        id="SG620",
        name="missing-memory-limit",
        severity=Severity.INFO,
        status="preview",  # 0 of 5 judged true on 22 real code bases: docs/rules/SG620.md
        breakpoint="Without a soft memory limit the GC only paces by GOGC: the heap may grow to twice the live set and the container is OOM-killed before the collector works hard.",
        summary="A server's main sets no memory limit (debug.SetMemoryLimit, automemlimit) on Go >= 1.19.",
        roles=SERVICE_ROLES,
    )
    module_facts = ("limits",)
    requires_imports = SERVER_IMPORTS

    def check(self, ctx: FileContext) -> None:
        main = server_main(ctx)
        if main is None or ctx.pkg.module.go_at_least(1, 19) is False:
            return
        facts = service_facts_for(ctx.pkg, "limits")
        if facts.memory_limit:
            return
        ctx.report(main.child_by_field_name("name"), "no memory limit in code (debug.SetMemoryLimit or "
                   "github.com/KimMachineGun/automemlimit): unless the deployment sets GOMEMLIMIT (about 90% of the "
                   "container limit), the heap can outgrow the container before the GC reacts")
