"""SG214 send-ignores-cancellation.

Bare channel send in a function that elsewhere selects on ctx.Done() or a stop channel.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.lifecycle import callee_name, is_within, own, SEND_Q
from steadygo.golang.parse import captures, enclosing_function as enclosing_func, text, unparen
from steadygo.golang.rules.base import HasNodes, LifecycleRule
from steadygo.golang.values import holder_of
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_STOP_NAME = re.compile(r"(?i)(stop|quit|done|clos|shutdown|exit|die|dying|cancel|kill|term)")


class SendIgnoresCancellation(LifecycleRule):
    meta = code_meta(
        id="SG214",
        name="send-ignores-cancellation",
        severity=Severity.WARNING,
        breakpoint="The function stops waiting when it is cancelled, but this send does not: once the receiver has gone, the goroutine blocks on it forever.",
        summary="Bare channel send in a function that elsewhere selects on ctx.Done() or a stop channel.",
        status="preview",
    )
    markers = ((b"<-",), (HasNodes("select"),), (b"Done()", b"stop", b"quit", b"clos", b"Stop", b"Quit", b"Clos"))

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for sel in f.nodes("select"):
            fn = enclosing_func(sel)
            if fn is None or not self._watches_stop(sel):
                continue
            key = ("SG214.fn", fn.id)
            if key in ctx.pkg._memo:
                continue
            ctx.pkg._memo[key] = True
            body = fn.child_by_field_name("body")
            unbuffered = _unbuffered_channels(ctx.pkg)
            received = _received_names(body)
            stop_cases = [c for c in own(captures("(communication_case) @c", body).get("c", []), fn) if self._is_stop_case(c)]
            for send in own(captures(SEND_Q, body).get("s", []), fn):
                if send.parent is not None and send.parent.type == "communication_case":
                    continue  # part of a select: it has its own way out
                chan = text(send.child_by_field_name("channel")).replace(" ", "")
                if chan.split(".")[-1] not in unbuffered:
                    continue  # buffered somewhere, or made where we cannot see: no claim
                if chan.split(".")[0] in received:
                    continue  # replying on a channel a requester sent us: it is waiting for this
                if any(is_within(send, c) for c in stop_cases):
                    continue  # acknowledging the stop request: the stopper waits for it
                ctx.report(send, f"send on {chan} ignores cancellation although this function selects on a stop "
                           f"signal (line {sel.start_point[0] + 1}): once the receiver has gone it blocks forever; "
                           f"select {{ case {chan} <- v: case <-ctx.Done(): return }}")

    @classmethod
    def _watches_stop(cls, sel) -> bool:
        return any(c.type == "communication_case" and cls._is_stop_case(c) for c in sel.named_children)

    @staticmethod
    def _is_stop_case(case) -> bool:
        """``case <-ctx.Done():`` or ``case <-s.stopc:`` (a stop-like name)."""
        comm = case.child_by_field_name("communication")
        recv = comm.child_by_field_name("right") if comm is not None and comm.type == "receive_statement" else comm
        if recv is None or recv.type != "unary_expression" or not text(recv).startswith("<-"):
            return False
        op = unparen(recv.child_by_field_name("operand"))
        if op is None:
            return False
        if op.type == "call_expression" and callee_name(op) == "Done":
            return True
        last = text(op).split(".")[-1]
        return op.type in ("identifier", "selector_expression") and bool(_STOP_NAME.search(last))


def _received_names(body) -> set[str]:
    """Variables that hold a value received from a channel (``c := <-n.status``,
    ``case in := <-w.input``): request/response channels travel this way."""
    out = set()
    for st in captures("(receive_statement left: (expression_list . (identifier) @n)) (short_var_declaration left: (expression_list . (identifier) @n) right: (expression_list . (unary_expression operator: \"<-\")))", body).get("n", []):
        out.add(text(st))
    return out


_MAKE_Q = """
(call_expression function: (identifier) @mk (#eq? @mk "make")
                 arguments: (argument_list . (channel_type))) @make
"""


def _unbuffered_channels(pkg) -> set[str]:
    """Names (variables, struct fields) that hold channels made unbuffered
    everywhere the package makes them: ``c := make(chan T)``,
    ``w.done = make(chan T)``, ``&W{done: make(chan T)}``.  A name ever made
    with a buffer, or never made here, is left out."""

    def compute():
        unbuf: set[str] = set()
        buf: set[str] = set()
        for f in pkg.files:
            if b"make(chan" not in f.source:
                continue
            for mk in captures(_MAKE_Q, f.root).get("make", []):
                h = holder_of(mk)
                if h.kind not in ("var", "field") or not h.path:
                    continue
                name = h.path.split(".")[-1]
                margs = mk.child_by_field_name("arguments").named_children
                (buf if len(margs) > 1 and text(margs[1]) != "0" else unbuf).add(name)
        return unbuf - buf

    return pkg.memo(("lifecycle.unbuffered",), compute)
