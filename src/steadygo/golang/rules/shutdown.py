"""Graceful shutdown (SG60x): SIGTERM handling, Shutdown deadlines,
ErrServerClosed.

A rolling deploy sends SIGTERM and waits ``terminationGracePeriodSeconds``.
A server that exits at once drops every in-flight request; one that drains
forever is SIGKILLed mid-request anyway.  The deadline the code gives
``Shutdown`` is exposed as ``ServiceFacts.shutdown_timeout_seconds`` so the
deploy checks can compare it with the grace period.
"""

from __future__ import annotations

from steadygo.findings import Severity
from steadygo.golang.facts import ECHO, FIBER, GIN, duration_seconds, extract_facts, is_loopback_address, looks_like_server, node_of, service_facts_for
from steadygo.golang.parse import captures, text
from steadygo.golang.rules.base import FileContext, GoRule, code_meta as _meta, not_a_service
from steadygo.golang.values import literal_keys

SERVER_IMPORTS = ("net/http", GIN, *ECHO, *FIBER)




def is_main(ctx: FileContext) -> bool:
    return ctx.file.package_name == "main"




def is_public(listener) -> bool:
    """A listener that serves traffic from outside the host (a loopback-only
    debug listener, typically pprof on 127.0.0.1:6060, does not)."""
    return not is_loopback_address(listener.addr)


def file_listeners(ctx: FileContext):
    if not_a_service(ctx):
        return []
    return [l for l in extract_facts(ctx.pkg).listeners if l.location.path == ctx.file.relpath and is_public(l)]


class ServerWithoutGracefulShutdown(GoRule):
    meta = _meta(
        "SG601",
        "server-without-graceful-shutdown",
        Severity.WARNING,
        "On every deploy or scale-down the pod gets SIGTERM and the process dies at once: in-flight requests are cut and clients see resets and 502s.",
        "A service's main starts an HTTP server and nothing in the module ever calls Shutdown on it.",
    )
    module_facts = ('shutdown',)
    requires_imports = SERVER_IMPORTS

    def check(self, ctx: FileContext) -> None:
        if not is_main(ctx):
            return
        listeners = file_listeners(ctx)
        if not listeners:
            return
        facts = service_facts_for(ctx.pkg, "shutdown")
        if any(s.kind in ("http", "other") for s in facts.shutdown_calls):
            return
        sig = " (signals are caught, but the server is never shut down)" if facts.signals else ""
        for l in listeners:
            ctx.report(node_of(ctx.pkg, l), f"{l.call} with no graceful shutdown anywhere in the service{sig}: on SIGTERM "
                       "in-flight requests are cut; catch SIGTERM (signal.NotifyContext) and call Server.Shutdown with a deadline")


class ShutdownWithoutDeadline(GoRule):
    meta = _meta(
        "SG602",
        "shutdown-without-deadline",
        Severity.WARNING,
        "Shutdown with context.Background() waits for every connection forever: one stuck request or long-poll keeps the pod Terminating until the kubelet SIGKILLs it mid-request.",
        "Server.Shutdown called with a context that has no deadline.",
    )
    requires_imports = SERVER_IMPORTS

    def check(self, ctx: FileContext) -> None:
        if b"Shutdown" not in ctx.file.source:
            return
        for s in extract_facts(ctx.pkg).shutdown_calls:
            if s.location.path != ctx.file.relpath or s.kind != "http" or s.deadline != "background":
                continue
            ctx.report(node_of(ctx.pkg, s), f"{s.target}.Shutdown has no deadline: a single stuck connection blocks exit until "
                       "SIGKILL; use context.WithTimeout shorter than terminationGracePeriodSeconds")


class ShutdownDeadlineTooShort(GoRule):
    meta = _meta(
        "SG603",
        "shutdown-deadline-shorter-than-write-timeout",
        Severity.WARNING,
        "Requests the server allows to run for WriteTimeout are cut off when Shutdown gives up sooner: long uploads and reports fail on every deploy.",
        "Shutdown deadline shorter than the WriteTimeout of an http.Server in the same package.",
    )
    requires_imports = ("net/http",)

    def check(self, ctx: FileContext) -> None:
        if b"Shutdown" not in ctx.file.source:
            return
        calls = [s for s in extract_facts(ctx.pkg).shutdown_calls
                 if s.location.path == ctx.file.relpath and s.kind == "http" and s.timeout_seconds is not None]
        if not calls:
            return
        longest = self._longest_write_timeout(ctx)
        if longest is None:
            return
        wt, where = longest
        for s in calls:
            if s.timeout_seconds < wt:
                ctx.report(node_of(ctx.pkg, s), f"{s.target}.Shutdown waits {s.timeout_seconds:g}s but the server lets requests "
                           f"run for WriteTimeout {wt:g}s ({where}): in-flight requests are cut on every deploy; give Shutdown "
                           "the longest request time plus margin (and a grace period above that)")

    @staticmethod
    def _longest_write_timeout(ctx):
        def compute():
            best = None
            for f in ctx.pkg.files:
                for lit in captures("(composite_literal) @l", f.root).get("l", []):
                    if not f.is_member(lit.child_by_field_name("type"), "net/http", "Server"):
                        continue
                    v = literal_keys(lit).get("WriteTimeout")
                    if v is None:
                        continue
                    secs = duration_seconds(ctx.pkg, f, v)
                    if secs is not None and (best is None or secs > best[0]):
                        best = (secs, f"{f.relpath}:{lit.start_point[0] + 1}")
            return best

        return ctx.pkg.memo("shutdown.write_timeout", compute)


_SERVE_METHODS = ("ListenAndServe", "ListenAndServeTLS", "Serve", "ServeTLS", "Start", "StartTLS", "StartServer")
_SERVE_METHODS = ("ListenAndServe", "ListenAndServeTLS", "Serve", "ServeTLS", "Start", "StartTLS", "StartServer")
_FATAL = {("log", "Fatal"), ("log", "Fatalf"), ("log", "Fatalln"), ("log", "Panic"), ("log", "Panicf"), ("os", "Exit")}


class ServerClosedTreatedAsFailure(GoRule):
    meta = _meta(
        "SG604",
        "server-closed-treated-as-failure",
        Severity.WARNING,
        "After Shutdown starts, ListenAndServe returns http.ErrServerClosed at once; treating it as fatal exits the process before the drain finishes and every graceful shutdown ends in a crash log and a non-zero exit.",
        "ListenAndServe/Serve error handled without distinguishing http.ErrServerClosed, in a service that calls Shutdown.",
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
            usage = self._error_used(ctx, call)
            if not usage:
                continue
            enclosing = ctx.funcs.enclosing(call)
            body = enclosing.node if enclosing is not None else f.root
            if "ErrServerClosed" in text(body):
                continue
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
                fi = ctx.funcs.enclosing(call)
                # returned from a named function: the caller may check; from a
                # literal (errgroup.Go) it becomes the group's error
                return "returned as the goroutine's error" if fi is not None and fi.node.type == "func_literal" else ""
        if parent.type == "return_statement":
            fi = ctx.funcs.enclosing(call)
            return "returned as the goroutine's error" if fi is not None and fi.node.type == "func_literal" else ""
        return ""


RULES = [
    ServerWithoutGracefulShutdown(),
    ShutdownWithoutDeadline(),
    ShutdownDeadlineTooShort(),
    ServerClosedTreatedAsFailure(),
]
