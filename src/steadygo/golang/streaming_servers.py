"""http.Servers that carry long-lived streams, where a WriteTimeout cuts them.

``WriteTimeout`` is a deadline on the whole response.  A gRPC server mounted
as the server's handler (directly, or through ``h2c.NewHandler``) runs
streaming RPCs on it; grpc-gateway turns server-streaming RPCs into chunked
responses; a connection multiplexer (cmux) shares one listener between the
HTTP server and gRPC or raft peers.  For these servers the advice "set
WriteTimeout" breaks watches and streams: per-route deadlines
(``http.ResponseController.SetWriteDeadline``) are the right tool.  A server
whose every route upgrades the connection to a WebSocket (or hijacks it) is
the same case: the connection outlives any whole-response deadline.

Also here: whether the server's handler is wrapped in ``http.TimeoutHandler``,
which bounds each handler's time and so the write a WriteTimeout would.
"""

from __future__ import annotations

from steadygo.golang.frameworks import CMUX, GRPC, GRPC_GATEWAY_RUNTIME, H2C, NET_HTTP
from steadygo.golang.package_types import is_named
from steadygo.golang.parse import captures, text, unparen
from steadygo.golang.values import literal_keys

_DEPTH = 3


def streaming_reason(pkg, file, server) -> str | None:
    """Why a server's responses may be long-lived streams, or None: 'a gRPC
    server', 'gRPC over h2c', 'a grpc-gateway mux', 'a cmux listener'."""
    fi = pkg.functions(file).enclosing(server.node)
    scope = fi.body if fi is not None else None
    if scope is not None and any(file.call_target(c) == (CMUX, "New")
                                 for c in captures("(call_expression) @c", scope).get("c", [])):
        return "a cmux listener shared with gRPC or peer streams"
    handler = literal_keys(server.literal).get("Handler") if server.literal is not None else None
    if handler is None:
        return None
    why = _handler_streams(pkg, file, handler, scope, 0)
    if why is None and _websocket_only(pkg, file, handler, scope):
        return "only WebSocket upgrades (every route takes over its connection)"
    return why


def timeout_handler_wraps(pkg, file, server) -> bool:
    """``Handler: http.TimeoutHandler(h, d, msg)``, inline or through a
    variable of the enclosing function."""
    handler = literal_keys(server.literal).get("Handler") if server.literal is not None else None
    handler = unparen(handler)
    if handler is None:
        return False
    if handler.type == "call_expression":
        return file.call_target(handler) == (NET_HTTP, "TimeoutHandler")
    fi = pkg.functions(file).enclosing(server.node)
    if handler.type != "identifier" or fi is None or fi.body is None:
        return False
    vals = [unparen(v) for v in pkg.assigned_from(fi.body, text(handler))]
    return bool(vals) and all(v is not None and v.type == "call_expression"
                              and file.call_target(v) == (NET_HTTP, "TimeoutHandler") for v in vals)


_REGISTER = frozenset({"HandleFunc", "Handle"})


def _websocket_only(pkg, file, handler, scope) -> bool:
    """``Handler: mux`` where ``mux := http.NewServeMux()`` in the function
    and every handler registered on it upgrades (gorilla's Upgrade,
    websocket.Accept) or hijacks its connection, itself or through a
    function of the package it calls."""
    handler = unparen(handler)
    if handler is None or handler.type != "identifier" or scope is None:
        return False
    name = text(handler)
    made = [unparen(v) for v in pkg.assigned_from(scope, name)]
    if not made or not all(v is not None and v.type == "call_expression" and file.call_target(v) == (NET_HTTP, "NewServeMux")
                           for v in made):
        return False
    handlers = []
    for c in captures("(call_expression) @c", scope).get("c", []):
        fn = c.child_by_field_name("function")
        if fn.type != "selector_expression" or text(fn.child_by_field_name("operand")) != name:
            continue
        if text(fn.child_by_field_name("field")) not in _REGISTER:
            return False  # the mux is used some other way
        args = c.child_by_field_name("arguments").named_children
        if len(args) != 2:
            return False
        handlers.append(unparen(args[1]))
    return bool(handlers) and all(h is not None and _upgrades(pkg, file, h, 0) for h in handlers)


def _upgrades(pkg, file, node, depth) -> bool:
    for c in captures("(call_expression) @c", node).get("c", []):
        fn = c.child_by_field_name("function")
        t = file.call_target(c)
        if t is not None and "websocket" in t[0] and t[1] in ("Accept", "Upgrade"):
            return True
        if fn.type == "selector_expression" and text(fn.child_by_field_name("field")) in ("Upgrade", "Hijack"):
            return True
    if depth >= 1:
        return False
    for c in captures("(call_expression) @c", node).get("c", []):
        fn = c.child_by_field_name("function")
        name = text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else text(fn)
        if fn.type in ("identifier", "selector_expression") and name and name[0].isalpha():
            for g, fi in pkg.functions_named(name):
                if fi.body is not None and _upgrades(pkg, g, fi.body, depth + 1):
                    return True
    return False


def _handler_streams(pkg, file, expr, scope, depth) -> str | None:
    expr = unparen(expr)
    if expr is None or depth > _DEPTH:
        return None
    calls = captures("(call_expression) @c", expr).get("c", [])
    for c in calls:
        t = file.call_target(c)
        if t == (GRPC, "NewServer"):
            return "a gRPC server"
        if t is not None and t[0] == H2C and t[1] == "NewHandler":
            args = c.child_by_field_name("arguments").named_children
            if args and _handler_streams(pkg, file, args[0], scope, depth + 1):
                return "gRPC over h2c"
        if t is not None and t[0] in GRPC_GATEWAY_RUNTIME and t[1] == "NewServeMux":
            return "a grpc-gateway mux"
    for ident in captures("(identifier) @i", expr).get("i", []):
        typ = pkg.types.type_of(file, ident)
        if is_named(typ, GRPC, "Server"):
            return "a gRPC server"
        if any(is_named(typ, p, "ServeMux") for p in GRPC_GATEWAY_RUNTIME):
            return "a grpc-gateway mux"
        if scope is not None:
            for val in pkg.assigned_from(scope, text(ident)):
                why = _handler_streams(pkg, file, val, scope, depth + 1)
                if why:
                    return why
    return None
