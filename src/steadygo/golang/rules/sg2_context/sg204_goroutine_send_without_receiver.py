"""SG204 goroutine-send-without-receiver.

Goroutine sends on an unbuffered channel whose only receiver can return before receiving.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.lifecycle import go_statements, IDENT_Q, in_loop, is_within, loop_kind, own, RETURN_Q
from steadygo.golang.parse import ancestors, captures, enclosing_function as enclosing_func, text
from steadygo.golang.rules.base import GO_STMT, LifecycleRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


def _single_chan_decl(make):
    """``ch := make(chan T[, n])`` with one name and one value: the
    short_var_declaration, else None."""
    if make.child_by_field_name("function").type != "identifier":
        return None
    args = make.child_by_field_name("arguments")
    if args is None or not args.named_child_count or args.named_child(0).type != "channel_type":
        return None
    right = make.parent
    if right is None or right.type != "expression_list" or right.named_child_count != 1:
        return None
    decl = right.parent
    if decl is None or decl.type != "short_var_declaration" or decl.child_by_field_name("right") != right:
        return None
    left = decl.child_by_field_name("left")
    if left.named_child_count != 1 or left.named_child(0).type != "identifier":
        return None
    return decl


# What Serve returns once Shutdown/Close/Stop ran (net/http; gRPC's Serve returns nil then).
_SERVER_CLOSED = ("ErrServerClosed",)
_STOPS = frozenset({"Shutdown", "Close", "Stop", "GracefulStop"})


def _sends_unless_server_closed(send, go_stmt) -> bool:
    """The send sits under ``if err != http.ErrServerClosed`` (or
    ``!errors.Is(err, http.ErrServerClosed)``) in the goroutine: the server's
    Serve error, sent only when the server was not shut down."""
    for a in ancestors(send, go_stmt):
        if a.type == "if_statement":
            cond = a.child_by_field_name("condition")
            if cond is not None and any(n in text(cond) for n in _SERVER_CLOSED) and is_within(send, a.child_by_field_name("consequence")):
                return True
    return False


def _stops_server_after(fn, recvs) -> bool:
    """The receiving function shuts a server down after its receives: when its
    select moves on, Serve returns ErrServerClosed and the guarded send is
    never made."""
    first = min(r.start_byte for r in recvs)
    for call in captures("(call_expression function: (selector_expression field: (field_identifier) @m)) @c",
                         fn.child_by_field_name("body")).get("c", []):
        if call.start_byte > first and enclosing_func(call) == fn:
            if text(call.child_by_field_name("function").child_by_field_name("field")) in _STOPS:
                return True
    return False


class GoroutineBlockedOnAbandonedChannel(LifecycleRule):
    meta = code_meta(
        id="SG204",
        name="goroutine-send-without-receiver",
        severity=Severity.ERROR,
        status="preview",  # 6 of 10 judged true on the 46 real services (1 FP, 3 debatable): docs/rules/SG204.md
        breakpoint="When the receiver times out or returns early, the sending goroutine blocks forever on the unbuffered channel: one leaked goroutine per slow request.",
        summary="Goroutine sends on an unbuffered channel whose only receiver can return before receiving.",
    )
    markers = (GO_STMT, (b"make(chan",))

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        if not go_statements(ctx):
            return
        for make in ctx.pkg.calls_in(f, "make"):
            m = _single_chan_decl(make)
            if m is None:
                continue
            name_node = m.child_by_field_name("left").named_child(0)
            margs = make.child_by_field_name("arguments").named_children
            if len(margs) > 1 and text(margs[1]) != "0":
                continue  # buffered: the sender does not wait for a receiver
            fn = enclosing_func(m)
            if fn is None:
                continue
            self._check_channel(ctx, fn, m, text(name_node))

    def _check_channel(self, ctx, fn, decl, ch: str) -> None:
        body = fn.child_by_field_name("body")
        sends, recvs, go_sends = [], [], []
        for ident in captures(IDENT_Q, body).get("id", []):
            if text(ident) != ch or ident.start_byte < decl.end_byte:
                continue
            p = ident.parent
            if p.type == "send_statement" and p.child_by_field_name("channel") == ident:
                sends.append(p)
            elif p.type == "unary_expression" and text(p).startswith("<-"):
                recvs.append(p)
            elif p.type == "range_clause":
                return  # `for v := range ch`: receives until close, not our pattern
            elif p.type == "argument_list" and text(p.parent.child_by_field_name("function")) in ("close", "len", "cap"):
                continue  # closing never unblocks a sender (it would panic it)
            else:
                return  # the channel escapes: other receivers may exist
        if not sends or not recvs:
            return
        for s in sends:
            lit = enclosing_func(s)
            if lit is None or lit == fn or lit.type != "func_literal":
                return
            gs = lit.parent.parent if lit.parent is not None else None
            if gs is None or gs.type != "go_statement" or enclosing_func(gs) != fn:
                return
            if s.parent is not None and s.parent.type == "communication_case":
                sel = s.parent.parent
                if sel is not None and len([c for c in sel.named_children if c.type in ("communication_case", "default_case")]) > 1:
                    continue  # select with an escape: does not block forever
            go_sends.append((s, gs))
        if not go_sends:
            return
        if any(enclosing_func(r) != fn for r in recvs):
            return
        if all(_sends_unless_server_closed(s, gs) for s, gs in go_sends) and _stops_server_after(fn, recvs):
            return
        reason = self._why(fn, recvs, go_sends)
        if reason is None:
            return
        sev = Severity.ERROR if reason[1] else Severity.WARNING
        for s, _gs in go_sends:
            ctx.report(s, f"send on unbuffered channel {ch} blocks forever when {reason[0]}: the goroutine leaks; "
                       f"make it buffered (make(chan T, 1) per sender) or select on a done channel", severity=sev)

    @staticmethod
    def _why(fn, recvs, go_sends):
        # (a) every receive is one case of a one-shot select (not in a loop
        # that keeps draining) whose other case moves on
        in_selects = []
        for r in recvs:
            comm = next((a for a in ancestors(r) if a.type in ("communication_case", "block", "statement_list")), None)
            if comm is None or comm.type != "communication_case":
                in_selects = None
                break
            sel = comm.parent
            others = [c for c in sel.named_children if c.type in ("communication_case", "default_case") and c != comm]
            if not others or in_loop(sel, fn):
                in_selects = None
                break
            in_selects.append(r)
        if in_selects:
            return "the receiver's select takes its other case (timeout, cancellation) and moves on", True
        first = min(r.start_byte for r in recvs)
        last_go = max(gs.end_byte for _s, gs in go_sends)
        for r in own(captures(RETURN_Q, fn.child_by_field_name("body")).get("r", []), fn):
            if last_go <= r.start_byte < first and not any(is_within(x, r) for x in recvs):
                return f"the function returns at line {r.start_point[0] + 1} before receiving", False
        # (c) many senders (go in a loop), receiving loop that can return early
        if all(in_loop(gs, fn) for _s, gs in go_sends):
            for r in recvs:
                loop = next((a for a in ancestors(r, fn) if a.type == "for_statement"), None)
                if loop is None or any(is_within(gs, loop) for _s, gs in go_sends):
                    continue
                if loop_kind(loop) == "forever" or r.parent.type == "receive_statement" and r.parent.parent.type == "communication_case":
                    continue  # an event loop around a select drains until its own exit condition
                for ret in own(captures(RETURN_Q, loop.child_by_field_name("body")).get("r", []), fn):
                    if ret.start_byte > r.start_byte:
                        return (f"the receiving loop returns early at line {ret.start_point[0] + 1} "
                                "and the remaining senders have nobody to receive"), True
        return None
