"""SG109 transport-created-per-request.

http.Transport or http.Client with a Transport created inside a request handler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.frameworks import NET_HTTP
from steadygo.golang.functions import inside_once
from steadygo.golang.http_values import typed_values
from steadygo.golang.rules.base import GoRule
from steadygo.golang.values import literal_keys
from steadygo.golang.parse import text, unparen
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class TransportPerRequest(GoRule):
    meta = code_meta(
        id="SG109",
        status="preview",  # 1 of 5 first-run holdout findings true: docs/rules/SG109.md
        name="transport-created-per-request",
        severity=Severity.WARNING,
        breakpoint="A new Transport (or Client with one) per request has an empty connection pool every time: each call dials, handshakes and leaves a socket in TIME_WAIT.",
        summary="http.Transport or http.Client with a Transport created inside a request handler.",
    )
    requires_imports = (NET_HTTP,)

    def check(self, ctx: FileContext) -> None:
        for v in typed_values(ctx, "Transport"):
            h = ctx.funcs.in_handler(v.node)
            if h is None:
                continue
            if inside_once(ctx, v.node):
                continue
            if v.literal is not None and _keep_alives_off(v.literal):
                continue  # no pool to lose: a one-shot transport by design (gotenberg pins each request's IPs)
            ctx.report(v.node, "http.Transport created inside a request handler: every request starts with an empty "
                       "connection pool; create one Transport/Client at start-up and share it")


def _keep_alives_off(lit) -> bool:
    v = unparen(literal_keys(lit).get("DisableKeepAlives"))  # literal_keys unwraps the element
    return v is not None and text(v) == "true"
