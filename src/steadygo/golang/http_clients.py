"""Outbound HTTP calls: net/http package functions and client methods.
"""

from __future__ import annotations

from steadygo.golang.parse import text
from steadygo.golang.frameworks import NET_HTTP

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
