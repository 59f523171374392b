"""SG309 defer-in-loop: defer statement inside a loop body."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.flow import statement_index, terminates
from steadygo.golang.lifecycle import idents, unbounded_loop_source, used_after
from steadygo.golang.parse import ancestors, captures, FUNC_TYPES, text, unparen
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class DeferInLoop(GoRule):
    meta = code_meta(
        id="SG309",
        name="defer-in-loop",
        severity=Severity.WARNING,
        status="preview",  # 2 of 8 judged true on 22 real code bases: docs/rules/SG309.md
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
            if _runs_once_per_loop(f, d, loop) or _guarded(d):
                continue
            fn_node = next((n for n in ancestors(loop) if n.type in FUNC_TYPES), None)
            why = unbounded_loop_source(ctx.pkg, f, loop, fn_node)
            if not why:
                continue  # a literal, a constant count, the program's own fields: a few iterations
            if fn_node is not None and used_after(loop, _held(d, loop), fn_node):
                continue  # what the defer releases is still used after the loop: held on purpose
            call = d.named_child(0)
            what = text(call.child_by_field_name("function")) if call is not None and call.type == "call_expression" else "call"
            if len(what) > 40 or "\n" in what:
                what = "the deferred call"
            ctx.report(d, f"defer {what} inside a loop ({why}) runs only when the function returns: whatever each iteration "
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


def _guarded(defer_stmt) -> bool:
    """``defer func() { if !closed { w.Close() } }()``, ``defer func() { if err
    == nil { return }; l.Close() }()``: the deferred closure decides at the
    end whether to release (only on failure, only if not already closed), so
    keeping the value until then is the point."""
    call = defer_stmt.named_child(0)
    fn = unparen(call.child_by_field_name("function")) if call is not None and call.type == "call_expression" else None
    if fn is None or fn.type != "func_literal":
        return False
    body = fn.child_by_field_name("body")
    sl = next((c for c in body.named_children if c.type == "statement_list"), None) if body is not None else None
    stmts = [x for x in sl.named_children if x.type != "comment"] if sl is not None else []
    if not stmts or stmts[0].type != "if_statement":
        return False
    first = stmts[0]
    cond = first.child_by_field_name("condition")
    if first.child_by_field_name("initializer") is not None or captures("(call_expression) @c", cond).get("c"):
        return False  # if err := f.Close(); err != nil {...}: closes every time, then logs
    if len(stmts) == 1 and first.child_by_field_name("alternative") is None:
        return True
    cons = first.child_by_field_name("consequence")
    return cons is not None and bool(captures("(return_statement) @r", cons).get("r"))


def _held(defer_stmt, loop) -> set[str]:
    """Names the deferred call releases that the loop body itself assigns:
    ``f`` in ``defer f.Close()``, ``buf`` in ``defer pool.Put(buf)``."""
    body = loop.child_by_field_name("body")
    assigned = set()
    for stmt in captures("[(assignment_statement) (short_var_declaration)] @a", body).get("a", []):
        left = stmt.child_by_field_name("left")
        assigned |= {text(x) for x in left.named_children if x.type == "identifier"}
    for spec in captures("(var_spec name: (identifier) @n)", body).get("n", []):
        assigned.add(text(spec))
    return idents(defer_stmt) & assigned
