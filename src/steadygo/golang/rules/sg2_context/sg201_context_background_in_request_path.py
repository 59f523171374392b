"""SG201 context-background-in-request-path.

context.Background()/TODO() created inside a handler or a function that already receives a context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.frameworks import CONTEXT, NET_HTTP, ROOT_CONTEXTS
from steadygo.golang.lifecycle import callee_name, handler_ctx_expr, idents, in_main_or_init, is_ctx_name
from steadygo.golang.package_types import is_named
from steadygo.golang.parse import ancestors, captures, text
from steadygo.golang.request_scope import (
    called_name, cleanup_owner_name, consumer_of, ignores_context_arg, logging_name, on_failure_path, removal_name, serves_request,
    teardown_name,
)
from steadygo.golang.rules.base import LifecycleRule
from steadygo.golang.values import holder_of
from steadygo.rulemeta import SERVICE_ROLES, code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.functions import FuncInfo
    from steadygo.golang.rules.base import FileContext


def request_chain(funcs, node) -> tuple[list[FuncInfo], FuncInfo | None]:
    """Enclosing functions of node up to (but not through) a goroutine
    boundary, and the first one that carries a request context (a handler
    or a function with a named ctx parameter)."""
    chain = []
    for fi in funcs.enclosing_chain(node):
        chain.append(fi)
        if fi.is_handler or any(n and n != "_" for n in fi.ctx_params):
            return chain, fi
        lit = fi.node
        if lit.type != "func_literal":
            return chain, None
        parent = lit.parent
        if parent is not None and parent.type == "call_expression" and parent.parent is not None and parent.parent.type in (
            "go_statement",
            "defer_statement",
        ):
            return chain, None  # detached or cleanup code: a fresh context is deliberate
        if parent is not None and parent.type == "argument_list":
            call = parent.parent
            if call is None or callee_name(call) != "Go":
                return chain, None  # a callback runs later, on someone else's schedule
        elif parent is None or parent.type != "call_expression":
            return chain, None  # stored in a variable or field: a callback, not inline code
    return chain, None


class ContextChainBroken(LifecycleRule):
    meta = code_meta(
        id="SG201",
        name="context-background-in-request-path",
        severity=Severity.WARNING,
        breakpoint="Client disconnects and deadlines stop reaching downstream calls: abandoned requests keep running queries and RPCs exactly when the service is overloaded.",
        summary="context.Background()/TODO() created inside a handler or a function that already receives a context.",
        roles=SERVICE_ROLES,
        status="preview",  # 5 of 30 judged true on 22 real code bases (docs/rules/SG201.md)
    )
    requires_imports = (CONTEXT,)
    # a stored context is reached as x.ctx / x.rootCtx: the byte test is loose
    # (".ctx" also hits ".ctxKey"), the query below decides
    markers = ((b"Background()", b"TODO()", b"Ctx,", b"Ctx)", b".ctx,", b".ctx)", b".context,", b".context)"),)

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        if f.is_test:
            return
        self._stored_contexts(ctx)
        for call in ctx.pkg.calls_in(f, "Background", "TODO"):
            target = f.call_target(call)
            if target not in ROOT_CONTEXTS:
                continue
            chain, owner = request_chain(ctx.funcs, call)
            if owner is None or in_main_or_init(chain, f):
                continue
            wrapped = _wrapping_calls(call)
            outer = wrapped[-1]
            if (
                _compared(call)
                or _in_nil_check(call, owner)
                or _deliberate_holder(outer, owner)
                or _deferred_or_go_argument(outer)
            ):
                continue
            if (
                not owner.is_handler
                and target[1] == "Background"
                and holder_of(outer).kind == "var"
            ):
                # ctx-taking function that names a separate root context
                # (cleanup, a stream that must outlive the call): deliberate
                # far more often than not; inline Background()/TODO() is not.
                continue
            if _detached_by_intent(ctx, outer, owner) or not serves_request(ctx.pkg, f, owner):
                continue
            sev = None
            if any(_is_bounding(f, w) for w in wrapped[1:]):
                if not owner.is_handler or owner.handler == "grpc":
                    continue  # detached with its own deadline: cleanup that must survive cancellation
                sev = Severity.INFO
            if owner.is_handler and owner.handler != "grpc":
                where = f"handler {owner.name or '(func literal)'}; use {handler_ctx_expr(owner)}"
            else:
                where = f"{owner.name or 'a function'} which receives {owner.ctx_params[0]}; pass it on"
            # http.NewRequestWithContext(context.Background(), ...) is reported on
            # the request call, the node SG106 reports (and supersedes) too.
            ctx.report(self._outbound_request(ctx, call) or call, f"{text(call)} starts a new context chain inside {where}: client disconnects and "
                       "deadlines no longer cancel the work below (use context.WithoutCancel if detaching is intended)",
                       severity=sev)

    def _stored_contexts(self, ctx) -> None:
        """``s.ctx`` passed on inside a function whose own ctx parameter is
        never used: the long-lived context of the struct replaces the
        caller's, so the caller's cancellation and deadline stop here."""
        f = ctx.file
        done: set[int] = set()
        for sel in captures(_STORED_CTX_Q, f.root).get("sel", []):
            if not is_ctx_name(text(sel.child_by_field_name("field"))):
                continue
            chain, owner = request_chain(ctx.funcs, sel)
            if owner is None or owner.node.id in done or owner.is_handler or in_main_or_init(chain, f):
                continue
            own_ctx = [n for n in owner.ctx_params if n and n != "_"]
            body = owner.body
            if not own_ctx or body is None or idents(body) & set(own_ctx):
                continue  # the caller's context is used (or merged) somewhere
            if not is_named(ctx.pkg.types.type_of(f, sel), "context", "Context"):
                continue  # caddy.Context and other wrappers: the ctx parameter would not fit
            if not serves_request(ctx.pkg, f, owner):
                continue
            done.add(owner.node.id)
            ctx.report(sel, f"{text(sel)} (a stored, long-lived context) is passed on inside {owner.name or 'a function'} "
                       f"while its own {own_ctx[0]} is never used: the caller's cancellation and deadline stop here; "
                       f"pass {own_ctx[0]} (or derive from it)")

    @staticmethod
    def _outbound_request(ctx, call):
        """The http.NewRequestWithContext call that ``call`` is the context argument of."""
        args = call.parent
        outer = args.parent if args is not None and args.type == "argument_list" else None
        if outer is not None and ctx.file.call_target(outer) == (NET_HTTP, "NewRequestWithContext"):
            return outer
        return None


_STORED_CTX_Q = """(argument_list (selector_expression field: (field_identifier) @f
   (#match? @f "([cC]tx|[cC]ontext)$")) @sel)"""


def _detached_by_intent(ctx, node, owner) -> bool:
    """The fresh context goes to a call that must not die with the caller
    (teardown, undo on a failure path), that only logs with it, or whose
    same-package declaration ignores it (``_ context.Context``)."""
    consumer, idx = consumer_of(node)
    if consumer is None:
        return False
    name = called_name(consumer)
    if logging_name(name) or teardown_name(name):
        return True
    if removal_name(name) and (
        on_failure_path(consumer, owner.node) or cleanup_owner_name(owner.name)
    ):
        return True
    return ignores_context_arg(ctx.pkg, ctx.file, consumer, idx)


def _wrapping_calls(call) -> list:
    """The Background() call and the context-deriving calls wrapped around
    it: ``context.WithTimeout(ns.WithNamespace(context.Background(), n), d)``."""
    out = [call]
    node = call
    while node.parent is not None and node.parent.type == "argument_list" and len(out) < 4:
        outer = node.parent.parent
        if outer is None or outer.type != "call_expression":
            break
        name = callee_name(outer)
        if not (name.startswith("With") or (name.startswith("New") and name.endswith("Context"))):
            break  # a consumer of the context (db.QueryContext), not a wrapper deriving a new one
        out.append(outer)
        node = outer
    return out


def _compared(call) -> bool:
    # `if ctx != context.Background()`: a fast path test, not a new chain
    p = call.parent
    return p is not None and p.type == "binary_expression" and text(p.child(1)) in ("==", "!=")


def _in_nil_check(call, owner) -> bool:
    """``if ctx == nil { ctx = context.Background() }`` / ``return context.Background()``."""
    names = {n for n in owner.ctx_params if n}
    for n in ancestors(call, owner.node):
        if n.type == "if_statement":
            cond = text(n.child_by_field_name("condition")).replace(" ", "")
            if any(f"{c}==nil" in cond for c in names):
                return True
    return False


def _deliberate_holder(node, owner) -> bool:
    """The new context is stored in a struct field (or its cancel is), or
    replaces the ctx parameter itself: the author chose its lifetime."""
    parent = node.parent
    if parent is None:
        return False
    if parent.type == "literal_element":
        return True  # &onlyValuesCtx{Context: context.Background()}
    if parent.type != "expression_list":
        return False
    stmt = parent.parent
    if stmt is None or stmt.type not in ("assignment_statement", "short_var_declaration"):
        return False
    if stmt.child_by_field_name("right") != parent:
        return False
    for target in stmt.child_by_field_name("left").named_children:
        if target.type == "selector_expression":
            return True
        if target.type == "identifier" and text(target) in owner.ctx_params:
            return True
    return False


def _deferred_or_go_argument(node) -> bool:
    # defer ref.Release(context.TODO()) / go x.Close(context.Background()):
    # cleanup and detached work run after (or apart from) the request
    p = node.parent
    if p is not None and p.type == "argument_list":
        p = p.parent.parent if p.parent is not None else None
    return p is not None and p.type in ("defer_statement", "go_statement")


def _is_bounding(f, call) -> bool:
    name = callee_name(call)
    return "Timeout" in name or "Deadline" in name
