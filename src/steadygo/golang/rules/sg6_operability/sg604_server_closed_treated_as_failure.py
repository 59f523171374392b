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
from steadygo.golang.log_calls import is_logging_call, named_like_logger
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
_FATAL_METHODS = frozenset({"Fatal", "Fatalf", "Fatalln", "Fatalw", "Panic", "Panicf", "Panicln", "Panicw"})
OKLOG_RUN = "github.com/oklog/run"
_LOGGED = "logged"


class ServerClosedTreatedAsFailure(GoRule):
    meta = code_meta(
        id="SG604",
        status="preview",  # 0 of 6 first-run holdout findings true: docs/rules/SG604.md
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
            if usage == _LOGGED:
                # Only logged: the drain goes on and the process exits as it
                # would; one misleading error line per stop is not a
                # breakpoint (judged false on every real service sampled).
                continue
            ctx.report(call, f"the error of {text(fn)} is {usage} without checking errors.Is(err, http.ErrServerClosed): "
                       "Shutdown makes it return ErrServerClosed at once, so a graceful stop ends as a crash")

    def _error_used(self, ctx, call) -> str:
        parent = call.parent
        while parent is not None and parent.type == "parenthesized_expression":
            parent = parent.parent
        if parent is None:
            return ""
        if parent.type == "argument_list":
            return self._argument_use(ctx, parent.parent)
        if parent.type == "expression_list":
            stmt = parent.parent
            if stmt is not None and stmt.type in ("short_var_declaration", "assignment_statement"):
                return self._assigned_use(ctx, call, stmt)
            if stmt is not None and stmt.type == "return_statement":
                return self._returned(ctx, call)
        if parent.type == "return_statement":
            return self._returned(ctx, call)
        return ""

    def _argument_use(self, ctx, outer) -> str:
        """What a call that is handed the error does with it: exits (fatal),
        logs it (``_LOGGED``), or something this rule cannot follow ("")."""
        if outer is None or outer.type != "call_expression":
            return ""
        fn = outer.child_by_field_name("function")
        t = ctx.file.call_target(outer)
        field = text(fn.child_by_field_name("field")) if fn is not None and fn.type == "selector_expression" else ""
        if t in _FATAL or text(fn) == "panic" or (field in _FATAL_METHODS and is_logging_call(ctx, outer)):
            return "passed to " + text(fn)
        # Up a zerolog/zap chain (log.Error().Err(err).Msg(..)): any log call in it.
        node = outer
        for _ in range(8):
            if node is None or node.type != "call_expression":
                break
            if is_logging_call(ctx, node):
                return _LOGGED
            f = node.child_by_field_name("function")
            if f is not None and f.type == "selector_expression" and named_like_logger(text(f.child_by_field_name("field"))):
                return _LOGGED
            up = node.parent
            if up is None or up.type != "selector_expression" or up.parent is None:
                break
            node = up.parent
        return ""

    def _assigned_use(self, ctx, call, stmt) -> str:
        """``err := srv.Serve(l)`` (or the init of ``if err := ...``): judged
        by what is done with ``err`` afterwards.  Exiting on it or returning
        it to a group is the crash; only logging it is a misleading line; a
        hand-off to anything else (a helper, a channel send, a select with a
        default) may well drop it after a shutdown began: not judged."""
        left = stmt.child_by_field_name("left")
        if left is None or left.named_child_count != 1 or left.named_child(0).type != "identifier":
            return ""
        name = text(left.named_child(0))
        if name == "_":
            return ""
        scope = stmt.parent if stmt.parent is not None and stmt.parent.type == "if_statement" else None
        if scope is None:
            enclosing = ctx.funcs.enclosing(call)
            scope = enclosing.node if enclosing is not None else ctx.file.root
        uses = []
        stack = [scope]
        while stack:
            n = stack.pop()
            if n.end_byte <= stmt.end_byte and n is not scope:
                continue
            if n.type == "identifier" and n.start_byte >= stmt.end_byte and text(n) == name:
                uses.append(n)
                continue
            if n.type == "func_literal" and n.start_byte >= stmt.end_byte:
                continue  # a closure may run later or never: not followed
            stack.extend(n.named_children)
        verdicts = set()
        for u in uses:
            p = u.parent
            while p is not None and p.type == "parenthesized_expression":
                p = p.parent
            if p is None:
                return ""
            if p.type == "binary_expression" and p.parent is not None and p.parent.type in (
                    "if_statement", "parenthesized_expression", "binary_expression"):
                continue  # err != nil
            if p.type == "argument_list":
                v = self._argument_use(ctx, p.parent)
            elif p.type == "return_statement" or (p.type == "expression_list" and p.parent is not None
                                                   and p.parent.type == "return_statement"):
                v = self._returned(ctx, u)
            else:
                v = ""
            if not v:
                return ""
            verdicts.add(v)
        fatal = sorted(v for v in verdicts if v != _LOGGED)
        if fatal:
            return fatal[0]
        return _LOGGED if verdicts else ""

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
        if name == "Add" and _oklog_actor(ctx, outer, fn):
            return ""
        if name in _GROUP_RUNNERS and _wait_tells_closed(ctx, outer, fn):
            return ""
        return "returned as the goroutine's error" if name in _GROUP_RUNNERS else ""


def _oklog_actor(ctx, call, fn) -> bool:
    """``g.Add(execute, interrupt)`` of oklog/run: Run returns only the first
    actor's error; an actor stopped by its interrupt (the one that calls
    Shutdown) returns into a channel that is drained and dropped.  Known by
    the receiver's type, or by the two-function shape when it is untyped."""
    t = ctx.pkg.types.type_of(ctx.file, fn.child_by_field_name("operand"))
    if t is not None:
        return is_named(t, OKLOG_RUN, "Group")
    args = call.child_by_field_name("arguments")
    return args is not None and args.named_child_count == 2


def _wait_tells_closed(ctx, go_call, fn) -> bool:
    """``g.Go(func() error { return srv.Serve(l) })`` and, in the same
    function, ``if err := g.Wait(); err != http.ErrServerClosed`` (or the
    statement right after ``err := g.Wait()`` testing it, errors.Is too):
    the group's error is told apart from a shutdown (livekit)."""
    group = text(fn.child_by_field_name("operand")).replace(" ", "")
    outer = ctx.funcs.enclosing(go_call)
    if outer is None or outer.body is None:
        return False
    for call in ctx.pkg.calls_in(ctx.file, "Wait"):
        f = call.child_by_field_name("function")
        if not (outer.body.start_byte <= call.start_byte < outer.body.end_byte) or f.type != "selector_expression" \
                or text(f.child_by_field_name("operand")).replace(" ", "") != group:
            continue
        stmt = call.parent
        while stmt is not None and not stmt.type.endswith("_statement") and stmt.type != "short_var_declaration":
            stmt = stmt.parent
        if stmt is None:
            continue
        tests = []
        if stmt.parent is not None and stmt.parent.type == "if_statement":
            tests.append(stmt.parent.child_by_field_name("condition"))
        elif stmt.type == "if_statement":
            tests.append(stmt.child_by_field_name("condition"))
        else:
            nxt = stmt.next_named_sibling
            if nxt is not None and nxt.type == "if_statement":
                tests.append(nxt.child_by_field_name("condition"))
        if any(t is not None and "ErrServerClosed" in text(t) for t in tests):
            return True
    return False
