"""SG211 unbounded-goroutine-fan-out: Goroutine per element of request data in a loop with no semaphore or limit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.frameworks import CONTEXT_FRAMEWORKS
from steadygo.golang.lifecycle import callee_name, callee_operand, calls_in, chain_of, GO_Q, own, SEND_Q
from steadygo.golang.parse import captures, enclosing_function as enclosing_func, text, unparen
from steadygo.golang.rules.base import GO_STMT, LifecycleRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class UnboundedFanOut(LifecycleRule):
    meta = code_meta(
        id="SG211",
        name="unbounded-goroutine-fan-out",
        severity=Severity.WARNING,
        breakpoint="One request with a large list starts that many goroutines at once: memory, file descriptors and downstream connections blow up under a single big input.",
        summary="Goroutine per element of request data in a loop with no semaphore or limit.",
        status="preview",
    )
    requires_imports = CONTEXT_FRAMEWORKS
    markers = ((*GO_STMT, b".Go("), (b"range",))

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for loop in f.nodes("for"):
            rc = next((c for c in loop.named_children if c.type == "range_clause"), None)
            if rc is None:
                continue
            right = unparen(rc.child_by_field_name("right"))
            if right is None or right.type == "int_literal":
                continue  # `for range 4`: a fixed pool, not request-sized
            fn = enclosing_func(loop)
            if fn is None:
                continue
            body = loop.child_by_field_name("body")
            spawns = own(captures(GO_Q, body).get("g", []), fn) + [
                c for c in own(calls_in(body), fn) if callee_name(c) == "Go" and callee_operand(c)
            ]
            if not spawns:
                continue
            if not any(fi.is_handler for fi in chain_of(ctx, loop)):
                continue  # outside a handler we cannot tell request data from a fixed list
            if self._limited(fn, loop, body, spawns):
                continue
            ctx.report(spawns[0], f"one goroutine per element of {text(right)} with no limit: a large request starts "
                       "that many at once; bound it (errgroup SetLimit, a semaphore channel, or a worker pool)")

    @staticmethod
    def _limited(fn, loop, body, spawns) -> bool:
        if own(captures(SEND_Q, body).get("s", []), fn):
            return True  # sem <- struct{}{} before starting
        for c in calls_in(body):
            if callee_name(c) in ("Acquire", "TryAcquire", "Wait"):
                return True
        for c in calls_in(fn.child_by_field_name("body")):
            if callee_name(c) == "SetLimit" and c.start_byte < loop.start_byte:
                return True
        return False
