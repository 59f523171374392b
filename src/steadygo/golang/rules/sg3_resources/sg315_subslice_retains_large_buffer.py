"""SG315 subslice-retains-large-buffer.

Sub-slice of a whole-read or large buffer stored in a package-level map/slice or a field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.consts import int_constant
from steadygo.golang.package_state import declared_locally, is_receiver, package_maps, top_level_specs
from steadygo.golang.parse import captures, text, unparen
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_BIG_READS = {("io", "ReadAll"), ("io/ioutil", "ReadAll"), ("os", "ReadFile"), ("io/ioutil", "ReadFile")}


class SubsliceRetainsBuffer(GoRule):
    meta = code_meta(
        id="SG315",
        name="subslice-retains-large-buffer",
        severity=Severity.INFO,
        breakpoint="Keeping a few bytes of a large buffer in a long-lived place keeps the whole buffer alive: memory grows with every stored entry although the data is small.",
        summary="Sub-slice of a whole-read or large buffer stored in a package-level map/slice or a field.",
        status="preview",
    )

    def check(self, ctx: FileContext) -> None:
        big = self._big_buffers(ctx)
        if not big:
            return
        maps = ctx.pkg.memo("mem.maps", lambda: package_maps(ctx.pkg))
        f = ctx.file
        for sl in captures("(slice_expression operand: (identifier) @buf) @s", f.root).get("s", []):
            buf = text(sl.child_by_field_name("operand"))
            fi = ctx.funcs.enclosing(sl)
            if fi is None or (fi.node.id, buf) not in big:
                continue
            dest = self._long_lived_destination(ctx, sl, maps)
            if dest:
                ctx.report(sl, f"{text(sl)} is stored in {dest} but shares {buf}'s whole backing array: the full buffer "
                           "stays in memory as long as the entry does; store bytes.Clone(...) or string(...) instead")

    @staticmethod
    def _big_buffers(ctx) -> set:
        """(function id, variable) for variables assigned a whole read or a
        make([]T, n) with n >= 4096, in one query over the file."""
        out = set()
        for call in ctx.pkg.calls_in(ctx.file, "ReadAll", "ReadFile", "make"):
            m = call.parent
            if m is None or m.type != "expression_list" or m.parent is None:
                continue
            m = m.parent
            if m.type not in ("short_var_declaration", "assignment_statement") or m.child_by_field_name("right") != call.parent:
                continue
            rhs = m.child_by_field_name("right").named_children
            lhs = m.child_by_field_name("left").named_children
            if not rhs or not lhs or lhs[0].type != "identifier":
                continue
            call = unparen(rhs[0])
            if call is None or call.type != "call_expression":
                continue
            big = ctx.file.call_target(call) in _BIG_READS
            if not big and text(call.child_by_field_name("function")) == "make":
                args = call.child_by_field_name("arguments").named_children
                if len(args) >= 2 and args[1].type == "int_literal":
                    try:
                        big = int(text(args[1]).replace("_", ""), 0) >= 4096
                    except ValueError:
                        big = False
                elif len(args) >= 2 and args[1].type == "binary_expression":
                    big = int_constant(args[1]) >= 4096
            if big:
                fi = ctx.funcs.enclosing(m)
                if fi is not None:
                    out.add((fi.node.id, text(lhs[0])))
        return out

    @staticmethod
    def _long_lived_destination(ctx, sl, maps) -> str:
        p = sl.parent
        if p is not None and p.type == "argument_list":
            call = p.parent
            if text(call.child_by_field_name("function")) == "append":
                p = call.parent
                sl = call
            else:
                return ""
        if p is None or p.type != "expression_list" or p.parent is None or p.parent.type != "assignment_statement":
            return ""
        stmt = p.parent
        if stmt.child_by_field_name("right") != p:
            return ""
        lhs = stmt.child_by_field_name("left").named_children
        idx = [c.id for c in p.named_children].index(sl.id) if sl.id in [c.id for c in p.named_children] else 0
        if idx >= len(lhs):
            return ""
        target = lhs[idx]
        if target.type == "index_expression":
            target = target.child_by_field_name("operand")
        target = unparen(target)
        if target is None:
            return ""
        if target.type == "identifier" and (text(target) in maps or _is_package_var(ctx, text(target))):
            if declared_locally(list(ctx.funcs.enclosing_chain(sl)), text(target)):
                return ""
            return f"package-level {text(target)}"
        if target.type == "selector_expression":
            fi = ctx.funcs.enclosing(sl)
            op = unparen(target.child_by_field_name("operand"))
            if fi is not None and fi.node.type == "method_declaration" and op is not None and op.type == "identifier" and is_receiver(fi.node, text(op)):
                return f"field {text(target)}"
        return ""


def _is_package_var(ctx, name: str) -> bool:
    def compute():
        out = set()
        for f in ctx.pkg.files:
            for spec in top_level_specs(f):
                out.update(text(n) for n in spec.children_by_field_name("name"))
        return out

    return name in ctx.pkg.memo("mem.pkg_vars", compute)
