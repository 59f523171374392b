"""Mutex Lock calls and the Unlock calls that release them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.golang.parse import ancestors, captures, text, unparen

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


def mutex_locks(ctx: FileContext):
    """``x.Lock()`` / ``x.RLock()`` statements, from the package's call index."""

    def compute():
        out = []
        for call in ctx.pkg.calls_in(ctx.file, "Lock", "RLock"):
            stmt = call.parent
            if stmt is None or stmt.type != "expression_statement" or stmt.parent is None or stmt.parent.type != "statement_list":
                continue
            fn = call.child_by_field_name("function")
            if fn.type != "selector_expression" or call.child_by_field_name("arguments").named_child_count:
                continue
            if ctx.file.qualified(fn) is not None:
                continue
            mu = text(fn.child_by_field_name("operand")).replace(" ", "")
            unlock = "RUnlock" if text(fn.child_by_field_name("field")) == "RLock" else "Unlock"
            out.append((stmt, call, mu, unlock))
        return out

    return ctx.pkg.memo(("res.locks", ctx.file.path), compute)


_BOOL_SET_Q = """
(assignment_statement left: (expression_list (identifier) @n) right: (expression_list [(true) (false)]))
(short_var_declaration left: (expression_list (identifier) @n) right: (expression_list [(true) (false)]))
(var_spec name: (identifier) @n value: (expression_list [(true) (false)]))
"""


def unlock_guarded_by_flag(fn_body, mu: str, unlock: str) -> bool:
    """``if lockHeld { mu.Unlock() }``, ``defer func() { if !unlocked {
    mu.Unlock() } }()``: the function records whether it holds the lock in a
    bool it sets to true/false, and releases according to it.  Path-blind
    flow cannot follow the flag, so such a function is left alone."""
    flags = {text(n) for n in captures(_BOOL_SET_Q, fn_body).get("n", [])}
    if not flags:
        return False
    for call in captures("(call_expression function: (selector_expression) @f) @c", fn_body).get("c", []):
        fn = call.child_by_field_name("function")
        if text(fn.child_by_field_name("field")) != unlock or text(fn.child_by_field_name("operand")).replace(" ", "") != mu:
            continue
        for n in ancestors(call, fn_body):
            if n.type != "if_statement":
                continue
            cond = unparen(n.child_by_field_name("condition"))
            while cond is not None and cond.type == "unary_expression" and text(cond.child_by_field_name("operator")) == "!":
                cond = unparen(cond.child_by_field_name("operand"))
            if cond is not None and cond.type == "identifier" and text(cond) in flags:
                return True
    return False
