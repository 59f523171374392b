"""SG405 goroutine-without-recover: Goroutine started from a request handler with no deferred recover."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.error_checks import has_deferred_recover
from steadygo.golang.flow import statement_index
from steadygo.golang.functions import may_have_handlers
from steadygo.golang.parse import captures, text, unparen
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_HARMLESS_CALLS = frozenset({"close", "cancel", "Done", "Sleep", "Add", "Stop", "Unlock", "Lock", "len", "Signal", "Broadcast"})


class GoroutineWithoutRecover(GoRule):
    meta = code_meta(
        id="SG405",
        name="goroutine-without-recover",
        severity=Severity.WARNING,
        breakpoint="A panic in a goroutine is never recovered by net/http or middleware: one bad input crashes the process and every in-flight request with it.",
        summary="Goroutine started from a request handler with no deferred recover.",
        # Preview: judged on 22 code bases, 2 of 24 findings were true (a nil
        # response dereferenced while comparing backends, user SQL evaluated
        # in a background restore); 21 were goroutines that cannot plausibly
        # panic on request data (websocket pumps, ctx.Done() clean-ups,
        # channel drainers, timers).  No syntactic class separated the two.
        status="preview",
    )

    def check(self, ctx: FileContext) -> None:
        if not may_have_handlers(ctx):
            return
        for g in statement_index(ctx).get("go", []):
            if ctx.funcs.in_handler(g) is None:
                continue
            call = g.named_child(0)
            if call is None or call.type != "call_expression":
                continue
            fn = unparen(call.child_by_field_name("function"))
            if fn is None:
                continue
            if fn.type == "func_literal":
                body = fn.child_by_field_name("body")
                label = "go func() {...}"
            else:
                name = text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else text(fn)
                if ctx.file.qualified(fn) is not None:
                    continue  # another package's function: cannot see inside
                helpers = list(ctx.pkg.functions_named(name))
                if not helpers:
                    continue
                body = helpers[0][1].body
                label = f"go {text(fn)}(...)"
            if body is None or has_deferred_recover(ctx.pkg, body) or not _can_panic(body):
                continue
            ctx.report(g, f"{label} started from a request handler has no deferred recover: a panic in it is not caught "
                       "by net/http or middleware and crashes the whole process; add defer func() { if r := recover(); ... }()")


def _waits_then_cleans_up(body) -> bool:
    """``go func() { <-ctx.Done(); cleanup() }()``: the goroutine only waits
    for the request to end and then calls one function with no request data
    indexed or asserted."""
    inner = next((c for c in body.named_children if c.type == "statement_list"), body)
    stmts = [s for s in inner.named_children if s.type != "comment"]
    if len(stmts) < 2 or stmts[0].type != "expression_statement":
        return False
    first = stmts[0].named_child(0)
    if first is None or first.type != "unary_expression" or not text(first).replace(" ", "").endswith(".Done()"):
        return False
    return all(s.type == "expression_statement" for s in stmts[1:]) and not any(
        captures("[(index_expression) (type_assertion_expression)] @x", s).get("x") for s in stmts[1:])


def _can_panic(body) -> bool:
    if _waits_then_cleans_up(body):
        return False
    for call in captures("(call_expression function: [(identifier) (selector_expression)] @fn) @c", body).get("c", []):
        fn = call.child_by_field_name("function")
        name = text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else text(fn)
        if name not in _HARMLESS_CALLS:
            return True
    return bool(captures("[(index_expression) (type_assertion_expression)] @x", body).get("x"))
