"""Where values come from and which struct fields end up set.

The HTTP timeout rules need to know whether ``ReadHeaderTimeout`` is set on an
``http.Server`` anywhere the engine can see: in the literal, by a later
``srv.ReadHeaderTimeout = ...`` in the same function, by the caller of a
helper that built and returned the literal, by a same-package function the
value was handed to, or through a struct field holding it.
"""

from __future__ import annotations

from dataclasses import dataclass

from steadygo.golang.parse import captures, enclosing_function, text, unparen

_ASSIGN_Q = """
(assignment_statement left: (expression_list) @lhs right: (expression_list) @rhs) @stmt
(short_var_declaration left: (expression_list) @lhs right: (expression_list) @rhs) @stmt
"""
_FIELD_ASSIGN_Q = "(assignment_statement left: (expression_list (selector_expression) @lhs))"
_DEREF_ASSIGN_Q = "(assignment_statement left: (expression_list (unary_expression) @lhs))"

# Marker in a field set: the whole value was overwritten (``*c = *other``), so
# any field may be set and rules must not claim one is missing.
ALL_FIELDS = "*"
_CALLS_Q = "(call_expression function: [(identifier) (selector_expression)] @fn) @call"


@dataclass(frozen=True)
class Holder:
    """What holds a value expression.

    kind: 'var' (local or package variable ``path``), 'field' (a struct field
    whose last component is ``path``), 'return' (returned from ``func``),
    'arg' (``index``-th argument of ``call``), or 'none'.
    """

    kind: str
    path: str = ""
    func: object = None  # enclosing function node
    call: object = None
    index: int = -1


def literal_keys(lit_node) -> dict[str, object]:
    """Keyed fields of a composite literal: name -> value node."""
    body = lit_node.child_by_field_name("body")
    out: dict[str, object] = {}
    if body is None:
        return out
    for el in body.named_children:
        if el.type != "keyed_element":
            continue
        key = el.named_child(0)
        val = el.named_child(1)
        if key is None:
            continue
        k = unparen(key.named_child(0) if key.type == "literal_element" else key)
        v = val.named_child(0) if val is not None and val.type == "literal_element" else val
        out[text(k)] = v
    return out


def is_zero_literal(node) -> bool:
    node = unparen(node)
    return node is not None and text(node) in ("0", "0.0", "time.Duration(0)", "nil")


def holder_of(expr) -> Holder:
    node = expr
    # climb through &x, (x)
    while node.parent is not None and (
        node.parent.type == "parenthesized_expression"
        or (node.parent.type == "unary_expression" and text(node.parent)[:1] == "&")
    ):
        node = node.parent
    parent = node.parent
    if parent is None:
        return Holder("none")
    fn = enclosing_function(node)
    if parent.type == "literal_element":
        kv = parent.parent
        if kv is not None and kv.type == "keyed_element" and kv.named_child(1) == parent:
            key = kv.named_child(0)
            return Holder("field", text(key), fn)
        return Holder("none")
    if parent.type == "expression_list":
        stmt = parent.parent
        if stmt is not None and stmt.type in ("short_var_declaration", "assignment_statement"):
            if stmt.child_by_field_name("right") == parent:
                idx = parent.named_children.index(node) if node in parent.named_children else -1
                lhs = stmt.child_by_field_name("left").named_children
                if 0 <= idx < len(lhs):
                    target = lhs[idx]
                    if target.type == "identifier":
                        return Holder("var", text(target), fn)
                    if target.type == "selector_expression":
                        return Holder("field", text(target.child_by_field_name("field")), fn)
            return Holder("none")
        if stmt is not None and stmt.type == "return_statement":
            return Holder("return", "", fn)
        if stmt is not None and stmt.type == "var_spec":
            names = stmt.children_by_field_name("name")
            idx = [c.id for c in parent.named_children].index(node.id)
            if idx < len(names):
                return Holder("var", text(names[idx]), fn)
        return Holder("none")
    if parent.type == "var_spec":
        names = parent.children_by_field_name("name")
        if names:
            return Holder("var", text(names[0]), fn)
    if parent.type == "return_statement":
        return Holder("return", "", fn)
    if parent.type == "argument_list":
        call = parent.parent
        idx = [c.id for c in parent.named_children].index(node.id)
        return Holder("arg", "", fn, call, idx)
    return Holder("none")


def assigned_fields(scope_node, holder_path: str, last_component: bool) -> set[str]:
    """Fields F for assignments ``<holder>.F... = v`` inside scope_node."""
    out: set[str] = set()
    if scope_node is None:
        return out
    if not last_component:
        for lhs in captures(_DEREF_ASSIGN_Q, scope_node).get("lhs", []):
            if text(lhs).replace(" ", "") == "*" + holder_path:
                out.add(ALL_FIELDS)
    for lhs in captures(_FIELD_ASSIGN_Q, scope_node).get("lhs", []):
        parts = text(lhs).replace(" ", "").split(".")
        if len(parts) < 2:
            continue
        if last_component:
            for i in range(len(parts) - 1):
                if parts[i] == holder_path:
                    out.add(parts[i + 1])
        else:
            hp = holder_path.split(".")
            if parts[: len(hp)] == hp and len(parts) > len(hp):
                out.add(parts[len(hp)])
    return out


def fields_set(pkg, file, lit_node, _depth: int = 0) -> set[str]:
    """Names of fields set on the value a composite literal creates, as far as
    the package shows it.  Zero literals (``ReadTimeout: 0``) do not count."""
    fields = {k for k, v in literal_keys(lit_node).items() if not is_zero_literal(v)}
    return fields | fields_set_later(pkg, file, lit_node, _depth)


def fields_set_later(pkg, file, value_node, _depth: int = 0) -> set[str]:
    """Fields assigned after the value was created (see module docstring)."""
    out: set[str] = set()
    if _depth > 3:
        return out
    h = holder_of(value_node)
    if h.kind == "var":
        scope = h.func.child_by_field_name("body") if h.func is not None else None
        if h.func is None:  # package-level variable: any function may set it
            for f in pkg.files:
                out |= assigned_fields(f.root, h.path, last_component=False)
        else:
            out |= assigned_fields(scope, h.path, last_component=False)
            tnode = value_node.child_by_field_name("type") if value_node.type == "composite_literal" else None
            out |= _fields_via_calls(pkg, scope, h.path, _depth, text(tnode) if tnode is not None else None)
    elif h.kind == "field":
        for f in pkg.files:
            out |= assigned_fields(f.root, h.path, last_component=True)
    elif h.kind == "return" and h.func is not None and h.func.type != "func_literal":
        name = text(h.func.child_by_field_name("name"))
        for f, call in pkg.calls_to(name):
            out |= fields_set_later(pkg, f, call, _depth + 1)
    elif h.kind == "arg" and h.call is not None:
        out |= _fields_in_callee(pkg, h.call, h.index, _depth)
    return out


def _fields_via_calls(pkg, scope, var: str, depth: int, type_text: str | None = None) -> set[str]:
    """``configure(srv)``: fields the same-package callee sets on its parameter.
    ``for _, o := range opts { o(srv) }``: a function value (a functional
    option) may be any func literal of the package taking the value's type,
    so the fields those literals set on their parameter count."""
    out: set[str] = set()
    if scope is None:
        return out
    for m in captures(_CALLS_Q, scope).get("call", []):
        args = m.child_by_field_name("arguments")
        if args is None:
            continue
        for i, a in enumerate(args.named_children):
            a = unparen(a)
            if a is not None and a.type == "unary_expression":
                a = a.named_child(0)
            if a is not None and a.type == "identifier" and text(a) == var:
                found = _fields_in_callee(pkg, m, i, depth)
                if not found and type_text and _calls_function_value(pkg, m):
                    found = _fields_set_by_options(pkg, type_text)
                out |= found
    return out


def _calls_function_value(pkg, call) -> bool:
    """``o(srv)`` where ``o`` is no function the package declares (a range
    variable or parameter holding an option)."""
    fn = call.child_by_field_name("function")
    return fn.type == "identifier" and not any(True for _ in pkg.functions_named(text(fn)))


def _fields_set_by_options(pkg, type_text: str) -> set[str]:
    """Fields every ``func(s *T) { s.F = ... }`` literal of the package sets
    on its parameter, T being the configured value's type."""

    def compute():
        out: set[str] = set()
        wanted = (type_text, "*" + type_text)
        for f in pkg.files:
            for fi in pkg.functions(f).funcs:
                if fi.node.type == "func_literal" and len(fi.params) == 1 and \
                        fi.params[0].type_text.replace(" ", "") in wanted and fi.params[0].name:
                    out |= assigned_fields(fi.body, fi.params[0].name, last_component=False)
        return out

    return pkg.memo(("values.option_fields", type_text), compute)


def _fields_in_callee(pkg, call, index: int, depth: int) -> set[str]:
    fn = call.child_by_field_name("function")
    name = text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else text(fn)
    out: set[str] = set()
    for f, finfo in pkg.functions_named(name):
        if index < len(finfo.params):
            pname = finfo.params[index].name
            if pname and pname != "_":
                out |= assigned_fields(finfo.body, pname, last_component=False)
    return out


def assignment_index(scope_node) -> dict[str, list[object]]:
    """Every plain identifier assigned inside scope_node -> its right-hand
    sides, in source order (``Package.assigned_from`` keeps one per scope)."""
    out: dict[str, list[object]] = {}
    for m in captures(_ASSIGN_Q, scope_node).get("stmt", []):
        lhs = m.child_by_field_name("left").named_children
        rhs = m.child_by_field_name("right").named_children
        for i, l in enumerate(lhs):
            if l.type == "identifier":
                out.setdefault(text(l), []).append(rhs[i] if len(rhs) == len(lhs) else rhs[0])
    return out


def assigned_from(scope_node, var: str) -> list[object]:
    """Right-hand sides assigned to a plain identifier inside scope_node."""
    return list(assignment_index(scope_node).get(var, ()))


def lives_one_operation(pkg, file, node, _depth: int = 0) -> bool:
    """The value ``node`` creates lives for one call of its function only:
    it stays in local variables (or the client literal it is put in), is used
    there and dropped, or is returned to callers in the package that all do
    the same.  Stored in a field or package variable, handed to another
    function, or returned from a function with no caller in the package
    (exported for others): it may be shared, so False."""
    if _depth > 3:
        return False
    h = holder_of(node)
    if h.kind == "return":
        return _callers_keep_local(pkg, h.func, _depth)
    if h.kind == "field":
        outer = _enclosing_literal(node)
        if outer is not None:  # &http.Client{Transport: <node>}: the client's fate decides
            return lives_one_operation(pkg, file, outer, _depth + 1)
        target = _assigned_selector(node)  # client.Transport = <node>
        operand = target.child_by_field_name("operand") if target is not None else None
        if operand is None or operand.type != "identifier" or h.func is None:
            return False
        return _local_var_stays(pkg, file, h.func, text(operand), node, _depth)
    if h.kind == "var" and h.func is not None:
        return _local_var_stays(pkg, file, h.func, h.path, node, _depth)
    return False


def _enclosing_literal(node):
    n = node
    while n.parent is not None and n.parent.type in ("parenthesized_expression", "unary_expression"):
        n = n.parent
    kv = n.parent.parent if n.parent is not None and n.parent.type == "literal_element" else None
    if kv is None or kv.type != "keyed_element" or kv.parent is None or kv.parent.type != "literal_value":
        return None
    lit = kv.parent.parent
    return lit if lit is not None and lit.type == "composite_literal" else None


def _assigned_selector(node):
    n = node
    while n.parent is not None and n.parent.type in ("parenthesized_expression", "unary_expression"):
        n = n.parent
    stmt = n.parent.parent if n.parent is not None and n.parent.type == "expression_list" else None
    if stmt is None or stmt.type != "assignment_statement":
        return None
    lhs = stmt.child_by_field_name("left").named_children
    rhs = stmt.child_by_field_name("right").named_children
    if len(lhs) != len(rhs) or n not in rhs or lhs[rhs.index(n)].type != "selector_expression":
        return None
    return lhs[rhs.index(n)]


def _local_var_stays(pkg, file, func, name: str, after, depth: int, param: bool = False) -> bool:
    """Every later use of local ``name`` in ``func``: a method call or field
    access on it, a field assignment on it, handing it to a same-package
    function that keeps it local too, or returning it (then the callers
    decide).  ``param``: ``name`` is the function's parameter, followed
    from a caller."""
    body = func.child_by_field_name("body")
    if body is None or not (param or _declared_in(body, name)):
        return False  # a package variable (or a parameter): outlives the call
    returned = False
    for ident in captures("(identifier) @i", body).get("i", []):
        if text(ident) != name or ident.start_byte < after.end_byte:
            continue
        parent = ident.parent
        if parent.type == "selector_expression" and parent.child_by_field_name("operand") == ident:
            continue  # client.Do(req), tr.TLSClientConfig = ..., client.Transport.X
        if parent.type == "expression_list" and parent.parent is not None:
            stmt = parent.parent
            if stmt.type == "return_statement":
                returned = True
                continue
            if stmt.type in ("assignment_statement", "short_var_declaration") and \
                    stmt.child_by_field_name("left") == parent:
                continue  # reassigned
        if parent.type == "return_statement":
            returned = True
            continue
        if parent.type == "literal_element":
            outer = _enclosing_literal(ident)
            if outer is not None and lives_one_operation(pkg, file, outer, depth + 1):
                continue
        if parent.type == "argument_list" and _callee_keeps_local(pkg, parent.parent, ident, depth):
            continue
        return False
    return not returned or (not param and _callers_keep_local(pkg, func, depth))


def _callee_keeps_local(pkg, call, arg, depth: int) -> bool:
    """``fetch(client, req)``: every same-package function of that name keeps
    its parameter local (and does not return it)."""
    if depth > 3 or call is None or call.type != "call_expression":
        return False
    fn = call.child_by_field_name("function")
    name = text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else text(fn)
    index = [c.id for c in call.child_by_field_name("arguments").named_children].index(arg.id)
    found = False
    for g, fi in pkg.functions_named(name):
        if index >= len(fi.params) or not fi.params[index].name or fi.params[index].type_text.startswith("..."):
            return False
        if not _local_var_stays(pkg, g, fi.node, fi.params[index].name, fi.node.child_by_field_name("parameters"),
                                depth + 1, param=True):
            return False
        found = True
    return found


def _declared_in(body, name: str) -> bool:
    for d in captures("(short_var_declaration left: (expression_list (identifier) @n)) (var_spec name: (identifier) @n)",
                      body).get("n", []):
        if text(d) == name:
            return True
    return False


def _callers_keep_local(pkg, func, depth: int) -> bool:
    if func is None or func.type == "func_literal":
        return False
    name = text(func.child_by_field_name("name"))
    callers = list(pkg.calls_to(name))
    if not callers:
        return False
    return all(lives_one_operation(pkg, g, call, depth + 1) for g, call in callers)


def built_per_call(pkg, file, node) -> bool:
    """``node`` is what a named function returns (directly or through a local
    variable), and every caller in the package builds it anew for its own
    call: the result goes into a local variable (or a literal held by one) of
    a function, never into a field or package variable, and is not returned
    on.  A library it is handed to for that call is not followed: the value
    was made for the call, so no pool is shared between calls of the
    constructor (``transport := getUpdateTransport(d)`` per update)."""
    h = holder_of(node)
    func = h.func
    if h.kind == "var" and func is not None:
        body = func.child_by_field_name("body")
        if body is None or not _declared_in(body, h.path):
            return False
        uses = [i for i in captures("(identifier) @i", body).get("i", [])
                if text(i) == h.path and i.start_byte >= node.end_byte]
        if not uses or not all(holder_of(i).kind == "return" or i.parent.type == "selector_expression" for i in uses):
            return False
    elif h.kind != "return":
        return False
    if func is None or func.type != "function_declaration":
        return False
    callers = list(pkg.calls_to(text(func.child_by_field_name("name"))))
    return bool(callers) and all(_kept_for_the_call(pkg, g, call) for g, call in callers)


def _kept_for_the_call(pkg, file, call) -> bool:
    h = holder_of(call)
    if h.kind == "field":
        outer = _enclosing_literal(call)
        return outer is not None and _kept_for_the_call(pkg, file, outer)
    if h.kind == "arg":
        return h.func is not None
    if h.kind != "var" or h.func is None:
        return False
    body = h.func.child_by_field_name("body")
    if body is None or not _declared_in(body, h.path):
        return False
    for i in captures("(identifier) @i", body).get("i", []):
        if text(i) != h.path or i.start_byte < call.end_byte:
            continue
        if i.parent.type == "selector_expression":
            continue  # tr.TLSClientConfig = ..., client.Do(req)
        u = holder_of(i)
        if u.kind == "field" and _enclosing_literal(i) is not None:
            if not _kept_for_the_call(pkg, file, _enclosing_literal(i)):
                return False  # &http.Client{Transport: tr} kept beyond the call
            continue
        if u.kind in ("return", "var", "field"):
            return False  # handed on beyond this call
    return True
