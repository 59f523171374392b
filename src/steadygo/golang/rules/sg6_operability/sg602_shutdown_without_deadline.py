"""SG602 shutdown-without-deadline: Server.Shutdown called with a context that has no deadline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.facts import extract_facts, node_of
from steadygo.golang.frameworks import SERVER_IMPORTS
from steadygo.golang.lifecycle import forced_quit
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class ShutdownWithoutDeadline(GoRule):
    meta = code_meta(
        id="SG602",
        name="shutdown-without-deadline",
        severity=Severity.WARNING,
        status="preview",  # 0 of 5 judged true on 22 real code bases: docs/rules/SG602.md
        breakpoint="Shutdown with context.Background() waits for every connection forever: one stuck request or long-poll keeps the pod Terminating until the kubelet SIGKILLs it mid-request.",
        summary="Server.Shutdown called with a context that has no deadline.",
    )
    requires_imports = SERVER_IMPORTS

    def check(self, ctx: FileContext) -> None:
        if b"Shutdown" not in ctx.file.source:
            return
        for s in extract_facts(ctx.pkg).shutdown_calls:
            if s.location.path != ctx.file.relpath or s.kind != "http" or s.deadline != "background":
                continue
            if forced_quit(ctx.pkg, ctx.file, node_of(ctx.pkg, s)):
                continue  # the process exits after a bounded wait anyway
            ctx.report(node_of(ctx.pkg, s), f"{s.target}.Shutdown has no deadline: a single stuck connection blocks exit until "
                       "SIGKILL; use context.WithTimeout shorter than terminationGracePeriodSeconds")
