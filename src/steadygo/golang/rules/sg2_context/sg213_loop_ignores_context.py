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
    handler_ctx_expr,
    in_main_or_init,
    loop_kind,
    observes_context,
    own,
    WAIT_Q,
)
from steadygo.golang.parse import captures, enclosing_function as enclosing_func
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
            waits = own(captures(WAIT_Q, body).get("w", []), fn)
            if not waits and kind != "range-ticker":
                continue
            chain = chain_of(ctx, loop)
            owner = next((fi for fi in chain if fi.is_handler or any(n and n != "_" for n in fi.ctx_params)), None)
            if owner is None or in_main_or_init(chain, f):
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


def _inside_comm_case(node, loop) -> bool:
    return any(n.type == "communication_case" for n in ancestors(node, loop))
