"""SG210 errgroup-without-context.

errgroup.Group used without errgroup.WithContext in a function that receives a ctx, and its goroutines ignore ctx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.frameworks import ERRGROUP
from steadygo.golang.lifecycle import callee_name, callee_operand, calls_in, ctx_names, observes_context
from steadygo.golang.parse import captures, enclosing_function as enclosing_func, text
from steadygo.golang.rules.base import LifecycleRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_GROUP_Q = """
(var_spec name: (identifier) @name type: (qualified_type) @type) @decl
(short_var_declaration left: (expression_list . (identifier) @name)
   right: (expression_list . [(unary_expression operand: (composite_literal type: (qualified_type) @type))
                               (composite_literal type: (qualified_type) @type)
                               (call_expression function: (identifier) @new (#eq? @new "new")
                                                arguments: (argument_list (qualified_type) @type))])) @decl
"""


class ErrgroupWithoutContext(LifecycleRule):
    meta = code_meta(
        id="SG210",
        name="errgroup-without-context",
        severity=Severity.WARNING,
        breakpoint="Neither the caller's cancellation nor the first failure stops the other goroutines: a failed or abandoned request still waits for every slow call.",
        summary="errgroup.Group used without errgroup.WithContext in a function that receives a ctx, and its goroutines ignore ctx.",
        status="preview",
    )
    markers = ((b".Go(",),)
    requires_imports = (ERRGROUP,)

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for m in captures(_GROUP_Q, f.root).get("decl", []):
            tnode = m.child_by_field_name("type") if m.type == "var_spec" else None
            if tnode is None:
                tnode = captures("(qualified_type) @t", m).get("t", [None])[0]
            if tnode is None or not f.is_member(tnode, ERRGROUP, "Group"):
                continue
            chain = list(ctx.funcs.enclosing_chain(m))
            owner = next((fi for fi in chain if fi.is_handler or any(n and n != "_" for n in fi.ctx_params)), None)
            if owner is None:
                continue
            name_node = m.child_by_field_name("name") if m.type == "var_spec" else m.child_by_field_name("left").named_child(0)
            g = text(name_node)
            fn = enclosing_func(m)
            names = ctx_names(chain)
            gos = [c for c in calls_in(fn.child_by_field_name("body")) if callee_name(c) == "Go" and callee_operand(c) == g]
            if not gos or any(observes_context(c.child_by_field_name("arguments"), names) for c in gos):
                continue
            if any(callee_name(c) == "Done" for c in calls_in(fn.child_by_field_name("body"))):
                continue  # the function watches ctx.Done() itself (e.g. closes the streams on cancel)
            ctx.report(m, f"errgroup.Group {g} without WithContext and its goroutines ignore the caller's context: "
                       "cancellation and the first error stop nothing; use g, ctx := errgroup.WithContext(ctx) and "
                       "pass ctx to the work")
