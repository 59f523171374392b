"""Outbound HTTP calls: net/http package functions and client methods, and
where a client's bound is set when ``Client.Timeout`` is not.
"""

from __future__ import annotations

from collections import Counter

from steadygo.golang.facts import context_deadline
from steadygo.golang.frameworks import NET_HTTP
from steadygo.golang.http_values import typed_values_in
from steadygo.golang.package_types import is_named
from steadygo.golang.parse import capture_pairs, captures, text, unparen
from steadygo.golang.request_scope import visible_callers
from steadygo.golang.values import ALL_FIELDS, holder_of, is_zero_literal, literal_keys

HTTP_PKG_FUNCS = frozenset({"Get", "Post", "Head", "PostForm"})
CLIENT_METHODS = frozenset({"Get", "Post", "Head", "PostForm", "Do", "RoundTrip"})


def outbound_strength(f, call, fn, method):
    """True: certainly net/http; False: a method call that may be one
    (needs evidence from how the result is used); None: not ours."""
    q = f.qualified(fn)
    if q is not None:
        if f.is_member(fn, NET_HTTP, *HTTP_PKG_FUNCS):
            return True
        return None  # another package's function
    operand = fn.child_by_field_name("operand")
    if f.is_member(operand, NET_HTTP, "DefaultClient"):
        return True
    return False


def client_calls(f):
    """(call, function node, method, strong) for every ``x.Get/Post/Do...``
    call that is, or may be, an outbound net/http request (see outbound_strength)."""
    for call in f.method_calls:
        fn = call.child_by_field_name("function")
        method = text(fn.child_by_field_name("field"))
        if method not in CLIENT_METHODS:
            continue
        strong = outbound_strength(f, call, fn, method)
        if strong is not None:
            yield call, fn, method, strong


def is_response_type(t: str | None) -> bool:
    return is_named(t, NET_HTTP, "Response") and t.count("*") == 1


def is_client_type(t: str | None) -> bool:
    return is_named(t, NET_HTTP, "Client") and t.count("*") <= 1


def response_calls(pkg, f, typed_only: bool):
    """``client_calls`` and the package's own helpers declared to return an
    ``*http.Response``, as (call, function node, method, strong, typed_new).
    ``strong`` as in ``outbound_strength``, or a declared ``*http.Response``;
    ``typed_new``: found only through the declared types (a helper, or any
    call in a file that imports no net/http, where ``typed_only`` keeps just
    what the declarations type), so golang.typed_acquisitions applies."""
    seen = set()
    for call, fn, method, strong in client_calls(f):
        if typed_only:
            res = pkg.types.results_of(f, call)
            if not (res and is_response_type(res[0])):
                continue
        seen.add(call.id)
        yield call, fn, method, strong, typed_only
    for call in pkg.types.calls_returning(f, is_response_type):
        if call.id not in seen:
            fn = call.child_by_field_name("function")
            yield call, fn, text(fn.child_by_field_name("field") if fn.type == "selector_expression" else fn), True, True


def holds_default_client(pkg, f, operand) -> bool:
    """``client.Get(u)`` where ``client`` is declared, in this file or another
    of the package, as ``client := http.DefaultClient`` / ``var client =
    http.DefaultClient`` and never reassigned (a variable set again, as
    ``client = &http.Client{Timeout: ...}`` in an init, is not claimed)."""
    if operand is None or operand.type != "identifier":
        return False
    decl = pkg.types.declaration_of(f, operand)
    value = decl.value if decl is not None else None
    if value is None or not decl.file.is_member(value, NET_HTTP, "DefaultClient"):
        return False
    return _never_reassigned(pkg, decl, text(operand))


def _never_reassigned(pkg, decl, name: str) -> bool:
    """A package variable no file assigns again, or a local assigned only
    where it is declared."""
    if decl.kind == "package":
        return not any(pkg.assigned_from(g.root, name) for g in pkg.files)
    fi = pkg.enclosing_function(decl.file, decl.node)
    return fi is not None and fi.body is not None and len(pkg.assigned_from(fi.body, name)) == 1


# --- Where a client's bound is set when Client.Timeout is not ------------------
#
# An http.Client without Timeout is still bounded when (a) its transport bounds
# the dial and the wait for response headers (the two waits a silent upstream
# stretches forever), (b) every request it sends carries a context with a
# deadline, or (c) it is handed to a library together with that library's own
# timeout option (docker's client.WithHTTPClient(c) + client.WithTimeout(d)).

_RETURNS_Q = "(return_statement (expression_list) @v)"
_DEADLINE_DEPTH = 3


def dial_timeout(pkg, file, v) -> bool | None:
    """True/False: a transport's dial timeout is / is not set; None: a custom
    dial function we cannot see into.  ``(&net.Dialer{Timeout: d}).DialContext``
    inline or through a variable holding the dialer literal both count."""

    if v.literal is None:
        return bool({"DialContext", "Dial"} & v.fields)
    keys = literal_keys(v.literal)
    dial = keys.get("DialContext") or keys.get("Dial")
    if dial is None or is_zero_literal(dial):
        return bool({"DialContext", "Dial"} & v.fields)
    for lit in captures("(composite_literal) @l", dial).get("l", []):
        if file.is_member(lit.child_by_field_name("type"), "net", "Dialer"):
            return "Timeout" in literal_keys(lit)
    dial = unparen(dial)
    if dial is not None and dial.type == "selector_expression" and text(dial.child_by_field_name("field")) in (
            "DialContext", "Dial"):
        operand = unparen(dial.child_by_field_name("operand"))
        fi = pkg.functions(file).enclosing(v.node)
        if operand is not None and operand.type == "identifier" and fi is not None and fi.body is not None:
            dialers = []
            for val in pkg.assigned_from(fi.body, text(operand)):
                val = unparen(val)
                if val is not None and val.type == "unary_expression":
                    val = val.named_child(0)
                if val is None or val.type != "composite_literal" or not file.is_member(
                        val.child_by_field_name("type"), "net", "Dialer"):
                    return None
                dialers.append("Timeout" in literal_keys(val))
            if dialers:
                return all(dialers)
    return None


def transport_bounds_waits(pkg, file, v) -> bool:
    """The transport sets ResponseHeaderTimeout (non-zero) and a dial timeout."""

    if ALL_FIELDS in v.fields or "ResponseHeaderTimeout" not in v.fields:
        return False
    if v.literal is not None and is_zero_literal(literal_keys(v.literal).get("ResponseHeaderTimeout")):
        return False
    return bool(dial_timeout(pkg, file, v))


def transports_of(pkg, file, expr, _depth: int = 0) -> list | None:
    """The http.Transport values (file, TypedValue) an expression may hold:
    a literal, a variable (local, or package level and assigned anywhere in
    the package), or the result of a same-package constructor.  None when
    any of them cannot be seen (a parameter, another package's function)."""

    expr = unparen(expr)
    if expr is not None and expr.type == "unary_expression" and text(expr)[:1] == "&":
        expr = unparen(expr.named_child(0))
    if expr is None or _depth > 4:
        return None
    made = [(file, v) for v in typed_values_in(pkg, file, "Transport") if v.node.id == expr.id]
    if made:  # &http.Transport{...}, new(http.Transport)
        return made
    if expr.type == "identifier":
        name = text(expr)
        decl = pkg.types.declaration_of(file, expr)
        if decl is None or decl.kind in ("param", "other"):
            return None  # the caller's value, or one out of sight
        if decl.kind == "package":
            out = [x for g in pkg.files for x in _held_by(pkg, g, g.root, name, _depth)]
        else:
            out = _held_by(pkg, decl.file, pkg.functions(decl.file).enclosing(decl.node).body, name, _depth) \
                if pkg.functions(decl.file).enclosing(decl.node) is not None else []
        return out if out and all(x is not None for x in out) else None
    if expr.type == "call_expression":
        fn = expr.child_by_field_name("function")
        if fn.type != "identifier":
            return None
        out = []
        for g, fi in pkg.functions_named(text(fn)):
            if fi.body is None or fi.receiver_type:
                continue
            for ret in captures(_RETURNS_Q, fi.body).get("v", []):
                if ret.named_child_count:
                    got = transports_of(pkg, g, ret.named_child(0), _depth + 1)
                    if got is None:
                        return None
                    out += got
        return out or None
    return None


def _held_by(pkg, g, scope, name, depth) -> list:
    """Transports a variable is given in ``scope``: literals it holds (also
    through ``var t http.RoundTripper = &http.Transport{...}``) and what each
    other assignment resolves to (None items: unresolvable)."""

    out: list = []
    seen = set()
    for v in typed_values_in(pkg, g, "Transport"):
        if not (scope.start_byte <= v.node.start_byte < scope.end_byte):
            continue
        h = holder_of(v.node)
        if h.kind == "var" and h.path == name:
            out.append((g, v))
            seen.add(v.node.id)
    for val in pkg.assigned_from(scope, name):
        inner = unparen(val)
        if inner is not None and inner.type == "unary_expression":
            inner = unparen(inner.named_child(0))
        if inner is not None and inner.id in seen:
            continue
        got = transports_of(pkg, g, val, depth + 1)
        out += got if got is not None else [None]
    return out


def client_transport_bounded(pkg, file, client) -> bool:
    """``&http.Client{Transport: t}`` where every transport ``t`` may hold
    bounds the dial and the response headers."""

    if client.literal is None:
        return False
    t = literal_keys(client.literal).get("Transport")
    if t is None:
        return False
    found = transports_of(pkg, file, t)
    return bool(found) and all(transport_bounds_waits(pkg, g, v) for g, v in found)


def ctx_has_deadline(pkg, file, ctx_expr, fi, _depth: int = 0) -> bool:
    """The context carries a deadline: made by context.WithTimeout /
    WithDeadline in the function, or a ctx parameter every caller in the
    package fills with one (and the function is not used as a value, where
    callers could not be seen)."""

    body = fi.body if fi is not None else None
    if context_deadline(pkg, file, ctx_expr, body)[1] == "timeout":
        return True
    ctx_expr = unparen(ctx_expr)
    if (fi is not None and body is not None and fi.node.type == "func_literal" and ctx_expr is not None
            and ctx_expr.type == "identifier" and _depth < _DEADLINE_DEPTH
            and all(p.name != text(ctx_expr) for p in fi.params) and not pkg.assigned_from(body, text(ctx_expr))):
        # go func() { a.gather(ctx) }(): the closure's ctx is the enclosing function's.
        outer = pkg.functions(file).enclosing(fi.node.parent) if fi.node.parent is not None else None
        return outer is not None and ctx_has_deadline(pkg, file, ctx_expr, outer, _depth + 1)
    if (fi is None or body is None or _depth >= _DEADLINE_DEPTH or ctx_expr is None or ctx_expr.type != "identifier"
            or text(ctx_expr) not in fi.ctx_params or not fi.name or pkg.assigned_from(body, text(ctx_expr))):
        return False
    index = next((i for i, p in enumerate(fi.params) if p.name == text(ctx_expr)), None)
    if index is None:
        return False
    callers = list(pkg.calls_to(fi.name))
    if not callers or _referenced_otherwise(pkg, fi.name, len(callers)):
        return False
    for g, call in callers:
        args = call.child_by_field_name("arguments").named_children
        if index >= len(args) or not ctx_has_deadline(pkg, g, args[index], pkg.functions(g).enclosing(call),
                                                      _depth + 1):
            return False
    return True


def _referenced_otherwise(pkg, name: str, calls: int) -> bool:
    """The name appears in the package more often than its calls and its
    declaration: it is passed as a value (``RefreshF: d.refresh``), so some
    callers are out of sight."""
    def count():
        return Counter(n.text for f in pkg.files
                       for n in captures("[(identifier) (field_identifier)] @n", f.root).get("n", []))

    seen = pkg.memo("http.name_uses", count)[name.encode()]
    decls = sum(1 for _ in pkg.functions_named(name))
    return seen > calls + decls


def request_has_deadline(pkg, file, req, fi) -> bool:
    """A request expression (``req``, ``req.WithContext(ctx)``) whose context
    has a deadline: built with NewRequestWithContext(ctx) or given one with
    WithContext / Clone, in the function."""
    req = unparen(req)
    if req is None:
        return False
    if req.type == "call_expression":
        fn = req.child_by_field_name("function")
        args = req.child_by_field_name("arguments").named_children
        if file.call_target(req) == (NET_HTTP, "NewRequestWithContext") or (
                fn.type == "selector_expression" and text(fn.child_by_field_name("field")) in ("WithContext", "Clone")):
            return bool(args) and ctx_has_deadline(pkg, file, args[0], fi)
        index = _request_builder_ctx_index(pkg, file, req)
        return index is not None and ctx_has_deadline(pkg, file, args[index], fi)
    if req.type == "identifier" and fi is not None and fi.body is not None:
        return any(request_has_deadline(pkg, file, v, fi) for v in pkg.assigned_from(fi.body, text(req))
                   if unparen(v) is not None and unparen(v).type == "call_expression")
    return False


def _request_builder_ctx_index(pkg, file, call) -> int | None:
    """``shc.newRequest(ctx, target)``: a helper of the package (every
    function of that name) that builds its request with
    ``http.NewRequestWithContext(p, ...)`` from its context parameter ``p``;
    the index of that parameter, so the caller's argument is what to judge."""
    fn = call.child_by_field_name("function")
    name = text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else text(fn)
    if fn.type not in ("identifier", "selector_expression") or (fn.type == "identifier" and file.package_of(fn)):
        return None
    found = None
    for g, callee in pkg.functions_named(name):
        if callee.body is None or not callee.ctx_params:
            return None
        used = set()
        for c in captures("(call_expression) @c", callee.body).get("c", []):
            if g.call_target(c) == (NET_HTTP, "NewRequestWithContext"):
                a = c.child_by_field_name("arguments").named_children
                used.add(text(a[0]) if a else "")
        if len(used) != 1 or next(iter(used)) not in callee.ctx_params:
            return None
        index = next((i for i, p in enumerate(callee.params) if p.name in used), None)
        if index is None or (found is not None and found != index):
            return None
        found = index
    nargs = call.child_by_field_name("arguments").named_child_count
    return found if found is not None and found < nargs else None


_TIMEOUT_OPTION = ("WithTimeout", "WithRequestTimeout", "WithHTTPTimeout")


def client_uses_bounded(pkg, file, client) -> bool:
    """A client held in a local variable that never leaves the function, whose
    every call is ``Do(req)`` with a deadline context on req; or a client
    handed to a library's ``WithHTTPClient`` option beside that library's
    ``WithTimeout`` option in the same function."""
    fi = pkg.functions(file).enclosing(client.node)
    if fi is None or fi.body is None:
        return False
    if _library_timeout_option(file, client.node, fi):
        return True
    name = _local_name(client.node)
    if name is None:
        return False
    calls = 0
    for ident in captures("(identifier) @i", fi.body).get("i", []):
        if text(ident) != name or ident.start_byte < client.node.end_byte:
            continue
        parent = ident.parent
        if parent.type == "selector_expression" and parent.child_by_field_name("operand") == ident:
            field = text(parent.child_by_field_name("field"))
            outer = parent.parent
            if outer.type == "call_expression" and field in CLIENT_METHODS:
                args = outer.child_by_field_name("arguments").named_children
                if field != "Do" or not args or not request_has_deadline(pkg, file, args[0], fi):
                    return False
                calls += 1
                continue
            if outer.type == "expression_list" and outer.parent.type == "assignment_statement" and \
                    outer.parent.child_by_field_name("left") == outer:
                continue  # client.CheckRedirect = ...
            if outer.type == "call_expression" and field in _HARMLESS_METHODS:
                continue  # defer client.CloseIdleConnections()
            return False
        if parent.type == "expression_list" and parent.parent.type == "assignment_statement" and \
                parent.parent.child_by_field_name("left") == parent:
            continue  # client = &http.Client{...} again: that value is judged on its own
        if parent.type == "expression_list" and parent.parent.type == "assignment_statement" and \
                parent.named_child_count == 1:
            left = parent.parent.child_by_field_name("left")
            target = left.named_child(0) if left.named_child_count == 1 else None
            if target is not None and target.type == "selector_expression":
                # a.client = client: judged by every use of that field in the package.
                if not field_uses_bounded(pkg, text(target.child_by_field_name("field"))):
                    return False
                calls += 1
                continue
        if parent.type == "literal_element" and parent.parent is not None and parent.parent.type == "keyed_element" \
                and parent.parent.named_child(0) == parent:
            continue  # the key of {client: client}
        if parent.type == "literal_element" and parent.parent is not None and parent.parent.type == "keyed_element" \
                and parent.parent.named_child(1) == parent:
            # &Checker{client: client}: judged by every use of that field in the package.
            if not field_uses_bounded(pkg, text(parent.parent.named_child(0))):
                return False
            calls += 1
            continue
        if parent.type == "argument_list" and _is_http_client_option(file, parent.parent) and \
                _library_timeout_option(file, parent.parent, fi, option_call=True):
            calls += 1
            continue
        return False  # passed, returned, stored: uses out of sight
    return calls > 0


_HARMLESS_METHODS = frozenset({"CloseIdleConnections"})
_FIELD_Q = "(selector_expression field: (field_identifier) @f)"


def field_uses_bounded(pkg, field: str) -> bool:
    """Every use of ``x.<field>`` in the package is a ``Do(req)`` whose
    request carries a deadline (or a store into the field, or
    CloseIdleConnections), and there is at least one such call."""

    def compute() -> bool:
        calls = 0
        for g in pkg.files:
            if field.encode() not in g.source:
                continue
            for fid in captures(_FIELD_Q, g.root).get("f", []):
                if text(fid) != field:
                    continue
                sel = fid.parent
                outer = sel.parent
                if outer.type == "expression_list" and outer.parent.type == "assignment_statement" and \
                        outer.parent.child_by_field_name("left") == outer:
                    continue  # x.client = ...
                if outer.type == "binary_expression" and any(text(c) == "nil" for c in outer.named_children):
                    continue  # if x.client == nil
                if outer.type != "selector_expression" or outer.parent.type != "call_expression":
                    return False
                method = text(outer.child_by_field_name("field"))
                if method in _HARMLESS_METHODS:
                    continue
                args = outer.parent.child_by_field_name("arguments").named_children
                if method != "Do" or not args or not request_has_deadline(
                        pkg, g, args[0], pkg.functions(g).enclosing(outer.parent)):
                    return False
                calls += 1
        return calls > 0

    return pkg.memo(("http.field_uses_bounded", field), compute)


def _local_name(node) -> str | None:

    if node.type == "var_spec":
        names = node.children_by_field_name("name")
        return text(names[0]) if names else None
    h = holder_of(node)
    return h.path if h.kind == "var" and h.func is not None else None


def _is_http_client_option(file, call) -> bool:
    t = file.call_target(call) if call is not None and call.type == "call_expression" else None
    return t is not None and t[0] != NET_HTTP and t[1] == "WithHTTPClient"


def _library_timeout_option(file, node, fi, option_call: bool = False) -> bool:
    """``lib.WithHTTPClient(<client>)`` and ``lib.WithTimeout(d)`` of the same
    library in the function: the library bounds each call with that timeout."""
    call = node
    if not option_call:
    
        h = holder_of(node)
        if h.kind != "arg" or not _is_http_client_option(file, h.call):
            return False
        call = h.call
    lib = file.call_target(call)[0]
    for c in captures("(call_expression) @c", fi.body).get("c", []):
        t = file.call_target(c)
        if t is not None and t[0] == lib and t[1] in _TIMEOUT_OPTION:
            return True
    return False


# --- Whether the client that sends a request has a Timeout --------------------

_CLIENT_FIELD_STORES_Q = """
(keyed_element key: (literal_element (identifier) @k) value: (literal_element) @v)
(assignment_statement left: (expression_list . (selector_expression field: (field_identifier) @k)) right: (expression_list . (_) @v))
"""


def _client_literal_with_timeout(file, value) -> bool | None:
    """True/False for an ``http.Client`` literal (``&`` or not) with/without
    a non-zero Timeout; None when ``value`` is not such a literal."""
    v = unparen(value)
    if v is not None and v.type == "literal_element":
        v = unparen(v.named_child(0))
    if v is not None and v.type == "unary_expression" and text(v.child_by_field_name("operator")) == "&":
        v = unparen(v.child_by_field_name("operand"))
    if v is None or v.type != "composite_literal" or not file.is_member(v.child_by_field_name("type"), NET_HTTP, "Client"):
        return None
    t = literal_keys(v).get("Timeout")
    return t is not None and not is_zero_literal(t)


def client_has_timeout(pkg, file, client) -> bool:
    """The client expression (``onDemandAskClient``, ``d.client``) holds an
    ``http.Client`` whose Timeout is set: a package or local variable
    declared with such a literal and never assigned again, or a struct field
    every store of which in the package (``d.client = &http.Client{...}``,
    ``{client: &http.Client{...}}``) is such a literal."""
    return _client_has_timeout(pkg, file, client, 2)


def _client_has_timeout(pkg, file, client, depth: int) -> bool:
    client = unparen(client)
    if client is None:
        return False
    if client.type == "identifier":
        decl = pkg.types.declaration_of(file, client)
        if decl is not None and decl.kind == "param":
            return depth > 0 and _param_client_bounded(pkg, decl, depth - 1)
        if decl is None or decl.value is None:
            return False
        has = _client_literal_with_timeout(decl.file, decl.value)
        if has is False and decl.kind != "package":
            has = _timeout_assigned_after(pkg, decl, text(client))
        return bool(has) and _never_reassigned(pkg, decl, text(client))
    if client.type != "selector_expression":
        return False
    field = text(client.child_by_field_name("field"))
    owner = _struct_name(pkg.types.type_of(file, client.child_by_field_name("operand")))
    stores = []
    for g in pkg.files:
        if field.encode() not in g.source:
            continue
        # per match (nakama's console.go gave 76 keys for 47 values as lists)
        for k, v in capture_pairs(_CLIENT_FIELD_STORES_Q, g.root):
            if text(k) == field and (owner is None or _store_owner(pkg, g, k) in (owner, None)):
                stores.append(_stored_client_has_timeout(pkg, g, v, depth))
    return bool(stores) and all(stores)


def _param_client_bounded(pkg, decl, depth: int) -> bool:
    """A client parameter (``doGetReq(ctx, client, url)``) every
    same-package call fills with a bounded client (``am.httpClient``).
    Only where every caller is visible: an unexported function or package
    main, whose name appears only in its declarations and those calls."""
    fi = pkg.enclosing_function(decl.file, decl.node)
    idx = -1 if fi is None else next((i for i, p in enumerate(fi.params) if p.name == text(decl.node)), -1)
    callers = visible_callers(pkg, decl.file, fi) if idx >= 0 else None
    if not callers:
        return False
    for f, call in callers:
        args = call.child_by_field_name("arguments").named_children
        if idx >= len(args) or not _client_has_timeout(pkg, f, args[idx], depth):
            return False
    return True


def _stored_client_has_timeout(pkg, file, value, depth: int) -> bool | None:
    """A field store's value: a client literal, or a local variable holding
    one (``httpClient := &http.Client{Timeout: idpTimeout()}`` then
    ``&Manager{httpClient: httpClient}``, netbird's IdP managers)."""
    has = _client_literal_with_timeout(file, value)
    if has is not None:
        return has
    v = unparen(value)
    if v is not None and v.type == "literal_element":
        v = unparen(v.named_child(0))
    if v is not None and v.type == "identifier":
        return depth > 0 and _client_has_timeout(pkg, file, v, depth - 1)
    return None


def _timeout_assigned_after(pkg, decl, name: str) -> bool:
    """``c := &http.Client{}`` then ``c.Timeout = 15 * time.Second`` in the
    same function, at its top level, right after the declaration's
    statement or later, not under a condition."""
    fi = pkg.enclosing_function(decl.file, decl.node)
    if fi is None or fi.body is None:
        return False
    stmts = fi.body.named_children
    if len(stmts) == 1 and stmts[0].type == "statement_list":
        stmts = stmts[0].named_children
    for st in stmts:
        if st.type != "assignment_statement" or st.start_byte < decl.node.end_byte:
            continue
        left = st.child_by_field_name("left").named_children
        right = st.child_by_field_name("right").named_children
        if len(left) == 1 == len(right) and text(left[0]).replace(" ", "") == f"{name}.Timeout":
            return not is_zero_literal(right[0])
    return False


def _struct_name(t: str | None) -> str | None:
    return t.lstrip("*").rsplit(".", 1)[-1] if t else None


def _store_owner(pkg, file, key) -> str | None:
    """The struct type a field store belongs to: the literal's type for
    ``T{field: v}``, the operand's type for ``x.field = v``; None unknown.
    Two types of one package may both have a ``client`` field."""
    p = key.parent
    if p is not None and p.type == "selector_expression":
        return _struct_name(pkg.types.type_of(file, p.child_by_field_name("operand")))
    while p is not None and p.type != "composite_literal":
        p = p.parent
    if p is None:
        return None
    return _struct_name(text(p.child_by_field_name("type")))


def sending_client(fn_body, req_name: str):
    """The client expression of ``<client>.Do(req)`` for the request variable
    in a function body, when there is exactly one such call."""
    found = []
    for c in captures("(call_expression function: (selector_expression field: (field_identifier) @m (#eq? @m \"Do\")) @fn) @call", fn_body).get("call", []):
        args = c.child_by_field_name("arguments").named_children
        if len(args) == 1 and text(args[0]) == req_name:
            found.append(c.child_by_field_name("function").child_by_field_name("operand"))
    return found[0] if len(found) == 1 else None
