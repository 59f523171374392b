"""SG203 goroutine-outlives-request.

Goroutine started from a handler that observes no context or done channel and is owned by no WaitGroup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.frameworks import CONTEXT_FRAMEWORKS
from steadygo.golang.lifecycle import (
    callee_name,
    calls_in,
    chain_of,
    ctx_names,
    forever_loops,
    go_statements,
    go_target_bodies,
    handler_ctx_expr,
    observes_context,
    own,
    SEND_Q,
)
from steadygo.golang.parse import captures
from steadygo.golang.rules.base import GO_STMT, LifecycleRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_SELECT_Q = "(select_statement) @s"
_RECV_Q = '(unary_expression operator: "<-") @r'


_BLOCKING_Q = """
(for_statement) @b
(select_statement) @b
(call_expression function: (selector_expression field: (field_identifier) @m (#eq? @m "Sleep"))) @b
"""


class GoroutineOutlivesRequest(LifecycleRule):
    meta = code_meta(
        id="SG203",
        name="goroutine-outlives-request",
        severity=Severity.WARNING,
        breakpoint="Every request leaves a goroutine behind that nothing can stop; under load or a slow dependency their number climbs until memory runs out.",
        summary="Goroutine started from a handler that observes no context or done channel and is owned by no WaitGroup.",
        status="preview",
    )
    requires_imports = CONTEXT_FRAMEWORKS
    markers = (GO_STMT,)

    def check(self, ctx: FileContext) -> None:
        for g in go_statements(ctx):
            full = chain_of(ctx, g)
            idx = next((i for i, fi in enumerate(full) if fi.is_handler), None)
            if idx is None:
                continue
            handler, chain = full[idx], full[: idx + 1]
            names = ctx_names(chain)
            call = g.named_child(0)
            args = call.child_by_field_name("arguments") if call is not None else None
            if args is not None and observes_context(args, names):
                continue
            targets = go_target_bodies(ctx.pkg, ctx.file, g)
            if not targets:
                continue
            if any(self._stoppable(body, names) for _fn, body in targets):
                continue
            # Where the goroutine gets stuck for good (a loop that never exits,
            # a select {}), the finding sits on that line, the node SG206 and
            # SG205 report and supersede.
            stuck = next((n for fn, body in targets for n in self._stuck_at(fn, body)), None)
            blocking = any(captures(_BLOCKING_Q, body).get("b") for _fn, body in targets)
            sev = Severity.WARNING if blocking else Severity.INFO
            ctx.report(stuck or g, "goroutine started by this handler observes no context, done channel or WaitGroup: it "
                       "outlives the request and nothing can stop it; pass a context (context.WithoutCancel("
                       f"{handler_ctx_expr(handler)}) plus a timeout if it must finish) and bound it", severity=sev)

    @staticmethod
    def _stuck_at(fn, body) -> list:
        """The loops that never exit, then the bare ``select {}`` statements, of a goroutine body."""
        selects = [s for s in own(captures(_SELECT_Q, body).get("s", []), fn)
                   if not any(c.type in ("communication_case", "default_case") for c in s.named_children)]
        return forever_loops(fn, body) + selects

    @staticmethod
    def _stoppable(body, names) -> bool:
        if observes_context(body, names):
            return True
        if captures(_RECV_Q, body).get("r"):
            return True  # waits on a channel someone can close
        if captures(SEND_Q, body).get("s"):
            return True  # hands a result back to the request (a blocked send is SG204's business)
        return any(callee_name(c) in ("Done", "Wait") for c in calls_in(body))
