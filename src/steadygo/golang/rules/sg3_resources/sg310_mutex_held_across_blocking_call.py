"""SG310 mutex-held-across-blocking-call: Lock() held across time.Sleep, an HTTP/DB/network call, or a channel operation whose partner needs the lock, before Unlock()."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.frameworks import NET_HTTP, SQL_DRIVERS_AND_GORM
from steadygo.golang.lock_order import counterpart_kinds, lock_facts, lock_text, place, through
from steadygo.golang.lifecycle import is_brief_sleep
from steadygo.golang.locks import mutex_locks
from steadygo.golang.parse import ancestors, captures, text
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta, PRODUCTION_ROLES

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_BLOCKING_PKG = {("time", "Sleep"), ("net/http", "Get"), ("net/http", "Post"), ("net/http", "Head"), ("net/http", "PostForm"),
                 ("net", "Dial"), ("net", "DialTimeout")}
_DB_BLOCKING = frozenset({"QueryContext", "ExecContext", "QueryRowContext", "Query", "Exec", "QueryRow", "BeginTx", "PingContext", "Ping"})
_REGION_CALLS_Q = "(call_expression) @call"


class MutexHeldAcrossBlockingCall(GoRule):
    meta = code_meta(
        id="SG310",
        name="mutex-held-across-blocking-call",
        severity=Severity.WARNING,
        breakpoint="Holding a lock across a sleep, network or database call makes every other request that needs the lock wait for that I/O: one slow upstream serialises the whole service.",
        summary="Lock() held across time.Sleep, an HTTP/DB/network call, or a channel operation whose partner needs the lock, before Unlock().",
        status="preview",  # 2 of 4 judged findings left true after the fixes (docs/rules/SG310.md)
        roles=PRODUCTION_ROLES,
    )

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        db = any(f.imports.imports_prefix(p) for p in SQL_DRIVERS_AND_GORM)
        for stmt, call, mu, unlock in mutex_locks(ctx):
            region = self._held_region(stmt, mu, unlock)
            for node in region:
                hit = self._blocking(ctx, node, db)
                if hit is not None:
                    op, what = hit
                    ctx.report(op, f"{what} while {mu} is locked (line {stmt.start_point[0] + 1}): every goroutine waiting "
                               f"for {mu} now waits for this I/O too; copy what you need, unlock, then call")
                    break
        self._channel_ops(ctx)

    @staticmethod
    def _channel_ops(ctx: FileContext) -> None:
        """A channel operation under a lock blocks until another goroutine does
        the other side; reported when every goroutine in the package that does
        that other side takes the same lock first, so it cannot (a buffered
        channel with room, or a partner that never locks, is fine)."""
        facts = lock_facts(ctx.pkg)
        seen = set()
        for b in facts.blocked:
            op = b.op
            if op.kind == "wait" or op.fn.file is not ctx.file or op.site.id in seen:
                continue
            if _releases_slot(facts, op):
                continue
            partner = _partner_needing_lock(facts, b)
            if partner is None:
                continue
            seen.add(op.site.id)
            fn, other = partner
            what = {"send": "send on", "recv": "receive from", "range": "range over", "select": "select on"}[op.kind]
            chan = "its channels" if op.kind == "select" else lock_text(op)
            ctx.report(op.site, f"{what} {chan}{through(op)} while {b.held.text} is locked (line "
                       f"{b.held.event.site.start_point[0] + 1}): the other side, {place(fn, other.site, ctx.file)}, "
                       f"locks {b.held.text.rsplit('.', 1)[-1]} first, so neither goroutine moves; unlock before the channel operation")

    @staticmethod
    def _held_region(stmt, mu: str, unlock: str) -> list:
        sibs = []
        n = stmt.next_named_sibling
        while n is not None:
            sibs.append(n)
            n = n.next_named_sibling
        out = []
        for s in sibs:
            hits = [c for c in captures(_SEL_CALLS_SIMPLE_Q, s).get("call", [])
                    if text(c.child_by_field_name("function").child_by_field_name("field")) == unlock
                    and text(c.child_by_field_name("function").child_by_field_name("operand")).replace(" ", "") == mu]
            if hits:
                if s.type == "defer_statement":
                    continue  # held until return: keep scanning the rest
                break
            out.append(s)
        return out

    @staticmethod
    def _blocking(ctx, node, db: bool):
        f = ctx.file
        for call in captures(_REGION_CALLS_Q, node).get("call", []):
            if _in_literal(call, node):
                continue
            t = f.call_target(call)
            if t == ("time", "Sleep") and is_brief_sleep(ctx.pkg, f, call):
                continue  # a nanosecond spin for a fresh timestamp: nobody waits on it
            if t in _BLOCKING_PKG:
                return call, f"{t[0].split('/')[-1]}.{t[1]}"
            fn = call.child_by_field_name("function")
            if fn.type != "selector_expression" or t is not None:
                continue
            method = text(fn.child_by_field_name("field"))
            operand = fn.child_by_field_name("operand")
            if method == "Do" and (f.is_member(operand, NET_HTTP, "DefaultClient") or text(operand).lower().endswith("client")):
                return call, f"HTTP call {text(fn)}"
            if db and method in _DB_BLOCKING and call.child_by_field_name("arguments").named_child_count:
                return call, f"database call {text(fn)}"
        return None


_SEL_CALLS_SIMPLE_Q = "(call_expression function: (selector_expression)) @call"


def _releases_slot(facts, op) -> bool:
    """A bare ``<-sem`` on a channel made with a capacity: a semaphore's
    release (or the drain of a value an earlier send left), which takes back
    what the holder put in; it does not wait for the other side to run."""
    if op.kind != "recv" or op.ref is None or op.ref.cls not in facts.buffered:
        return False
    node = op.target or op.site
    return node.type == "unary_expression" and node.parent is not None and node.parent.type == "expression_statement"


def _in_literal(node, stop) -> bool:
    return any(n.type == "func_literal" for n in ancestors(node, stop))


def _partner_needing_lock(facts, b):
    """(function, op) of a goroutine that must take ``b``'s lock before it can
    unblock ``b``'s channel operation, when every goroutine of the package that
    could unblock it must (for a select: for every case), or None.  A send on
    a channel made with a capacity may not block at all."""
    op, cls = b.op, b.held.ref.cls
    cases = op.cases if op.kind == "select" else ((op.kind, op.ref),)
    found = None
    for kind, ref in cases:
        if ref is None or ref.cls is None:
            return None  # a case nobody in the package answers (a timer, ctx.Done()): it can fire
        if kind == "send" and ref.cls in facts.buffered:
            return None
        parts = list(facts.counterparts(cls, counterpart_kinds(kind), ref.cls, op.fn, taken_before=True, origin=op.origin))
        if not parts or not all(needs for _, _, needs in parts):
            return None
        found = found or parts[0][:2]
    return found
