"""SG313 unbounded-cache-map.

Long-lived map written from a request handler with request-derived keys and never deleted from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.frameworks import ECHO_PATHS, FIBER_PATHS, GIN, GRPC
from steadygo.golang.package_state import declared_locally, is_receiver, last_name, package_maps
from steadygo.golang.parse import ancestors, captures, text, unparen
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_INDEX_ASSIGN_Q = "(assignment_statement left: (expression_list (index_expression operand: (_) @map index: (_) @key))) @stmt"
_CONSTRUCTOR_PREFIXES = ("New", "new", "init", "Init", "main", "reset", "Reset", "clear", "Clear")


def _package_shrinks(pkg) -> set[str]:
    """Every name that is ever deleted from, cleared or reset somewhere in
    the package (by variable or field name)."""
    shrunk: set[str] = set()
    for name in ("delete", "clear"):
        for _, call in pkg.calls_to(name):
            args = call.child_by_field_name("arguments").named_children
            if call.child_by_field_name("function").type == "identifier" and args:
                shrunk.add(last_name(args[0]))
    for name in ("Delete", "LoadAndDelete", "Clear", "CompareAndDelete", "Swap"):
        for _, call in pkg.calls_to(name):
            fn = call.child_by_field_name("function")
            if fn.type == "selector_expression":
                shrunk.add(last_name(fn.child_by_field_name("operand")))
    for f in pkg.files:
        for lhs in captures("(assignment_statement left: (expression_list [(identifier) (selector_expression)] @lhs))", f.root).get("lhs", []):
            fn = _enclosing_name(lhs)
            if fn and not fn.startswith(_CONSTRUCTOR_PREFIXES):
                shrunk.add(last_name(lhs))
    return shrunk


def _enclosing_name(node) -> str:
    for n in ancestors(node):
        if n.type in ("function_declaration", "method_declaration"):
            return text(n.child_by_field_name("name"))
    return ""


def _request_derived(ctx, handler, key) -> bool:
    """The key comes from the request: it mentions the request value, or is
    a variable assigned (one step) from something that does."""
    req = handler.request_param() or (handler.params[1].name if handler.handler == "net/http" and len(handler.params) > 1 else "")
    if handler.handler == "grpc" and len(handler.params) > 1:
        req = handler.params[1].name
    if not req:
        return False
    names = {text(i) for i in captures("(identifier) @i", key).get("i", [])}
    if req in names:
        return True
    body = handler.body
    for n in names:
        for rhs in ctx.pkg.assigned_from(body, n):
            if req in {text(i) for i in captures("(identifier) @i", rhs).get("i", [])}:
                return True
    return False


class UnboundedPackageMap(GoRule):
    meta = code_meta(
        id="SG313",
        name="unbounded-cache-map",
        severity=Severity.WARNING,
        breakpoint="A package-level (or server-lifetime) map that every request adds to and nothing ever deletes from grows with traffic until the process is OOM-killed, typically days after deploy.",
        summary="Long-lived map written from a request handler with request-derived keys and never deleted from.",
        status="preview",
    )

    requires_imports = ("net/http", GIN, *ECHO_PATHS, *FIBER_PATHS, GRPC)

    def check(self, ctx: FileContext) -> None:
        if not any(fi.is_handler for fi in ctx.funcs.funcs):
            return
        maps = ctx.pkg.memo("mem.maps", lambda: package_maps(ctx.pkg))
        shrunk = _LazyShrinks(ctx.pkg)
        f = ctx.file
        for m in captures(_INDEX_ASSIGN_Q, f.root).get("stmt", []):
            lhs = m.child_by_field_name("left").named_child(0)
            target = unparen(lhs.child_by_field_name("operand"))
            key = lhs.child_by_field_name("index")
            h = ctx.funcs.in_handler(m)
            if h is None or target is None:
                continue
            self._check_write(ctx, m, target, key, h, maps, shrunk)
        for m in captures("(inc_statement (index_expression operand: (_) @map index: (_) @key)) @stmt", f.root).get("stmt", []):
            ix = m.named_child(0)
            h = ctx.funcs.in_handler(m)
            target = unparen(ix.child_by_field_name("operand"))
            if h is not None and target is not None:
                self._check_write(ctx, m, target, ix.child_by_field_name("index"), h, maps, shrunk)
        for call in ctx.pkg.calls_in(f, "Store", "LoadOrStore"):
            fn = call.child_by_field_name("function")
            if fn.type != "selector_expression":
                continue
            args = call.child_by_field_name("arguments").named_children
            h = ctx.funcs.in_handler(call) if args else None
            if h is None:
                continue
            target = unparen(fn.child_by_field_name("operand"))
            if target is not None and target.type == "identifier" and maps.get(text(target)) == "sync.Map":
                self._check_write(ctx, call, target, args[0], h, maps, shrunk)

    def _check_write(self, ctx, node, target, key, h, maps, shrunk) -> None:
        if target.type == "identifier":
            name = text(target)
            if name not in maps or name in shrunk:
                return
            if declared_locally(list(ctx.funcs.enclosing_chain(node)), name):
                return
            where = f"package-level map {name}"
        elif target.type == "selector_expression":
            operand = unparen(target.child_by_field_name("operand"))
            name = text(target.child_by_field_name("field"))
            if operand is None or operand.type != "identifier" or name in shrunk:
                return
            fi = ctx.funcs.enclosing(node)
            if fi is None or fi.node.type != "method_declaration" or not is_receiver(fi.node, text(operand)):
                return
            where = f"map field {text(operand)}.{name} of a long-lived {fi.receiver_type}"
        else:
            return
        if not _request_derived(ctx, h, key):
            return
        ctx.report(node, f"{where} gets a new request-derived key on every request and nothing in the package ever "
                   "deletes from it: it grows until the process runs out of memory; bound it (LRU, TTL) or delete entries")


class _LazyShrinks:
    """Computed only when a candidate write is found."""

    def __init__(self, pkg):
        self.pkg = pkg

    def __contains__(self, name: str) -> bool:
        return name in self.pkg.memo("mem.shrinks", lambda: _package_shrinks(self.pkg))
