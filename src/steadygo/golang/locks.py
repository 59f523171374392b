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


def unlocking_methods(pkg, field: str, unlock: str) -> frozenset[str]:
    """Methods of the package that release ``<receiver>.<field>`` on every
    path: the unlock is a top-level statement of the body and every
    ``return`` comes right after one (netbird's ``clearLocked``, which resets
    state and unlocks).  Calling one counts as the unlock."""
    def compute():
        out = set()
        for f in pkg.files:
            if f.is_test:
                continue
            for fi in pkg.functions(f).funcs:
                if fi.node.type == "method_declaration" and fi.body is not None and _always_unlocks(fi, field, unlock):
                    out.add(fi.name)
        return frozenset(out)

    return pkg.memo(("locks.unlocking_methods", field, unlock), compute)


def _receiver_name(fi) -> str:
    recv = fi.node.child_by_field_name("receiver")
    decl = recv.named_children[0] if recv is not None and recv.named_child_count else None
    name = decl.child_by_field_name("name") if decl is not None else None
    return text(name) if name is not None else ""


def _is_unlock(stmt, target: str, unlock: str) -> bool:
    if stmt is None or stmt.type != "expression_statement":
        return False
    call = unparen(stmt.named_child(0))
    return call is not None and call.type == "call_expression" and \
        text(call.child_by_field_name("function")).replace(" ", "") == f"{target}.{unlock}"


def _always_unlocks(fi, field: str, unlock: str) -> bool:
    recv = _receiver_name(fi)
    if not recv or f"{field}.{unlock}()".encode() not in fi.body.text:
        return False
    target = f"{recv}.{field}"
    stmts = fi.body.named_children
    if len(stmts) == 1 and stmts[0].type == "statement_list":
        stmts = stmts[0].named_children
    first = next((st for st in stmts if _is_unlock(st, target, unlock)), None)
    if first is None:
        return False
    # every return before the first top-level unlock comes right after one
    for ret in captures("(return_statement) @r", fi.body).get("r", []):
        if ret.start_byte > first.end_byte:
            continue
        if any(a.type == "func_literal" for a in ancestors(ret, stop=fi.body)):
            continue
        if not _is_unlock(ret.prev_named_sibling, target, unlock):
            return False
    return True
