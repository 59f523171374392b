"""SG213 loop-ignores-context.

Long-running loop (sleeps, receives, selects) in a function with a ctx that never checks ctx.Done()/ctx.Err().
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.frameworks import CONTEXT, CONTEXT_FRAMEWORKS
from steadygo.golang.lifecycle import (
    chain_of,
    ctx_names,
    exits_of,
    counted_loop,
    handler_ctx_expr,
    in_main_or_init,
    is_brief_sleep,
    loop_kind,
    observes_context,
    own,
    WAIT_Q,
    waits_then_leaves,
)
from steadygo.golang.parse import captures, enclosing_function as enclosing_func, text
from steadygo.golang.parse import ancestors
from steadygo.golang.rules.base import HasNodes, LifecycleRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class LoopIgnoresContext(LifecycleRule):
    meta = code_meta(
        id="SG213",
        name="loop-ignores-context",
        severity=Severity.WARNING,
        breakpoint="After the caller cancels, the loop keeps polling, sleeping and retrying: work for dead requests piles up until the process is saturated.",
        summary="Long-running loop (sleeps, receives, selects) in a function with a ctx that never checks ctx.Done()/ctx.Err().",
        status="preview",  # 1 of 6 judged findings true (docs/rules/SG213.md)
    )
    requires_imports = (CONTEXT, *CONTEXT_FRAMEWORKS)
    markers = ((HasNodes("for"),), (HasNodes("select"), b"Sleep(", b"Tick", b"After(", b".C"))

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for loop in f.nodes("for"):
            kind = loop_kind(loop)
            if kind not in ("forever", "cond", "range-ticker"):
                continue
            body = loop.child_by_field_name("body")
            fn = enclosing_func(loop)
            waits = [w for w in own(captures(WAIT_Q, body).get("w", []), fn)
                     if not is_brief_sleep(ctx.pkg, f, w) and not waits_then_leaves(w, loop)]
            if not waits and kind != "range-ticker":
                continue  # no wait, a nanosecond spin, or a sleep on the way out
            if kind == "cond" and counted_loop(ctx.pkg, loop):
                continue  # `for n < 5 { ...; n++ }`: a bounded retry
            chain = chain_of(ctx, loop)
            owner = next((fi for fi in chain if fi.is_handler or any(n and n != "_" for n in fi.ctx_params)), None)
            if owner is None or in_main_or_init(chain, f):
                continue
            if _never_cancelled(ctx, owner):
                continue
            names = ctx_names(chain)
            if observes_context(loop, names):
                continue
            exits = exits_of(loop)
            if any(_inside_comm_case(x, loop) for x in exits):
                continue  # a quit/done channel ends it: stoppable, just not by ctx
            if kind == "cond" and not any(w.type == "call_expression" for w in waits):
                continue  # `for !done { <-ch }`: the condition is the stop signal
            what = "handler" if owner.is_handler and owner.handler != "grpc" else f"{owner.ctx_params[0]}"
            ctx.report(loop, f"this loop waits (sleep/channel/select) but never checks {what if what != 'handler' else handler_ctx_expr(owner)}"
                       ".Done() or .Err(): after the caller cancels it keeps running; select on ctx.Done() "
                       "or return when ctx.Err() != nil")


_UNCANCELLABLE = ("context.TODO()", "context.Background()")


def _never_cancelled(ctx, owner) -> bool:
    """An unexported function whose every caller in the package hands it
    ``context.TODO()`` or ``context.Background()``: there is no cancellation
    for the loop to observe."""
    if owner.is_handler or not owner.name or owner.name[:1].isupper() or owner.receiver_type:
        return False
    names = [p.name for p in owner.params]
    if owner.ctx_params[0] not in names:
        return False
    at = names.index(owner.ctx_params[0])
    calls = [c for _f, c in ctx.pkg.calls_to(owner.name) if c.child_by_field_name("function").type == "identifier"]
    if not calls:
        return False
    for c in calls:
        args = [a for a in c.child_by_field_name("arguments").named_children if a.type != "comment"]
        if len(args) <= at or text(args[at]).replace(" ", "") not in _UNCANCELLABLE:
            return False
    return True


def _inside_comm_case(node, loop) -> bool:
    return any(n.type == "communication_case" for n in ancestors(node, loop))
