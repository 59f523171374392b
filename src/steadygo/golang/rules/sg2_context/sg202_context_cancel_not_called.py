"""SG202 context-cancel-not-called.

Cancel function of WithCancel/WithTimeout/WithDeadline discarded or not called on every return path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.fixes import named_cancel
from steadygo.golang.frameworks import CONTEXT
from steadygo.golang.lifecycle import IDENT_Q, is_within, own, RETURN_Q
from steadygo.golang.parse import ancestors, captures, enclosing_function as enclosing_func, text, unparen
from steadygo.golang.rules.base import LifecycleRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_WITH_CANCEL = ("WithCancel", "WithTimeout", "WithDeadline", "WithCancelCause", "WithTimeoutCause", "WithDeadlineCause")


_ASSIGN_Q = """
(short_var_declaration left: (expression_list) @lhs right: (expression_list (call_expression) @call)) @stmt
(assignment_statement left: (expression_list) @lhs right: (expression_list (call_expression) @call)) @stmt
(var_spec value: (expression_list (call_expression) @call)) @stmt
"""


class LostCancel(LifecycleRule):
    meta = code_meta(
        id="SG202",
        name="context-cancel-not-called",
        severity=Severity.ERROR,
        breakpoint="Every uncancelled child context stays registered with its parent (and WithTimeout keeps a live timer) until the parent ends: memory and goroutines grow with traffic.",
        fix="ctx, _ := context.WithX(...) becomes ctx, cancel := ... with defer cancel() on the next line (not inside a loop, not when a cancel already exists)",
        summary="Cancel function of WithCancel/WithTimeout/WithDeadline discarded or not called on every return path.",
    )
    requires_imports = (CONTEXT,)
    markers = ((b"WithCancel", b"WithTimeout", b"WithDeadline"),)

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for m in captures(_ASSIGN_Q, f.root).get("stmt", []):
            if m.type == "var_spec":
                names = m.children_by_field_name("name")
                vals = m.child_by_field_name("value").named_children
                lhs_names = [text(n) for n in names]
            else:
                lhs_names = [text(n) for n in m.child_by_field_name("left").named_children]
                vals = m.child_by_field_name("right").named_children
            if len(vals) != 1 or len(lhs_names) != 2:
                continue
            call = unparen(vals[0])
            target = f.call_target(call) if call is not None and call.type == "call_expression" else None
            if target is None or target[0] != CONTEXT or target[1] not in _WITH_CANCEL:
                continue
            cancel = lhs_names[1]
            if cancel == "_":
                blank = m.child_by_field_name("left").named_children[1] if m.type == "short_var_declaration" else None
                ctx.report(m, f"the cancel function of context.{target[1]} is discarded: the child context stays "
                           "registered with its parent (and its timer alive) until the parent ends; "
                           "keep it and defer cancel()", fix=named_cancel(f, m, blank) if blank is not None else None)
                continue
            fn = enclosing_func(m)
            if fn is None or "." in cancel or _is_named_result(fn, cancel):
                continue
            problem = self._uncovered_return(fn, m, cancel)
            if problem is not None:
                ctx.report(m, f"{cancel} (from context.{target[1]}) is not called on every path: the return at line "
                           f"{problem.start_point[0] + 1} leaves the context alive until its parent ends; "
                           f"use defer {cancel}()", severity=Severity.WARNING)

    @staticmethod
    def _uncovered_return(fn, stmt, cancel):
        body = fn.child_by_field_name("body")
        if body is None:
            return None
        direct_calls = []
        for ident in captures(IDENT_Q, body).get("id", []):
            if text(ident) != cancel or ident.start_byte < stmt.end_byte:
                continue
            p = ident.parent
            if p is not None and p.type == "call_expression" and p.child_by_field_name("function") == ident:
                if enclosing_func(ident) != fn:
                    return None  # called from a closure we do not follow
                if p.parent is not None and p.parent.type == "defer_statement":
                    return None
                direct_calls.append(p)
            else:
                return None  # escapes: returned, stored, passed, reassigned
        block = next((a for a in ancestors(stmt) if a.type in ("block", "statement_list")), None)
        if block is None:
            return None
        for r in own(captures(RETURN_Q, body).get("r", []), fn):
            if r.start_byte < stmt.end_byte or not is_within(r, block):
                continue
            if not any(_precedes_on_path(c, r) for c in direct_calls):
                return r
        if not direct_calls:
            return stmt  # never called at all
        return None


def _is_named_result(fn, name: str) -> bool:
    res = fn.child_by_field_name("result")
    if res is None or res.type != "parameter_list":
        return False
    return any(text(n) == name for d in res.named_children for n in d.children_by_field_name("name"))


def _precedes_on_path(call, ret) -> bool:
    """call is a statement that runs before ret on ret's path: it sits in a
    statement list enclosing ret, before the statement that holds ret (or in
    ret's own expression)."""
    if is_within(call, ret):
        return True
    if call.start_byte > ret.start_byte:
        return False
    stmt = call.parent
    if stmt is None or stmt.type != "expression_statement":
        return False
    lst = stmt.parent
    return lst is not None and lst.type in ("statement_list", "block") and is_within(ret, lst)
