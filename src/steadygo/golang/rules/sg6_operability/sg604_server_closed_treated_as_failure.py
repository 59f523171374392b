"""SG604 server-closed-treated-as-failure.

ListenAndServe/Serve error handled without distinguishing http.ErrServerClosed, in a service that calls Shutdown.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.facts import extract_facts, looks_like_server
from steadygo.golang.frameworks import ECHO_PATHS as ECHO
from steadygo.golang.frameworks import GRPC
from steadygo.golang.package_types import is_named
from steadygo.golang.parse import text
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_SERVE_METHODS = ("ListenAndServe", "ListenAndServeTLS", "Serve", "ServeTLS", "Start", "StartTLS", "StartServer")
_SHUTDOWN_SENTINEL = re.compile(r"\bErr\w*(Closed|Stopped)\b")
# Calls that run a func literal as a goroutine and keep its error as the
# group's result (errgroup.Group.Go, oklog/run.Group.Add, conc's pools).
_GROUP_RUNNERS = frozenset({"Go", "Add", "TryGo"})
_FATAL = {("log", "Fatal"), ("log", "Fatalf"), ("log", "Fatalln"), ("log", "Panic"), ("log", "Panicf"), ("os", "Exit")}


class ServerClosedTreatedAsFailure(GoRule):
    meta = code_meta(
        id="SG604",
        name="server-closed-treated-as-failure",
        severity=Severity.WARNING,
        breakpoint="After Shutdown starts, ListenAndServe returns http.ErrServerClosed at once; treating it as fatal exits the process before the drain finishes and every graceful shutdown ends in a crash log and a non-zero exit.",
        summary="ListenAndServe/Serve error handled without distinguishing http.ErrServerClosed, in a service that calls Shutdown.",
    )
    requires_imports = ("net/http", *ECHO)

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        if b"Serve" not in f.source and b"Start" not in f.source:
            return
        candidates = []
        for call in ctx.pkg.calls_in(f, *_SERVE_METHODS):
            fn = call.child_by_field_name("function")
            if fn.type != "selector_expression":
                continue
            operand = fn.child_by_field_name("operand")
            if operand.type == "identifier" and f.package_of(operand) is not None:
                continue  # http.ListenAndServe: cannot be shut down, SG601's business
            if text(fn.child_by_field_name("field")).startswith("Start") and not any(f.imports.imports_prefix(p) for p in ECHO):
                continue
            if not looks_like_server(ctx.pkg, f, operand, call):
                continue
            if is_named(ctx.pkg.types.type_of(f, operand), GRPC, "Server"):
                continue  # grpc.Server.Serve returns nil after Stop/GracefulStop: its error is a real failure
            usage = self._error_used(ctx, call)
            if not usage:
                continue
            enclosing = ctx.funcs.enclosing(call)
            body = enclosing.node if enclosing is not None else f.root
            if _SHUTDOWN_SENTINEL.search(text(body)):
                continue  # compared with ErrServerClosed (or grpc's ErrServerStopped, net.ErrClosed)
            candidates.append((call, fn, usage))
        if not candidates:
            return
        if not any(s.kind == "http" for s in extract_facts(ctx.pkg).shutdown_calls):
            return  # without Shutdown in this package, ErrServerClosed never comes back here
        for call, fn, usage in candidates:
            ctx.report(call, f"the error of {text(fn)} is {usage} without checking errors.Is(err, http.ErrServerClosed): "
                       "Shutdown makes it return ErrServerClosed at once, so a graceful stop ends as a crash")

    def _error_used(self, ctx, call) -> str:
        parent = call.parent
        while parent is not None and parent.type == "parenthesized_expression":
            parent = parent.parent
        if parent is None:
            return ""
        if parent.type == "argument_list":
            outer = parent.parent
            t = ctx.file.call_target(outer) if outer is not None and outer.type == "call_expression" else None
            if t in _FATAL or (outer is not None and text(outer.child_by_field_name("function")) == "panic"):
                return "passed to " + text(outer.child_by_field_name("function"))
            if t is not None and t[0] in ("log", "log/slog"):
                return "logged"
            return ""
        if parent.type == "expression_list":
            stmt = parent.parent
            if stmt is not None and stmt.type in ("short_var_declaration", "assignment_statement"):
                return "treated as a failure"
            if stmt is not None and stmt.type == "return_statement":
                return self._returned(ctx, call)
        if parent.type == "return_statement":
            return self._returned(ctx, call)
        return ""

    @staticmethod
    def _returned(ctx, call) -> str:
        """Returned from a named function, the caller may check; from a
        literal a group runs (``g.Go(func() error {...})``) it becomes the
        group's error.  A literal handed to anything else (``startHandler(
        errHandler, func() error {...})``, a field, a variable) gives its
        error to code that may well tell a shutdown apart: not judged."""
        fi = ctx.funcs.enclosing(call)
        if fi is None or fi.node.type != "func_literal":
            return ""
        p = fi.node.parent
        outer = p.parent if p is not None and p.type == "argument_list" else None
        if outer is None or outer.type != "call_expression":
            return ""
        fn = outer.child_by_field_name("function")
        name = text(fn.child_by_field_name("field")) if fn is not None and fn.type == "selector_expression" else ""
        return "returned as the goroutine's error" if name in _GROUP_RUNNERS else ""
