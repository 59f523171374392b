"""SG108 transport-default-max-idle-conns-per-host.

Shared http.Transport leaves MaxIdleConnsPerHost at the default (2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.frameworks import NET_HTTP
from steadygo.golang.http_values import typed_values
from steadygo.golang.rules.base import GoRule
from steadygo.golang.values import built_per_call, lives_one_operation
from steadygo.rulemeta import SERVICE_ROLES, code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class TransportDefaultIdleConnsPerHost(GoRule):
    meta = code_meta(
        id="SG108",
        name="transport-default-max-idle-conns-per-host",
        severity=Severity.INFO,
        status="preview",  # 0 of 5 judged true on 22 real code bases: docs/rules/SG108.md
        breakpoint="With the default of 2 idle connections per host, a busy client to one upstream closes and reopens connections constantly: TIME_WAIT sockets and handshake latency pile up.",
        summary="Shared http.Transport leaves MaxIdleConnsPerHost at the default (2).",
        roles=SERVICE_ROLES,
    )
    requires_imports = (NET_HTTP,)

    def check(self, ctx: FileContext) -> None:
        transports = typed_values(ctx, "Transport")
        if not transports or not _package_serves_http(ctx):
            return  # none here, or library code (the caller decides how a transport is shared)
        for v in transports:
            if v.has("MaxIdleConnsPerHost") or ctx.funcs.in_handler(v.node) is not None:
                continue
            if lives_one_operation(ctx.pkg, ctx.file, v.node):
                continue  # one-shot: a config load, an update check; its pool is never shared
            if built_per_call(ctx.pkg, ctx.file, v.node):
                continue  # a constructor every caller calls anew for its own request: nothing shared
            ctx.report(v.node, "http.Transport leaves MaxIdleConnsPerHost at 2: under concurrent calls to one upstream "
                       "most connections are closed after use and re-dialled")


def _package_serves_http(ctx: FileContext) -> bool:
    """The package has request handlers, so a transport it builds outside them
    is shared by concurrent requests."""

    def compute():
        return any(fi.is_handler for f in ctx.pkg.files for fi in ctx.pkg.functions(f).funcs)

    return ctx.pkg.memo("http.serves_http", compute)
