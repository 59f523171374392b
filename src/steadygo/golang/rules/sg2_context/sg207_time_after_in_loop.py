"""SG207 time-after-in-loop: time.After used as a select case inside a loop."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.frameworks import TIME
from steadygo.golang.lifecycle import exits_of, in_loop, innermost_loop, is_within
from steadygo.golang.parse import enclosing_function as enclosing_func, unparen
from steadygo.golang.rules.base import HasNodes, LifecycleRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class TimeAfterInLoop(LifecycleRule):
    meta = code_meta(
        id="SG207",
        name="time-after-in-loop",
        severity=Severity.WARNING,
        breakpoint="Each loop iteration allocates a timer; before Go 1.23 none is freed until it fires, so a busy loop with a long timeout accumulates timers and memory.",
        summary="time.After used as a select case inside a loop.",
        status="preview",
    )
    markers = ((b"After(",), (HasNodes("select"),))
    requires_imports = (TIME,)

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        if ctx.pkg.module.go_at_least(1, 23):
            return  # since Go 1.23 an unreferenced timer is collected before it fires: nothing piles up
        for sel in f.nodes("select"):
            cases = [c for c in sel.named_children if c.type in ("communication_case", "default_case")]
            if len(cases) < 2:
                continue
            fn = enclosing_func(sel)
            if not in_loop(sel, fn):
                continue
            for case in cases:
                comm = case.child_by_field_name("communication")
                if comm is None:
                    continue
                recv = comm.child_by_field_name("right") if comm.type == "receive_statement" else comm
                if recv is None or recv.type != "unary_expression":
                    continue
                op = unparen(recv.child_by_field_name("operand"))
                if op is None or op.type != "call_expression" or f.call_target(op) != (TIME, "After"):
                    continue
                if not self._loop_goes_on(sel, case, cases, fn):
                    continue
                ctx.report(op, "time.After in a loop: before Go 1.23 (or with no go >= 1.23 directive) each "
                           "iteration's timer stays in memory until it fires, so a busy loop with a long "
                           "timeout piles up timers; create one time.NewTimer and Reset it")

    @staticmethod
    def _loop_goes_on(sel, after_case, cases, fn) -> bool:
        """Timers pile up only when another case lets the loop go round
        again while this iteration's timer is still pending."""
        loop = innermost_loop(sel, fn)
        exits = exits_of(loop) if loop is not None else []
        for c in cases:
            if c == after_case:
                continue
            if not any(is_within(x, c) for x in exits):
                return True
        return False
