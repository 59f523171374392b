"""SG316 response-body-closed-unread.

Outbound response whose body is closed but never read, in a module whose go directive is older than 1.27.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.flow import acquisition_statement, flow_around
from steadygo.golang.frameworks import NET_HTTP
from steadygo.golang.http_clients import client_calls
from steadygo.golang.parse import text
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.flow import FunctionFlow
    from steadygo.golang.rules.base import FileContext


# The toolchain release whose http.Transport drains up to 256 KiB of an
# unread response body on Close (golang/go#77370); before it, Close on an
# unread body closes the connection.  Not GODEBUG-gated: it follows the
# toolchain that builds the binary, which the go directive only bounds from
# below.
_DRAINING_GO = (1, 27)


class ResponseBodyClosedUnread(GoRule):
    meta = code_meta(
        id="SG316",
        name="response-body-closed-unread",
        severity=Severity.INFO,
        breakpoint="Built with Go before 1.27, closing a response body that was never read closes the keep-alive connection: every call to the upstream pays a new TCP (and TLS) handshake and leaves a TIME_WAIT socket, which under load exhausts ephemeral ports and adds latency.",
        summary="Outbound response whose body is closed but never read, in a module whose go directive is older than 1.27.",
        status="preview",
    )
    requires_imports = (NET_HTTP,)

    def check(self, ctx: FileContext) -> None:
        if ctx.pkg.module.go_at_least(*_DRAINING_GO) is not False:
            return  # built by 1.27+ (or unknown): Close drains small bodies itself
        f = ctx.file
        for call, _, method, _ in client_calls(f):
            if method == "Head":
                continue  # a HEAD response has no body to drain
            stmt, lhs = acquisition_statement(call)
            if stmt is None or len(lhs) != 2 or lhs[0] == "_":
                continue
            var = lhs[0]
            flow = flow_around(ctx, call)
            if flow is None:
                continue
            if self._closed_unread(flow, var, stmt):
                v = ctx.pkg.module.go_version
                ctx.report(call, f"{var}.Body is closed but never read: a binary built with Go before 1.27 (go.mod says "
                           f"{v[0]}.{v[1]}) then drops the keep-alive connection, so every call opens a new one; "
                           f"drain it first (io.Copy(io.Discard, {var}.Body)) or build with Go 1.27+")

    @staticmethod
    def _closed_unread(flow: FunctionFlow, var: str, acq) -> bool:
        """``var.Body.Close()`` is the only use of the body, and ``var`` itself
        goes nowhere (a response handed to a helper may be read there)."""
        closed = False
        for ident in flow.idents(var):
            if ident.start_byte < acq.end_byte:
                continue
            sel = ident.parent
            if sel is None or sel.type != "selector_expression" or sel.child_by_field_name("operand") != ident:
                return False  # the response itself escapes: returned, passed, stored
            if text(sel.child_by_field_name("field")) != "Body":
                continue  # StatusCode, Header ...: not the body
            use = sel.parent
            if (use is not None and use.type == "selector_expression" and use.child_by_field_name("operand") == sel
                    and text(use.child_by_field_name("field")) == "Close" and use.parent is not None
                    and use.parent.type == "call_expression"):
                closed = True
                continue
            return False  # the body is read, copied or handed on
        return closed
