"""SG208 ticker-never-stopped.

time.NewTicker/NewTimer (or time.Tick outside main) whose Stop is never called, in a module before Go 1.23.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.frameworks import TIME
from steadygo.golang.error_checks import started_as_goroutine
from steadygo.golang.lifecycle import callee_name, calls_in, exits_of, FOR_Q, IDENT_Q, in_loop, in_main_or_init, loop_kind
from steadygo.golang.parse import captures, enclosing_function as enclosing_func, text
from steadygo.golang.rules.base import LifecycleRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_NEW_TIMER_Q = """
(short_var_declaration
  left: (expression_list . (identifier) @name .)
  right: (expression_list . (call_expression function: (selector_expression) @fn) @call .)) @decl
"""


def _endless_loop_after(fn, start: int) -> bool:
    """A loop with no way out, after ``start``, in fn itself or in a
    goroutine fn starts (``go func() { for { select { case <-t.C: ... } } }()``):
    the ticker then lives as long as that loop, by design; a goroutine
    started per call is SG206's finding."""
    body = fn.child_by_field_name("body") if fn is not None else None
    if body is None:
        return False
    for loop in captures(FOR_Q, body).get("for", []):
        if loop.end_byte > start and (enclosing_func(loop) == fn or _started_by(enclosing_func(loop), fn)) \
                and loop_kind(loop) in ("forever", "range-ticker") and not exits_of(loop):
            return True
    return False


def _started_by(lit, fn) -> bool:
    """``lit`` is the func literal of a ``go lit()`` statement of fn."""
    return (lit is not None and lit.type == "func_literal" and started_as_goroutine(lit)
            and enclosing_func(lit.parent.parent) == fn)


class TickerNeverStopped(LifecycleRule):
    meta = code_meta(
        id="SG208",
        status="preview",  # 0 of 5 first-run holdout findings true: docs/rules/SG208.md
        name="ticker-never-stopped",
        severity=Severity.WARNING,
        breakpoint="Before Go 1.23 a ticker that is never stopped is never freed and keeps firing: one per call leaks memory and CPU forever.",
        summary="time.NewTicker/NewTimer (or time.Tick outside main) whose Stop is never called, in a module before Go 1.23.",
    )
    markers = ((b"NewTicker(", b"NewTimer(", b"Tick("),)
    requires_imports = (TIME,)

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        if ctx.pkg.module.go_at_least(1, 23):
            return  # Go 1.23+: unreferenced tickers and timers are collected without Stop
        for m in captures(_NEW_TIMER_Q, f.root).get("decl", []):
            call = m.child_by_field_name("right").named_child(0)
            target = f.call_target(call)
            if target not in ((TIME, "NewTicker"), (TIME, "NewTimer")):
                continue
            fn = enclosing_func(m)
            if fn is None:
                continue
            chain = list(ctx.funcs.enclosing_chain(m))
            if in_main_or_init(chain, f):
                continue
            var = text(m.child_by_field_name("left").named_child(0))
            if self._handled(fn, m, var):
                continue
            if target[1] == "NewTicker":
                ctx.report(call, f"ticker {var} is never stopped: before Go 1.23 it is never garbage collected and keeps "
                           f"firing; defer {var}.Stop()")
            elif in_loop(m, fn):
                # One timer per call is freed when it fires; one per iteration
                # piles up for as long as its duration (judged: a function's own
                # timer was debatable every time).
                ctx.report(call, f"timer {var} is created on every iteration and never stopped: before Go 1.23 "
                           f"each one stays in memory until it fires; {var}.Stop() when the iteration is done",
                           severity=Severity.INFO)
        for call in calls_in(f.root):
            if callee_name(call) != "Tick" or f.call_target(call) != (TIME, "Tick"):
                continue
            chain = list(ctx.funcs.enclosing_chain(call))
            if not chain or in_main_or_init(chain, f) or _only_called_from_main(ctx, chain[0]):
                continue
            fn = enclosing_func(call)
            if _endless_loop_after(fn, call.start_byte):
                continue  # ticks for the life of a loop that never ends: that is what Tick is for
            ctx.report(call, "time.Tick outside main: before Go 1.23 its ticker can never be stopped or collected; "
                       "use time.NewTicker and Stop it when the function returns")

    @staticmethod
    def _handled(fn, decl, var) -> bool:
        body = fn.child_by_field_name("body")
        for ident in captures(IDENT_Q, body).get("id", []):
            if text(ident) != var or ident.start_byte < decl.end_byte:
                continue
            p = ident.parent
            if p.type == "selector_expression" and p.child_by_field_name("operand") == ident:
                field = text(p.child_by_field_name("field"))
                if field == "Stop":
                    return True
                if field in ("C", "Reset"):
                    continue
            return True  # stored, returned or passed on: someone else may stop it
        # a loop that never ends owns the ticker for the goroutine's life (SG206's business)
        return _endless_loop_after(fn, decl.start_byte)


def _only_called_from_main(ctx, fi) -> bool:
    """A named function of package main that only main/init call (nsq's
    ``discoverer.run()``): it runs once, for the life of the process, like
    main itself.  Every call of that name in the package must be there."""
    if ctx.file.package_name != "main" or not fi.name or fi.node.type == "func_literal":
        return False
    calls = list(ctx.pkg.calls_to(fi.name))

    def in_main_itself(g, c) -> bool:
        # main's own body, not a closure inside it (a handler main registers)
        inner = ctx.pkg.functions(g).enclosing(c)
        return inner is not None and inner.node.type == "function_declaration" and inner.name in ("main", "init")

    return bool(calls) and all(in_main_itself(g, c) for g, c in calls)
