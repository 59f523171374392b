"""SG622 gc-off-without-memory-limit: debug.SetGCPercent(-1) (GC off) with no memory limit in the service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.facts import extract_facts, service_facts_for
from steadygo.golang.parse import captures, text, unparen
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import SERVICE_ROLES, code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class GcOffWithoutMemoryLimit(GoRule):
    meta = code_meta(
        id="SG622",
        name="gc-off-without-memory-limit",
        severity=Severity.ERROR,
        status="preview",  # never fired on 187 public services: no record of 30 judged at 90 %: docs/rules/SG622.md
        breakpoint="With GOGC off and no memory limit the heap never shrinks: the process grows until the kernel OOM-kills it.",
        summary="debug.SetGCPercent(-1) (GC off) with no memory limit in the service.",
        roles=SERVICE_ROLES,
    )
    module_facts = ("limits",)
    requires_imports = ("runtime/debug",)

    def check(self, ctx: FileContext) -> None:
        if b"SetGCPercent" not in ctx.file.source:  # (test programs that turn the GC off are not judged: roles)
            return
        for call in captures("(call_expression function: (selector_expression) @fn) @call", ctx.file.root).get("call", []):
            if ctx.file.call_target(call) != ("runtime/debug", "SetGCPercent"):
                continue
            args = call.child_by_field_name("arguments").named_children
            if not args or text(unparen(args[0])).replace(" ", "") != "-1":
                continue
            facts = service_facts_for(ctx.pkg, "limits")
            if facts.memory_limit or extract_facts(ctx.pkg).memory_limit:
                continue
            ctx.report(call, "GC turned off (SetGCPercent(-1)) with no memory limit: the heap only grows until the "
                       "OOM killer ends the process; set debug.SetMemoryLimit (or GOMEMLIMIT) as the collection trigger")
