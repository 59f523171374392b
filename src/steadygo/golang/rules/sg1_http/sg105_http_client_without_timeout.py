"""SG105 http-client-without-timeout.

Outbound HTTP through a client with no Timeout (literal, zero value, DefaultClient, http.Get/Post/Head).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.frameworks import HTTP2, NET_HTTP
from steadygo.golang.http_clients import (
    client_transport_bounded,
    client_uses_bounded,
    holds_default_client,
    request_has_deadline,
)
from steadygo.golang.http_values import typed_values
from steadygo.golang.parse import captures, text, unparen
from steadygo.golang.rules.base import GoRule
from steadygo.golang.values import literal_keys
from steadygo.rulemeta import SERVICE_ROLES, code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.http_values import TypedValue
    from steadygo.golang.rules.base import FileContext


class ClientWithoutTimeout(GoRule):
    meta = code_meta(
        id="SG105",
        name="http-client-without-timeout",
        severity=Severity.WARNING,
        status="preview",  # 11 of 30 judged true on 22 real code bases: docs/rules/SG105.md
        breakpoint="One slow upstream makes every request that calls it hang; goroutines and connections pile up until the service falls over.",
        summary="Outbound HTTP through a client with no Timeout (literal, zero value, DefaultClient, http.Get/Post/Head).",
        roles=SERVICE_ROLES,
    )
    requires_imports = (NET_HTTP,)
    types_through_package = True

    _PKG_FUNCS = ("Get", "Post", "Head", "PostForm")

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for v in typed_values(ctx, "Client"):
            if v.has("Timeout") or _custom_round_tripper(ctx, v) or _http2_streams(ctx, v) or client_transport_bounded(ctx.pkg, f, v) \
                    or client_uses_bounded(ctx.pkg, f, v):
                continue
            ctx.report(v.node, "http.Client has no Timeout: a slow or silent upstream hangs the caller forever")
        if _default_client_timeout_set(ctx):
            return
        for call in ctx.pkg.calls_in(f, *self._PKG_FUNCS, "Do"):
            target = f.call_target(call)
            if target is not None and target[0] == NET_HTTP and target[1] in self._PKG_FUNCS:
                ctx.report(call, f"http.{target[1]} uses http.DefaultClient, which has no Timeout: "
                           "a slow upstream hangs this call forever")
                continue
            fn = call.child_by_field_name("function")
            if fn.type != "selector_expression":
                continue
            operand = fn.child_by_field_name("operand")
            method = text(fn.child_by_field_name("field"))
            if method not in ("Do", "Get", "Post", "Head", "PostForm"):
                continue
            if f.is_member(operand, NET_HTTP, "DefaultClient"):
                label = "http.DefaultClient"
            elif holds_default_client(ctx.pkg, f, operand):
                label = f"{text(operand)} (http.DefaultClient)"
            else:
                continue
            args = call.child_by_field_name("arguments").named_children
            if method == "Do" and args and request_has_deadline(ctx.pkg, f, args[0], ctx.funcs.enclosing(call)):
                continue
            ctx.report(call, f"{label}.{method} has no Timeout: a slow upstream hangs this call forever")


def _custom_round_tripper(ctx: FileContext, v: TypedValue) -> bool:
    """``Transport: &retryRoundTripper{...}``: a RoundTripper type of the
    package's own usually carries its own deadlines (retry clients, ...)."""
    if v.literal is None:
        return False
    t = unparen(literal_keys(v.literal).get("Transport"))
    if t is not None and t.type == "unary_expression":
        t = t.named_child(0)
    return t is not None and t.type == "composite_literal" and t.child_by_field_name("type").type == "type_identifier" \
        and not ctx.file.is_member(t.child_by_field_name("type"), NET_HTTP, "Transport")


def _http2_streams(ctx: FileContext, v: TypedValue) -> bool:
    """``Transport: &http2.Transport{...}`` (x/net/http2, h2c or TLS): a client
    built for HTTP/2 streams (wire protocols, gRPC-like calls) whose bodies
    live as long as the stream; an overall Timeout would cut them, so the
    bound belongs on each call's context."""
    if v.literal is None:
        return False
    t = unparen(literal_keys(v.literal).get("Transport"))
    if t is not None and t.type == "unary_expression":
        t = t.named_child(0)
    return t is not None and t.type == "composite_literal" and ctx.file.is_member(
        t.child_by_field_name("type"), HTTP2, "Transport")


def _default_client_timeout_set(ctx: FileContext) -> bool:
    def compute():
        for f in ctx.pkg.files:
            for lhs in captures("(assignment_statement left: (expression_list (selector_expression) @lhs))", f.root).get("lhs", []):
                if text(lhs.child_by_field_name("field")) == "Timeout":
                    op = lhs.child_by_field_name("operand")
                    if f.is_member(op, NET_HTTP, "DefaultClient"):
                        return True
        return False

    return ctx.pkg.memo("http.default_client_timeout", compute)
