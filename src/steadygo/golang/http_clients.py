"""Outbound HTTP calls: net/http package functions and client methods.
"""

from __future__ import annotations

from steadygo.golang.frameworks import NET_HTTP
from steadygo.golang.package_types import is_named
from steadygo.golang.parse import text

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
    name = text(operand)
    if decl.kind == "package":
        return not any(pkg.assigned_from(g.root, name) for g in pkg.files)
    fi = pkg.enclosing_function(decl.file, decl.node)
    return fi is not None and fi.body is not None and len(pkg.assigned_from(fi.body, name)) == 1
