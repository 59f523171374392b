"""SG605 readiness-not-failed-before-shutdown.

The service has a readiness endpoint and calls Server.Shutdown, but nothing the readiness handler reads is set to failing (and nothing waits) between the stop signal and Shutdown.
The analysis is the ``readiness_flip`` fact of each Shutdown call
(golang.readiness_flip), which the deploy rule SG830 reads too: where the
manifests answer it (a preStop delay, or SG830's joined verdict), this code
finding gives way (SG830 ``settles`` SG605).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.facts import extract_facts, node_of
from steadygo.golang.frameworks import SERVER_IMPORTS
from steadygo.golang.readiness_flip import NO_FLIP
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import SERVICE_ROLES, code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class ReadinessNotFailedBeforeShutdown(GoRule):
    meta = code_meta(
        id="SG605",
        name="readiness-not-failed-before-shutdown",
        severity=Severity.WARNING,
        breakpoint="Shutdown closes the listeners at once while the pod is still listed as ready: until the endpoints update reaches every node, kube-proxy and the load balancers keep sending new connections that are refused, so every deploy produces a burst of errors.",
        summary="The service has a readiness endpoint and calls Server.Shutdown, but nothing the readiness handler reads is set to failing (and nothing waits) between the stop signal and Shutdown.",
        status="preview",
        roles=SERVICE_ROLES,
    )
    requires_imports = SERVER_IMPORTS

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        if b"Shutdown" not in f.source:
            return
        for s in extract_facts(ctx.pkg).shutdown_calls:
            if s.location.path != f.relpath or s.kind != "http" or s.readiness_flip != NO_FLIP:
                continue
            call = node_of(ctx.pkg, s)
            if call is None:
                continue
            ctx.report(call, f"{s.target}.Shutdown starts while the readiness endpoint still answers ready: Kubernetes "
                       "keeps routing new connections to this pod until its endpoints update, and they are refused; set "
                       "the flag the readiness handler reads to failing (and wait a few seconds) before calling Shutdown")
