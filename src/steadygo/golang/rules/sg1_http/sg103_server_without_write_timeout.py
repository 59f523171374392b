"""SG103 server-without-write-timeout: http.Server sets some timeouts but no WriteTimeout."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.http_values import timeouts_filled_by_library, typed_values
from steadygo.golang.ops_listeners import package_judged
from steadygo.golang.rules.base import ServerFieldRule
from steadygo.golang.streaming_servers import streaming_reason, timeout_handler_wraps
from steadygo.rulemeta import code_meta, SERVICE_ROLES

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class ServerWithoutWriteTimeout(ServerFieldRule):
    meta = code_meta(
        id="SG103",
        name="server-without-write-timeout",
        severity=Severity.WARNING,
        status="preview",  # 0 of 11 judged true on 22 real code bases: docs/rules/SG103.md
        breakpoint="A client that stops reading the response pins the handler goroutine and its buffers until the TCP stack gives up.",
        summary="http.Server sets some timeouts but no WriteTimeout.",
        roles=SERVICE_ROLES,  # a CLI or developer tool that serves is not the service a deploy keeps up
    )
    covered_by = ("WriteTimeout",)
    message = ("http.Server has no WriteTimeout: a client that stops reading keeps the handler "
               "goroutine and its buffers alive (use http.ResponseController for long streams)")

    def check(self, ctx: FileContext) -> None:
        if not package_judged(ctx):
            return
        for v in typed_values(ctx, "Server"):
            if v.has(*self.covered_by) or timeout_handler_wraps(ctx.pkg, ctx.file, v) \
                    or timeouts_filled_by_library(ctx.file, v):
                continue  # http.TimeoutHandler bounds each handler, and so its write; graceful.WithDefaults sets one
            if self.not_judged(ctx, v):
                continue
            why = streaming_reason(ctx.pkg, ctx.file, v)
            if why is None:
                ctx.report(v.node, self.message)
                continue
            # A whole-response deadline would cut gRPC, watch and raft streams:
            # no WriteTimeout is the right call, so this is a note, not advice.
            advice = ("set write deadlines on the upgraded connections themselves" if why.startswith("only WebSocket")
                      else "bound slow readers on the plain routes with per-route http.ResponseController write deadlines")
            ctx.report(v.node, f"http.Server serves {why}: a WriteTimeout would cut its long-lived streams, so "
                       f"it is rightly unset; {advice}", severity=Severity.INFO)
