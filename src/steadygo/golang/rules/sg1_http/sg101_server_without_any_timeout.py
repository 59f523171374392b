"""SG101 server-without-any-timeout: HTTP server started with no read, write or idle timeout at all."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.frameworks import ECHO_PATHS, FIBER_PATHS, GIN, NET_HTTP
from steadygo.golang.http_values import scope_body, SERVER_TIMEOUTS, timeouts_filled_by_library, typed_values
from steadygo.golang.nolint import gosec_weighed_server
from steadygo.golang.listener_reach import (loopback_address_expr, serves_deadline_listeners_only,
                                            serves_local_listeners_only)
from steadygo.golang.ops_listeners import (handler_routes, is_default_mux, not_deployed, operations_port,
                                           outer_body, package_judged, server_not_judged)
from steadygo.golang.parse import captures, text, unparen
from steadygo.golang.rules.base import GoRule
from steadygo.golang.values import assigned_fields, literal_keys
from steadygo.rulemeta import code_meta, SERVICE_ROLES, RuleOption

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class ServerWithoutAnyTimeout(GoRule):
    meta = code_meta(
        id="SG101",
        name="server-without-any-timeout",
        severity=Severity.ERROR,
        status="preview",  # first runs on 13 holdouts 198 of 368 true; 156 of 209 on holdouts 14-21 now: docs/rules/SG101.md
        breakpoint="Slow or stalled clients hold connections and goroutines forever; under load the server runs out of file descriptors and memory.",
        summary="HTTP server started with no read, write or idle timeout at all.",
        roles=SERVICE_ROLES,  # a CLI or developer tool that serves is not the service a deploy keeps up
        options=[
            RuleOption(
                "ignore-loopback-listeners",
                bool,
                True,
                "do not report servers bound to a loopback address (localhost:6060 debug listeners, "
                "a CLI's 127.0.0.1 callback server)",
            ),
            RuleOption(
                "ignore-operations-listeners",
                bool,
                True,
                "do not report servers whose handler answers only metrics, health and pprof paths "
                "(the internal telemetry port)",
            ),
        ],
        supersedes=("SG102", "SG103", "SG104"),
    )
    requires_imports = (NET_HTTP, GIN, *ECHO_PATHS, *FIBER_PATHS)
    # the import graph (is this package built into a program at all), what
    # the module calls (is the function around a server called at all), and
    # the listen addresses it defaults to loopback
    module_facts = ("debug", "calls", "listen_defaults")

    _PKG_FUNCS = ("ListenAndServe", "ListenAndServeTLS", "Serve", "ServeTLS")
    _FRAMEWORK_STARTS = ("Run", "RunTLS", "Start", "StartTLS", "Listen", "ListenTLS")

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        if not package_judged(ctx):
            return
        for v in typed_values(ctx, "Server"):
            if not v.has(*SERVER_TIMEOUTS) and not timeouts_filled_by_library(f, v):
                if server_not_judged(ctx, v, loopback=ctx.options["ignore-loopback-listeners"],
                                     operations=ctx.options["ignore-operations-listeners"]):
                    continue
                ctx.report(
                    v.node,
                    "http.Server has no ReadHeaderTimeout, ReadTimeout, WriteTimeout or IdleTimeout: "
                    "a slow client can hold a connection and goroutine forever",
                )
        for call in ctx.pkg.calls_in(f, *self._PKG_FUNCS, *self._FRAMEWORK_STARTS):
            target = f.call_target(call)
            if target is not None and target[0] == NET_HTTP and target[1] in self._PKG_FUNCS:
                if ctx.options["ignore-loopback-listeners"] and _loopback_address(ctx, call):
                    continue
                if (self._internal_serve_call(ctx, call, target[1]) or gosec_weighed_server(ctx.file, call)
                        or not_deployed(ctx, call)):
                    continue
                ctx.report(
                    call,
                    f"http.{target[1]} runs a server with no timeouts at all: a slow client can hold a "
                    "connection and goroutine forever; use an http.Server with ReadHeaderTimeout, WriteTimeout and IdleTimeout",
                )
                continue
            self._framework_start(ctx, call)

    def _framework_start(self, ctx: FileContext, call) -> None:
        fn = call.child_by_field_name("function")
        if fn.type != "selector_expression":
            return
        method = text(fn.child_by_field_name("field"))
        recv = unparen(fn.child_by_field_name("operand"))
        if recv is None or recv.type != "identifier" or method not in self._FRAMEWORK_STARTS or not_deployed(ctx, call):
            return
        origin = _constructor_of(ctx, recv, call)
        if origin is None:
            return
        path, ctor, ctor_call = origin
        if path == GIN and ctor in ("Default", "New") and method in ("Run", "RunTLS"):
            ctx.report(call, f"gin's {method} serves with http.ListenAndServe: no timeouts at all; "
                       "serve the router from an http.Server with ReadHeaderTimeout, WriteTimeout and IdleTimeout")
        elif path in ECHO_PATHS and ctor == "New" and method in ("Start", "StartTLS"):
            scope = scope_body(ctx, call)
            assigned = _echo_server_fields(scope, text(recv))
            if not assigned & set(SERVER_TIMEOUTS):
                ctx.report(call, f"echo's {method} uses e.Server with no timeouts set: a slow client can hold a "
                           "connection forever; set e.Server.ReadHeaderTimeout/WriteTimeout/IdleTimeout or use StartServer")
        elif path in FIBER_PATHS and ctor == "New" and method in ("Listen", "ListenTLS"):
            args = ctor_call.child_by_field_name("arguments").named_children
            if not args:
                missing = True
            else:
                cfg = unparen(args[0])
                if cfg is not None and cfg.type == "composite_literal":
                    keys = literal_keys(cfg)
                    missing = not ({"ReadTimeout", "WriteTimeout", "IdleTimeout"} & set(keys))
                else:
                    missing = False  # config built elsewhere: cannot see, assume set
            if missing:
                ctx.report(call, "fiber app created without ReadTimeout/WriteTimeout/IdleTimeout in fiber.Config: "
                           "fasthttp then waits forever on slow clients")


    def _internal_serve_call(self, ctx: FileContext, call, func: str) -> bool:
        args = call.child_by_field_name("arguments").named_children
        index = 3 if func == "ListenAndServeTLS" else 1
        scope = outer_body(ctx, call)
        if ctx.options["ignore-operations-listeners"] and len(args) > index:
            routes = handler_routes(ctx.pkg, ctx.file, args[index], scope)
            addr = args[0] if func in ("ListenAndServe", "ListenAndServeTLS") else None
            if operations_port(ctx, routes, call, addr, is_default_mux(ctx.file, args[index])):
                return True
        if func not in ("Serve", "ServeTLS") or not args:
            return False
        if serves_deadline_listeners_only(ctx.pkg, ctx.file, scope, [args[0]]):
            return True  # the listener's connections carry deadlines
        return ctx.options["ignore-loopback-listeners"] and serves_local_listeners_only(ctx.pkg, ctx.file, scope, [args[0]])


def _loopback_address(ctx, call) -> bool:
    """``http.ListenAndServe("localhost:6060", nil)``, or an address a flag
    defaults to loopback: unreachable from other hosts."""
    args = call.child_by_field_name("arguments").named_children
    return bool(args) and loopback_address_expr(ctx.pkg, ctx.file, args[0], outer_body(ctx, call))


def _echo_server_fields(scope, var: str) -> set[str]:
    return assigned_fields(scope, f"{var}.Server", last_component=False)


def _constructor_of(ctx, ident, at_node):
    """(import path, func, call node) of the constructor call a variable was
    assigned from, in the enclosing function or at package level."""
    name = text(ident)
    fn = ctx.funcs.enclosing(at_node)
    candidates = []
    if fn is not None:
        candidates = ctx.pkg.assigned_from(fn.body, name)
    if not candidates:
        for f in ctx.pkg.files:
            for spec in captures("(source_file (var_declaration (var_spec) @s))", f.root).get("s", []):
                if text(spec.child_by_field_name("name")) == name:
                    val = spec.child_by_field_name("value")
                    if val is not None and val.named_child_count:
                        candidates.append(val.named_child(0))
    for rhs in candidates:
        rhs = unparen(rhs)
        if rhs is not None and rhs.type == "call_expression":
            t = ctx.file.call_target(rhs)
            if t is not None:
                return t[0], t[1], rhs
    return None
