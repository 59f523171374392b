"""http.Servers that carry long-lived streams, where a WriteTimeout cuts them.

``WriteTimeout`` is a deadline on the whole response.  A gRPC server mounted
as the server's handler (directly, or through ``h2c.NewHandler``) runs
streaming RPCs on it; grpc-gateway turns server-streaming RPCs into chunked
responses; a connection multiplexer (cmux) shares one listener between the
HTTP server and gRPC or raft peers.  For these servers the advice "set
WriteTimeout" breaks watches and streams: per-route deadlines
(``http.ResponseController.SetWriteDeadline``) are the right tool.
"""

from __future__ import annotations

from steadygo.golang.frameworks import CMUX, GRPC, GRPC_GATEWAY_RUNTIME, H2C
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
    return _handler_streams(pkg, file, handler, scope, 0)


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
