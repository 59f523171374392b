"""SG404 panic-in-request-path: panic (or log.Panic) called inside a request handler."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.error_checks import calls_named, has_deferred_recover, started_as_goroutine
from steadygo.golang.functions import may_have_handlers
from steadygo.golang.panics import RECOVERED_BY_SERVER, after_flushed_response, exact_handler_signature, is_assertion, \
    lock_held_at, package_recovers_panics
from steadygo.golang.parse import text, unparen
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class PanicInRequestPath(GoRule):
    meta = code_meta(
        id="SG404",
        status="preview",  # 0 of 5 first-run holdout findings true: docs/rules/SG404.md
        name="panic-in-request-path",
        severity=Severity.WARNING,
        breakpoint="A panic while serving a request kills the whole process where the server does not recover it (gRPC, fiber without its recover middleware); under net/http it leaves any mutex it held locked, and every later request hangs on it.",
        summary="panic (or log.Panic) called inside a request handler.",
    )

    def check(self, ctx: FileContext) -> None:
        if not may_have_handlers(ctx):
            return  # a handler's signature needs a framework import (or gRPC in the package)
        f = ctx.file
        for call in calls_named(ctx, "panic", "Panic", "Panicf", "Panicln"):
            fn = call.child_by_field_name("function")
            is_panic = fn.type == "identifier" and text(fn) == "panic" and not _panic_shadowed(ctx, call)
            t = f.call_target(call)
            if not is_panic and t not in (("log", "Panic"), ("log", "Panicf"), ("log", "Panicln")):
                continue
            args = call.child_by_field_name("arguments").named_children
            if is_panic and args and f.is_member(unparen(args[0]), "net/http", "ErrAbortHandler"):
                continue
            chain = list(ctx.funcs.enclosing_chain(call))
            h = next((fi for fi in chain if fi.is_handler), None)
            if h is None or not exact_handler_signature(h):
                continue  # a helper that takes *gin.Context and returns a value is not what the router calls
            if is_panic and (is_assertion(call, h.request_param()) or after_flushed_response(ctx, call)):
                continue  # an invariant, or a deliberate disconnect after the client has its 500
            # only the synchronous path: a goroutine's panic is SG405's
            inner = chain[: chain.index(h)]
            if any(started_as_goroutine(fi.node) for fi in inner):
                continue
            if any(has_deferred_recover(ctx.pkg, fi.body) for fi in chain[: chain.index(h) + 1]):
                continue
            if h.handler in RECOVERED_BY_SERVER:
                # net/http recovers the panic and the process lives; what
                # outlives it is a mutex the panic left locked.
                held = lock_held_at(f, h.body, call)
                if held is not None:
                    ctx.report(call, f"panic inside a {h.handler} handler while {held} is locked: net/http recovers the "
                               f"panic but nothing unlocks {held}, so every later request that takes it hangs; return "
                               f"an error response instead (or defer {held}'s unlock)")
                continue
            if h.handler != "grpc" and package_recovers_panics(ctx.pkg):
                continue  # recovery middleware in the router chain answers 500
            if h.handler == "grpc":
                ctx.report(call, "panic inside a gRPC handler: grpc-go does not recover panics, so this crashes the whole "
                           "process and every in-flight call; return a status error instead", severity=Severity.ERROR)
            else:
                ctx.report(call, f"panic inside a {h.handler} handler: {h.handler} does not recover panics without its "
                           "recover middleware, so this crashes the whole process and every request in flight; return "
                           "an error instead")


def _panic_shadowed(ctx, call) -> bool:
    def compute():
        return any(n.type == "function_declaration" and text(n.child_by_field_name("name")) == "panic"
                   for f in ctx.pkg.files for n in f.root.named_children)

    return ctx.pkg.memo("err.panic_shadowed", compute)
