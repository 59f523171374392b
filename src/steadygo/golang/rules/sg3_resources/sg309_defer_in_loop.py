"""SG309 defer-in-loop: defer statement inside a loop body."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.flow import statement_index, terminates
from steadygo.golang.parse import ancestors, captures, FUNC_TYPES, text
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class DeferInLoop(GoRule):
    meta = code_meta(
        id="SG309",
        name="defer-in-loop",
        severity=Severity.WARNING,
        breakpoint="Deferred calls run when the function returns, not at the end of the iteration: files, rows, locks and connections opened per iteration pile up until the loop ends, or forever in a long-running loop.",
        summary="defer statement inside a loop body.",
    )

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for d in statement_index(ctx).get("defer", []):
            loop = None
            for n in ancestors(d):
                if n.type in FUNC_TYPES:
                    break
                if n.type == "for_statement":
                    loop = n
                    break
            if loop is None:
                continue
            if _runs_once_per_loop(f, d, loop):
                continue
            call = d.named_child(0)
            what = text(call.child_by_field_name("function")) if call is not None and call.type == "call_expression" else "call"
            if len(what) > 40 or "\n" in what:
                what = "the deferred call"
            ctx.report(d, f"defer {what} inside a loop runs only when the function returns: whatever each iteration "
                       "holds (file, rows, lock, connection) accumulates until then; wrap the iteration in a function "
                       "or release explicitly")


def _runs_once_per_loop(f, defer_stmt, loop) -> bool:
    """The iteration that defers also leaves the loop (a later statement on
    its way out of the loop body returns/breaks), or the defer sits under a
    one-shot guard (``if first { first = false ... }``, ``if x == nil { x = ... }``)."""
    cur = defer_stmt
    while cur is not None and cur != loop:
        sl = cur.parent
        if sl is not None and sl.type == "statement_list":
            later = [x for x in sl.named_children if x.type != "comment" and x.start_byte > cur.start_byte]
            if any(x.type != "continue_statement" and terminates(f, x) for x in later):
                return True
        if cur.type == "block" and cur.parent is not None and cur.parent.type == "if_statement":
            cond = cur.parent.child_by_field_name("condition")
            names = {text(i) for i in captures("(identifier) @i", cond).get("i", [])}
            for lhs in captures("(assignment_statement left: (expression_list (identifier) @l))", cur).get("l", []):
                if text(lhs) in names:
                    return True
        cur = cur.parent
    return False
