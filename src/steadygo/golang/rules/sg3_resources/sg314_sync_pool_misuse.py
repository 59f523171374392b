"""SG314 sync-pool-misuse.

sync.Pool object used after Put (escapes), taken without Reset, or a non-pointer put back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.package_state import last_name
from steadygo.golang.parse import captures, enclosing_function, matches, text, unparen
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_GET_ASSERT_Q = """
(short_var_declaration left: (expression_list . (identifier) @v)
  right: (expression_list (type_assertion_expression operand: (call_expression function: (selector_expression operand: (_) @pool field: (field_identifier) @get (#eq? @get "Get"))) type: (_) @type))) @stmt
"""


_PUT_Q = "(call_expression function: (selector_expression operand: (_) @pool field: (field_identifier) @put (#eq? @put \"Put\")) arguments: (argument_list . (_) @arg .)) @call"


def _pools(pkg):
    """Names (variables or fields) declared as sync.Pool in the package."""
    names: set[str] = set()
    for f in pkg.files:
        if b"Pool" not in f.source or not f.imports.imports("sync"):
            continue
        for lit in captures("(composite_literal type: (qualified_type) @t) @lit", f.root).get("lit", []):
            if f.is_member(lit.child_by_field_name("type"), "sync", "Pool"):
                p = lit.parent
                while p is not None and p.type == "unary_expression":
                    p = p.parent
                if p is not None and p.type == "expression_list" and p.parent is not None:
                    decl = p.parent
                    if decl.type == "var_spec":
                        names.update(text(n) for n in decl.children_by_field_name("name"))
                    elif decl.type in ("assignment_statement", "short_var_declaration"):
                        names.update(last_name(x) for x in decl.child_by_field_name("left").named_children)
                elif p is not None and p.type == "literal_element" and p.parent is not None and p.parent.type == "keyed_element":
                    names.add(text(p.parent.named_child(0)))
        for t in captures("[(var_spec type: (_) @t) (field_declaration type: (_) @t)]", f.root).get("t", []):
            if f.is_member(t, "sync", "Pool"):
                decl = t.parent
                names.update(text(n) for n in decl.children_by_field_name("name"))
    return names


class SyncPoolMisuse(GoRule):
    meta = code_meta(
        id="SG314",
        name="sync-pool-misuse",
        severity=Severity.WARNING,
        breakpoint="A pooled buffer reused without Reset leaks one request's data into another's response; one still referenced after Put is overwritten by the next user (corrupted responses, data races).",
        summary="sync.Pool object used after Put (escapes), taken without Reset, or a non-pointer put back.",
        status="preview",
    )
    requires_imports = ("sync",)

    def check(self, ctx: FileContext) -> None:
        pools = ctx.pkg.memo("mem.pools", lambda: _pools(ctx.pkg))
        if not pools:
            return
        f = ctx.file
        for _, caps in matches(_GET_ASSERT_Q, f.root):
            if last_name(caps["pool"][0]) not in pools:
                continue
            v = text(caps["v"][0])
            typ = text(caps["type"][0]).replace(" ", "")
            stmt = caps["stmt"][0]
            if typ not in ("*bytes.Buffer", "*strings.Builder"):
                continue
            fi = ctx.funcs.enclosing(stmt)
            if fi is None or _calls_on(fi.body, v, ("Reset", "Truncate")):
                continue
            if ctx.pkg.memo(("mem.put_resets", last_name(caps["pool"][0])), lambda: self._put_sites_reset(ctx.pkg, last_name(caps["pool"][0]))):
                continue
            ctx.report(stmt, f"{v} comes from the pool without Reset (here or where it is Put back): it still holds the "
                       "previous user's bytes, which end up in this request's output; call Reset after Get")
        for _, caps in matches(_PUT_Q, f.root):
            pool = last_name(caps["pool"][0])
            if pool not in pools:
                continue
            call = caps["call"][0]
            arg = unparen(caps["arg"][0])
            self._escape_after_put(ctx, call, arg)
            self._non_pointer_put(ctx, call, arg)

    @staticmethod
    def _put_sites_reset(pkg, pool: str) -> bool:
        for f, call in pkg.calls_to("Put"):
            fn = call.child_by_field_name("function")
            if fn.type != "selector_expression" or last_name(fn.child_by_field_name("operand")) != pool:
                continue
            n = enclosing_function(call)
            if n is not None and captures("(call_expression function: (selector_expression field: (field_identifier) @m (#any-of? @m \"Reset\" \"Truncate\")))", n).get("m"):
                return True
        return False

    def _escape_after_put(self, ctx, call, arg) -> None:
        if arg is None or arg.type != "identifier":
            return
        v = text(arg)
        stmt = call.parent
        fi = ctx.funcs.enclosing(call)
        if fi is None or stmt is None:
            return
        if stmt.type == "defer_statement":
            # defer pool.Put(buf) ... return buf.Bytes(): the caller gets memory the next Get reuses
            for r in captures("(return_statement) @r", fi.body).get("r", []):
                if ctx.funcs.enclosing(r) is not fi:
                    continue
                for sel in captures("(call_expression function: (selector_expression operand: (identifier) @o field: (field_identifier) @m)) @c", r).get("c", []):
                    fn = sel.child_by_field_name("function")
                    direct = sel.parent is not None and (sel.parent.type == "return_statement" or (sel.parent.type == "expression_list" and sel.parent.parent == r))
                    if direct and text(fn.child_by_field_name("operand")) == v and text(fn.child_by_field_name("field")) == "Bytes":
                        ctx.report(sel, f"{v}.Bytes() is returned while a deferred Put hands {v} back to the pool: the "
                                   "caller's slice is overwritten by the next request that gets the buffer; copy it first")
                        return
            return
        if stmt.type != "expression_statement" or stmt.parent is None or stmt.parent.type != "statement_list":
            return
        n = stmt.next_named_sibling
        while n is not None:
            for i in captures("(identifier) @i", n).get("i", []):
                if text(i) != v:
                    continue
                p = i.parent
                if p is not None and p.type == "expression_list" and p.parent is not None and p.parent.type in ("assignment_statement", "short_var_declaration") and p.parent.child_by_field_name("left") == p:
                    return  # reassigned: a new object
                ctx.report(i, f"{v} is used after it was put back into the pool (line {call.start_point[0] + 1}): another "
                           "goroutine may already own it, so this reads or writes someone else's data")
                return
            n = n.next_named_sibling

    def _non_pointer_put(self, ctx, call, arg) -> None:
        if arg is None:
            return
        kind = ""
        if arg.type == "slice_expression":
            kind = "a slice"
        elif arg.type == "identifier":
            fi = ctx.funcs.enclosing(call)
            if fi is not None:
                for rhs in ctx.pkg.assigned_from(fi.body, text(arg)):
                    rhs = unparen(rhs)
                    if rhs is not None and rhs.type == "call_expression" and text(rhs.child_by_field_name("function")) == "make":
                        a0 = rhs.child_by_field_name("arguments").named_child(0)
                        if a0 is not None and a0.type == "slice_type":
                            kind = "a slice"
                    elif rhs is not None and rhs.type == "type_assertion_expression":
                        t = rhs.child_by_field_name("type")
                        if t is not None and t.type == "slice_type":
                            kind = "a slice"
        if kind:
            ctx.report(call, f"Put({text(arg)}) stores {kind} (not a pointer) in the pool: converting it to interface{{}} "
                       "allocates on every Put, so the pool saves nothing; pool *[]byte or a struct pointer",
                       severity=Severity.INFO)


def _calls_on(node, var: str, methods) -> bool:
    for c in captures("(call_expression function: (selector_expression operand: (identifier) @o field: (field_identifier) @m)) @c", node).get("c", []):
        fn = c.child_by_field_name("function")
        if text(fn.child_by_field_name("operand")) == var and text(fn.child_by_field_name("field")) in methods:
            return True
    return False
