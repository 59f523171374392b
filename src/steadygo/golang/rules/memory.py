"""Memory retention rules (SG313-SG315): caches that only grow, sync.Pool
misuse, and small sub-slices that pin large buffers."""

from __future__ import annotations

from steadygo.findings import Severity
from steadygo.golang.parse import captures, enclosing_function, matches, text, unparen
from steadygo.golang.rules.base import FileContext, GoRule
from steadygo.golang.rules.resources import _meta
from steadygo.golang.functions import ECHO_PATHS, FIBER_PATHS, GIN, GRPC

_INDEX_ASSIGN_Q = "(assignment_statement left: (expression_list (index_expression operand: (_) @map index: (_) @key))) @stmt"
_LOCAL_DECL_Q = """
(short_var_declaration left: (expression_list (identifier) @n))
(var_spec name: (identifier) @n)
(parameter_declaration name: (identifier) @n)
(range_clause left: (expression_list (identifier) @n))
"""
_CONSTRUCTOR_PREFIXES = ("New", "new", "init", "Init", "main", "reset", "Reset", "clear", "Clear")


def _is_map_spec(file, spec) -> str:
    """'map' / 'sync.Map' when a package-level var_spec declares one."""
    t = spec.child_by_field_name("type")
    if t is not None:
        if t.type == "map_type":
            return "map"
        if file.is_member(t, "sync", "Map"):
            return "sync.Map"
        return ""
    val = spec.child_by_field_name("value")
    if val is None or val.named_child_count != 1:
        return ""
    v = unparen(val.named_child(0))
    if v is None:
        return ""
    if v.type == "composite_literal":
        ct = v.child_by_field_name("type")
        if ct is not None and ct.type == "map_type":
            return "map"
        if ct is not None and file.is_member(ct, "sync", "Map"):
            return "sync.Map"
    if v.type == "call_expression" and text(v.child_by_field_name("function")) == "make":
        args = v.child_by_field_name("arguments")
        if args.named_child_count and args.named_child(0).type == "map_type":
            return "map"
    return ""


def _top_level_specs(file):
    for decl in file.root.named_children:
        if decl.type != "var_declaration":
            continue
        for c in decl.named_children:
            if c.type == "var_spec":
                yield c
            elif c.type == "var_spec_list":
                yield from (x for x in c.named_children if x.type == "var_spec")


def _package_maps(pkg) -> dict[str, str]:
    maps: dict[str, str] = {}
    for f in pkg.files:
        for spec in _top_level_specs(f):
            kind = _is_map_spec(f, spec)
            if kind:
                for n in spec.children_by_field_name("name"):
                    maps[text(n)] = kind
    return maps


def _package_shrinks(pkg) -> set[str]:
    """Every name that is ever deleted from, cleared or reset somewhere in
    the package (by variable or field name)."""
    shrunk: set[str] = set()
    for name in ("delete", "clear"):
        for _, call in pkg.calls_to(name):
            args = call.child_by_field_name("arguments").named_children
            if call.child_by_field_name("function").type == "identifier" and args:
                shrunk.add(_last_name(args[0]))
    for name in ("Delete", "LoadAndDelete", "Clear", "CompareAndDelete", "Swap"):
        for _, call in pkg.calls_to(name):
            fn = call.child_by_field_name("function")
            if fn.type == "selector_expression":
                shrunk.add(_last_name(fn.child_by_field_name("operand")))
    for f in pkg.files:
        for lhs in captures("(assignment_statement left: (expression_list [(identifier) (selector_expression)] @lhs))", f.root).get("lhs", []):
            fn = _enclosing_name(lhs)
            if fn and not fn.startswith(_CONSTRUCTOR_PREFIXES):
                shrunk.add(_last_name(lhs))
    return shrunk


def _last_name(node) -> str:
    node = unparen(node)
    if node is None:
        return ""
    if node.type == "selector_expression":
        return text(node.child_by_field_name("field"))
    return text(node)


def _enclosing_name(node) -> str:
    n = node.parent
    while n is not None:
        if n.type in ("function_declaration", "method_declaration"):
            return text(n.child_by_field_name("name"))
        n = n.parent
    return ""


def _declared_locally(fi_chain, name: str) -> bool:
    for fi in fi_chain:
        for n in captures(_LOCAL_DECL_Q, fi.node).get("n", []):
            if text(n) == name:
                return True
    return False


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
    meta = _meta(
        "SG313",
        "unbounded-cache-map",
        Severity.WARNING,
        "A package-level (or server-lifetime) map that every request adds to and nothing ever deletes from grows with traffic until the process is OOM-killed, typically days after deploy.",
        "Long-lived map written from a request handler with request-derived keys and never deleted from.",
        status="preview",
    )

    requires_imports = ("net/http", GIN, *ECHO_PATHS, *FIBER_PATHS, GRPC)

    def check(self, ctx: FileContext) -> None:
        if not any(fi.is_handler for fi in ctx.funcs.funcs):
            return
        maps = ctx.pkg.memo("mem.maps", lambda: _package_maps(ctx.pkg))
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
            if _declared_locally(list(ctx.funcs.enclosing_chain(node)), name):
                return
            where = f"package-level map {name}"
        elif target.type == "selector_expression":
            operand = unparen(target.child_by_field_name("operand"))
            name = text(target.child_by_field_name("field"))
            if operand is None or operand.type != "identifier" or name in shrunk:
                return
            fi = ctx.funcs.enclosing(node)
            if fi is None or fi.node.type != "method_declaration" or not _is_receiver(fi.node, text(operand)):
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


def _is_receiver(method_node, name: str) -> bool:
    r = method_node.child_by_field_name("receiver")
    return r is not None and any(text(n) == name for n in captures("(parameter_declaration name: (identifier) @n)", r).get("n", []))


# --------------------------------------------------------------------------
# SG314

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
                        names.update(_last_name(x) for x in decl.child_by_field_name("left").named_children)
                elif p is not None and p.type == "literal_element" and p.parent is not None and p.parent.type == "keyed_element":
                    names.add(text(p.parent.named_child(0)))
        for t in captures("[(var_spec type: (_) @t) (field_declaration type: (_) @t)]", f.root).get("t", []):
            if f.is_member(t, "sync", "Pool"):
                decl = t.parent
                names.update(text(n) for n in decl.children_by_field_name("name"))
    return names


class SyncPoolMisuse(GoRule):
    meta = _meta(
        "SG314",
        "sync-pool-misuse",
        Severity.WARNING,
        "A pooled buffer reused without Reset leaks one request's data into another's response; one still referenced after Put is overwritten by the next user (corrupted responses, data races).",
        "sync.Pool object used after Put (escapes), taken without Reset, or a non-pointer put back.",
        status="preview",
    )
    requires_imports = ("sync",)

    def check(self, ctx: FileContext) -> None:
        pools = ctx.pkg.memo("mem.pools", lambda: _pools(ctx.pkg))
        if not pools:
            return
        f = ctx.file
        for _, caps in matches(_GET_ASSERT_Q, f.root):
            if _last_name(caps["pool"][0]) not in pools:
                continue
            v = text(caps["v"][0])
            typ = text(caps["type"][0]).replace(" ", "")
            stmt = caps["stmt"][0]
            if typ not in ("*bytes.Buffer", "*strings.Builder"):
                continue
            fi = ctx.funcs.enclosing(stmt)
            if fi is None or _calls_on(fi.body, v, ("Reset", "Truncate")):
                continue
            if ctx.pkg.memo(("mem.put_resets", _last_name(caps["pool"][0])), lambda: self._put_sites_reset(ctx.pkg, _last_name(caps["pool"][0]))):
                continue
            ctx.report(stmt, f"{v} comes from the pool without Reset (here or where it is Put back): it still holds the "
                       "previous user's bytes, which end up in this request's output; call Reset after Get")
        for _, caps in matches(_PUT_Q, f.root):
            pool = _last_name(caps["pool"][0])
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
            if fn.type != "selector_expression" or _last_name(fn.child_by_field_name("operand")) != pool:
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


# --------------------------------------------------------------------------
# SG315

_BIG_READS = {("io", "ReadAll"), ("io/ioutil", "ReadAll"), ("os", "ReadFile"), ("io/ioutil", "ReadFile")}


class SubsliceRetainsBuffer(GoRule):
    meta = _meta(
        "SG315",
        "subslice-retains-large-buffer",
        Severity.INFO,
        "Keeping a few bytes of a large buffer in a long-lived place keeps the whole buffer alive: memory grows with every stored entry although the data is small.",
        "Sub-slice of a whole-read or large buffer stored in a package-level map/slice or a field.",
        status="preview",
    )

    def check(self, ctx: FileContext) -> None:
        big = self._big_buffers(ctx)
        if not big:
            return
        maps = ctx.pkg.memo("mem.maps", lambda: _package_maps(ctx.pkg))
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
                    big = _const_int(args[1]) >= 4096
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
            if _declared_locally(list(ctx.funcs.enclosing_chain(sl)), text(target)):
                return ""
            return f"package-level {text(target)}"
        if target.type == "selector_expression":
            fi = ctx.funcs.enclosing(sl)
            op = unparen(target.child_by_field_name("operand"))
            if fi is not None and fi.node.type == "method_declaration" and op is not None and op.type == "identifier" and _is_receiver(fi.node, text(op)):
                return f"field {text(target)}"
        return ""


def _const_int(node, depth: int = 0) -> int:
    """Value of ``a * b`` or ``a << b`` over int literals (64*1024, 1<<16), else 0.
    Only shallow expressions are evaluated (buffer sizes are written that way)."""
    node = unparen(node)
    if depth > 4:
        return 0
    if node is None:
        return 0
    if node.type == "int_literal":
        try:
            return int(text(node).replace("_", ""), 0)
        except ValueError:
            return 0
    if node.type != "binary_expression":
        return 0
    left = _const_int(node.child_by_field_name("left"), depth + 1)
    right = _const_int(node.child_by_field_name("right"), depth + 1)
    op = text(node.child_by_field_name("operator"))
    if op == "*":
        return left * right
    if op == "<<" and right < 64:
        return left << right
    return 0


def _is_package_var(ctx, name: str) -> bool:
    def compute():
        out = set()
        for f in ctx.pkg.files:
            for spec in _top_level_specs(f):
                out.update(text(n) for n in spec.children_by_field_name("name"))
        return out

    return name in ctx.pkg.memo("mem.pkg_vars", compute)


RULES = [
    UnboundedPackageMap(),
    SyncPoolMisuse(),
    SubsliceRetainsBuffer(),
]
