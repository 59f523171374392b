"""SG106 outbound-request-without-caller-context.

Outbound request built without the context the function or handler received.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.frameworks import NET_HTTP, ROOT_CONTEXTS
from steadygo.golang.http_clients import client_has_timeout, holds_default_client, is_client_type, sending_client
from steadygo.golang.parse import captures, text, unparen
from steadygo.golang.request_scope import carries_root_context_only
from steadygo.golang.rules.base import GoRule
from steadygo.golang.values import holder_of
from steadygo.rulemeta import SERVICE_ROLES, code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_CALLS_Q = "(call_expression function: [(selector_expression) (identifier)] @fn) @call"


class OutboundRequestWithoutCallerContext(GoRule):
    meta = code_meta(
        id="SG106",
        status="preview",  # 5 of 37 first-run holdout findings true: docs/rules/SG106.md
        name="outbound-request-without-caller-context",
        severity=Severity.WARNING,
        breakpoint="When the caller gives up (client disconnect, deadline), the outbound call keeps running: work and connections are wasted exactly when the service is overloaded.",
        summary="Outbound request built without the context the function or handler received.",
        supersedes=("SG201",),
        roles=SERVICE_ROLES,
    )
    requires_imports = (NET_HTTP,)
    types_through_package = True

    def check(self, ctx: FileContext) -> None:
        self._client_calls(ctx)
        f = ctx.file
        for call in ctx.pkg.calls_in(f, "NewRequest", "NewRequestWithContext"):
            target = f.call_target(call)
            if target is None or target[0] != NET_HTTP or target[1] not in ("NewRequest", "NewRequestWithContext"):
                continue
            fn = ctx.funcs.enclosing(call)
            if fn is None:
                continue
            owner = fn if (fn.ctx_params or fn.is_handler) else _synchronous_closure_owner(ctx, fn)
            if owner is None or _context_attached_later(ctx, call, fn, owner) or _written_by_hand(ctx, call, fn):
                continue
            if carries_root_context_only(ctx.pkg, ctx.file, owner):
                continue  # the ctx it drops is a bare Background from every caller
            if _sent_by_bounded_client(ctx, call, fn):
                continue
            where = "this handler" if owner.is_handler else f"{owner.name or 'this function'} (it has a ctx parameter)"
            if target[1] == "NewRequest":
                ctx.report(call, f"http.NewRequest drops the context {where} received: the outbound call keeps running "
                           "after the caller gives up; use http.NewRequestWithContext(ctx, ...)")
            else:
                args = call.child_by_field_name("arguments").named_children
                if args:
                    a0 = unparen(args[0])
                    if a0 is not None and a0.type == "call_expression" and f.call_target(a0) in ROOT_CONTEXTS:
                        ctx.report(call, f"outbound request uses {text(a0)} inside {where}: cancellation and deadlines "
                                   "of the caller no longer reach it; pass the caller's ctx")


    def _client_calls(self, ctx: FileContext) -> None:
        """``client.Get(url)``, ``http.Get(url)``, ``http.DefaultClient.Post(...)``
        inside a handler or a ctx-taking function: Get, Head, Post and
        PostForm take no context at all, whichever client sends them (an
        ``*http.Client`` typed anywhere in the package, DefaultClient, or the
        package functions).  SG105 reports the missing timeout of the last two
        separately: a timeout bounds the call, but only the context stops it
        when the caller goes away."""
        f = ctx.file
        for call in ctx.pkg.calls_in(f, *_CONTEXTLESS):
            fn = call.child_by_field_name("function")
            if fn.type != "selector_expression":
                continue
            method = text(fn.child_by_field_name("field"))
            operand = fn.child_by_field_name("operand")
            if f.qualified(fn) is not None:
                if not f.is_member(fn, NET_HTTP, *_CONTEXTLESS):
                    continue
                label, via = f"http.{method}", "a client's Do"
            elif f.is_member(operand, NET_HTTP, "DefaultClient") or holds_default_client(ctx.pkg, f, operand) or \
                    is_client_type(ctx.pkg.types.type_of(f, operand)):
                label, via = f"{text(operand)}.{method}", f"{text(operand)}.Do"
            else:
                continue
            fi = ctx.funcs.enclosing(call)
            owner = None if fi is None else fi if (fi.ctx_params or fi.is_handler) else _synchronous_closure_owner(ctx, fi)
            if owner is None or (label != f"http.{method}" and client_has_timeout(ctx.pkg, f, operand)):
                continue
            if carries_root_context_only(ctx.pkg, f, owner):
                continue
            where = "this handler" if owner.is_handler else f"{owner.name or 'this function'} (it has a ctx parameter)"
            ctx.report(call, f"{label} sends a request without the context {where} received: the "
                       "outbound call keeps running after the caller gives up; build it with "
                       f"http.NewRequestWithContext(ctx, ...) and send it with {via}")


_CONTEXTLESS = ("Get", "Head", "Post", "PostForm")


def _sent_by_bounded_client(ctx: FileContext, call, fn) -> bool:
    """The request goes to ``c.Do(req)`` on a client with a Timeout: the
    call ends by itself within that bound even when the caller is gone, so
    the cost of the lost context is bounded work, not a stuck goroutine
    (judged debatable on every such finding sampled: caddy's on-demand TLS
    ask client, prometheus's hetzner discovery)."""
    holder = holder_of(call)
    if holder.kind != "var" or fn.body is None:
        return False
    client = sending_client(fn.body, holder.path)
    return client is not None and client_has_timeout(ctx.pkg, ctx.file, client)


def _context_attached_later(ctx: FileContext, call, fn, owner) -> bool:
    """``req = req.WithContext(ctx)``, ``req.Clone(ctx)``, or handing the
    request to a helper together with the caller's context
    (``client.Do(ctx, req)``, ``ctxhttp.Do(ctx, c, req)``) all put the
    context back on the request."""
    holder = holder_of(call)
    if holder.kind != "var" or fn.body is None:
        return False
    req = holder.path
    if _field_request_gets_context(ctx, fn, req):
        return True
    ctx_names = set(owner.ctx_params) | set(fn.ctx_params)
    for c in captures(_CALLS_Q, fn.body).get("call", []):
        if c.start_byte < call.end_byte:
            continue
        callee = c.child_by_field_name("function")
        if callee.type == "selector_expression" and text(callee.child_by_field_name("operand")) == req and text(
            callee.child_by_field_name("field")
        ) in ("WithContext", "Clone"):
            return True
        args = [text(a) for a in c.child_by_field_name("arguments").named_children]
        if req in args and any(a in ctx_names or a.endswith(".Context()") or a.endswith("UserContext()") for a in args):
            return True
    return False


def _field_request_gets_context(ctx: FileContext, fn, req: str) -> bool:
    """``s.req = req`` once, then ``s.client.Do(s.req.WithContext(ctx))`` on
    every use: a request built once and cached in a field is given the
    caller's context where it is sent, in this function or another method."""
    fields = set()
    for a in captures(_FIELD_STORE_Q, fn.body).get("a", []):
        right = a.child_by_field_name("right").named_children
        left = a.child_by_field_name("left").named_children
        if len(left) == 1 and len(right) == 1 and text(right[0]) == req:
            fields.add(text(left[0].child_by_field_name("field")))
    if not fields:
        return False
    for f, c in ctx.pkg.calls_to("WithContext"):
        operand = c.child_by_field_name("function").child_by_field_name("operand")
        if operand is not None and operand.type == "selector_expression" and \
                text(operand.child_by_field_name("field")) in fields:
            return True
    return False


_FIELD_STORE_Q = "(assignment_statement left: (expression_list (selector_expression)) right: (expression_list)) @a"


def _synchronous_closure_owner(ctx: FileContext, fn):
    """A func literal called synchronously inside a handler or ctx-taking
    function belongs to it; one started with ``go`` is detached on purpose
    (and is the goroutine rules' business)."""
    node = fn.node
    if fn.node.type != "func_literal":
        return None
    parent = node.parent
    if parent is not None and parent.type == "call_expression" and parent.parent is not None and parent.parent.type in ("go_statement", "defer_statement"):
        return None
    for outer in ctx.funcs.enclosing_chain(node):
        if outer.ctx_params or outer.is_handler:
            return outer
    return None


_WRITES = frozenset({"Write", "WriteProxy"})


def _written_by_hand(ctx: FileContext, call, fn) -> bool:
    """``req, _ := http.NewRequest(...)`` then ``req.Write(conn)`` (a CONNECT
    to a proxy, a request on a raw connection): Write and http.ReadResponse
    never look at the request's context, so giving it one changes nothing.
    Only when the request goes nowhere else (no Do, no RoundTrip, no other
    call it is handed to)."""
    h = holder_of(call)
    if h.kind != "var" or fn.body is None:
        return False
    written = False
    for ident in captures("(identifier) @i", fn.body).get("i", []):
        if text(ident) != h.path or ident.start_byte < call.end_byte:
            continue
        p = ident.parent
        if p.type == "selector_expression" and p.child_by_field_name("operand") == ident:
            if text(p.child_by_field_name("field")) in _WRITES and p.parent.type == "call_expression":
                written = True
            elif p.parent.type == "call_expression":
                continue  # req.SetBasicAuth(...), req.Header.Set(...)
            continue  # req.Close = false
        if p.type == "argument_list" and ctx.file.call_target(p.parent) == (NET_HTTP, "ReadResponse"):
            continue
        if p.type in ("binary_expression",):
            continue
        return False
    return written
