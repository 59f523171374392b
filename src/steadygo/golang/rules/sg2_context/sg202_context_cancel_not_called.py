"""SG202 context-cancel-not-called.

Cancel function of WithCancel/WithTimeout/WithDeadline discarded or not called on every return path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.cfg import complementary, first_escape, function_cfg, mentions
from steadygo.golang.fixes import named_cancel
from steadygo.golang.frameworks import CANCELLABLE_CONTEXTS, CONTEXT
from steadygo.golang.lifecycle import IDENT_Q
from steadygo.golang.parse import captures, enclosing_function as enclosing_func, text, unparen
from steadygo.golang.rules.base import LifecycleRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_ASSIGN_Q = """
(short_var_declaration left: (expression_list) @lhs right: (expression_list (call_expression) @call)) @stmt
(assignment_statement left: (expression_list) @lhs right: (expression_list (call_expression) @call)) @stmt
(var_spec value: (expression_list (call_expression) @call)) @stmt
"""


class LostCancel(LifecycleRule):
    meta = code_meta(
        id="SG202",
        status="preview",  # 0 of 6 first-run holdout findings true: docs/rules/SG202.md
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
            if target is None or target[0] != CONTEXT or target[1] not in CANCELLABLE_CONTEXTS:
                continue
            cancel = lhs_names[1]
            if cancel == "_":
                blank = m.child_by_field_name("left").named_children[1] if m.type == "short_var_declaration" else None
                ctx.report(m, f"the cancel function of context.{target[1]} is discarded: the child context stays "
                           "registered with its parent (and its timer alive) until the parent ends; "
                           "keep it and defer cancel()", fix=named_cancel(f, m, blank) if blank is not None else None)
                continue
            fn = enclosing_func(m)
            cancel_node = (names[1] if m.type == "var_spec" else m.child_by_field_name("left").named_children[1])
            if fn is None or cancel_node.type != "identifier" or _is_main(f, fn):
                continue
            if m.type == "assignment_statement" and not _declared_in(fn, cancel):
                continue  # a variable of the package or of an enclosing function: its other uses are elsewhere
            escape = _lost_on(ctx, fn, m, cancel)
            if escape is not None:
                where = (f"the return at line {escape.line}" if escape.kind == "return"
                         else f"the end of the function at line {escape.line}")
                ctx.report(m, f"{cancel} (from context.{target[1]}) is not called on every path: {where} is reached "
                           f"without it and leaves the context alive until its parent ends; use defer {cancel}()",
                           severity=Severity.WARNING)


_DECLS_Q = """
(short_var_declaration left: (expression_list (identifier) @id))
(var_spec name: (identifier) @id)
(range_clause left: (expression_list (identifier) @id))
(parameter_declaration name: (identifier) @id)
"""


def _declared_in(fn, name: str) -> bool:
    """Whether ``name`` is declared by ``fn`` itself (a parameter, a result or
    a local outside nested literals), not captured from around it."""
    return any(text(i) == name and enclosing_func(i) == fn for i in captures(_DECLS_Q, fn).get("id", []))


def _is_main(f, fn) -> bool:
    """Returning from main.main ends the process: nothing to cancel."""
    return (f.package_name == "main" and fn.type == "function_declaration"
            and text(fn.child_by_field_name("name")) == "main")


def _lost_on(ctx, fn, stmt, cancel: str):
    """The first exit some path from the assignment reaches without any
    mention of ``cancel`` (go vet's lostcancel: a call, a defer, passing it
    on, returning or storing it, a closure naming it all count as use)."""
    start = stmt
    while start.type in ("var_spec", "var_spec_list"):
        start = start.parent
    body = fn.child_by_field_name("body")
    if body is None:
        return None
    all_idents = captures(IDENT_Q, body).get("id", [])
    if start is not stmt and any(text(i) == cancel and start.start_byte <= i.start_byte < start.end_byte
                                 and not (stmt.start_byte <= i.start_byte < stmt.end_byte) for i in all_idents):
        # var ( ctx, cancel = context.WithCancel(...); s = &Store{shutdown: cancel} ):
        # a later spec of the same declaration hands it on, before any path forks
        return None
    idents = [i for i in all_idents if not (start.start_byte <= i.start_byte < start.end_byte)]
    named = _is_named_result(fn, cancel)
    mentioned = mentions(sorted(i.start_byte for i in idents if text(i) == cancel and not _declares_another(i, start)))

    forced = _forced_by_earlier_guard(fn, body, mentioned)

    def blocked(node) -> bool:
        if named and node.type == "return_statement" and node.named_child_count == 0:
            return True  # a bare return hands the named result to the caller
        return node.id in forced or mentioned(node)

    return first_escape(function_cfg(ctx, fn), start, blocked)


def _forced_by_earlier_guard(fn, body, mentioned) -> set:
    """Conditions of ``if B { cancel() }`` that follow ``if A { cancel() }``
    in the same block with A and B never both false: a path that skipped the
    first cancel takes the second, so reaching B counts as using cancel."""
    guarded: dict = {}
    for if_stmt in captures(_IF_Q, body).get("if", []):
        cons = if_stmt.child_by_field_name("consequence")
        first = next((c for sl in cons.named_children if sl.type == "statement_list" for c in sl.named_children), None)
        if (if_stmt.child_by_field_name("alternative") is None and if_stmt.child_by_field_name("initializer") is None
                and first is not None and mentioned(first) and enclosing_func(if_stmt) == fn):
            guarded.setdefault(if_stmt.parent.id, []).append(if_stmt)
    forced = set()
    for stmts in guarded.values():
        for i, later in enumerate(stmts):
            cond = later.child_by_field_name("condition")
            if any(complementary(e.child_by_field_name("condition"), cond) for e in stmts[:i]):
                forced.add(cond.id)
    return forced


_IF_Q = "(if_statement) @if"


def _declares_another(ident, start) -> bool:
    """``ctx, cancel := ...`` in another block declares a new variable of the
    same name: not a use of ours (in the same block it reassigns ours)."""
    lst = ident.parent
    decl = lst.parent if lst is not None and lst.type == "expression_list" else None
    return (decl is not None and decl.type == "short_var_declaration"
            and decl.child_by_field_name("left") == lst and decl.parent != start.parent)


def _is_named_result(fn, name: str) -> bool:
    res = fn.child_by_field_name("result")
    if res is None or res.type != "parameter_list":
        return False
    return any(text(n) == name for d in res.named_children for n in d.children_by_field_name("name"))
