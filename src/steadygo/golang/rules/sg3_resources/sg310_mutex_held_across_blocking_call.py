"""SG310 mutex-held-across-blocking-call: Lock() held across time.Sleep, an HTTP/DB/network call before Unlock()."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.frameworks import NET_HTTP, SQL_DRIVERS_AND_GORM
from steadygo.golang.locks import mutex_locks
from steadygo.golang.parse import ancestors, captures, text
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

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
        summary="Lock() held across time.Sleep, an HTTP/DB/network call before Unlock().",
    )

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        db = any(f.imports.imports_prefix(p) for p in SQL_DRIVERS_AND_GORM)
        for stmt, call, mu, unlock in mutex_locks(ctx):
            region = self._held_region(stmt, mu, unlock)
            for node in region:
                hit = self._blocking(f, node, db)
                if hit is not None:
                    op, what = hit
                    ctx.report(op, f"{what} while {mu} is locked (line {stmt.start_point[0] + 1}): every goroutine waiting "
                               f"for {mu} now waits for this I/O too; copy what you need, unlock, then call")
                    break

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
    def _blocking(f, node, db: bool):
        for call in captures(_REGION_CALLS_Q, node).get("call", []):
            if _in_literal(call, node):
                continue
            t = f.call_target(call)
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


def _in_literal(node, stop) -> bool:
    return any(n.type == "func_literal" for n in ancestors(node, stop))
