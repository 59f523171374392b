"""SG601 server-without-graceful-shutdown.

A service's main starts an HTTP server and nothing in the module ever calls Shutdown on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.facts import node_of, service_facts_for
from steadygo.golang.frameworks import SERVER_IMPORTS
from steadygo.golang.listeners import file_listeners, is_main
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import SERVICE_ROLES, code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class ServerWithoutGracefulShutdown(GoRule):
    meta = code_meta(
        id="SG601",
        status="preview",  # 1 of 13 first-run holdout findings true: docs/rules/SG601.md
        name="server-without-graceful-shutdown",
        severity=Severity.WARNING,
        breakpoint="On every deploy or scale-down the pod gets SIGTERM and the process dies at once: in-flight requests are cut and clients see resets and 502s.",
        summary="A service's main starts an HTTP server and nothing in the module ever calls Shutdown on it.",
        roles=SERVICE_ROLES,
    )
    module_facts = ("shutdown",)
    requires_imports = SERVER_IMPORTS

    def check(self, ctx: FileContext) -> None:
        if not is_main(ctx):
            return
        listeners = file_listeners(ctx)
        if not listeners:
            return
        facts = service_facts_for(ctx.pkg, "shutdown")
        if any(s.kind in ("http", "other") for s in facts.shutdown_calls):
            return
        sig = " (signals are caught, but the server is never shut down)" if facts.signals else ""
        # One finding per file: the fix is one shutdown path for the service,
        # however many branches start a server (wakapi: six, TLS or not).
        starts = [(node_of(ctx.pkg, l), l) for l in listeners]
        # A start in a function nothing calls never runs (hound's leftover runHttp).
        starts = sorted((s for s in starts if s[0] is not None and not ctx.pkg.in_dead_function(ctx.file, s[0])),
                        key=lambda s: s[0].start_byte)
        if not starts:
            return
        first, l = starts[0]
        more = len(starts) - 1
        also = f" (and {more} more server start{'s' if more > 1 else ''} in this file)" if more else ""
        ctx.report(first, f"{l.call} with no graceful shutdown anywhere in the service{sig}{also}: on SIGTERM "
                   "in-flight requests are cut; catch SIGTERM (signal.NotifyContext) and call Server.Shutdown with a deadline")
