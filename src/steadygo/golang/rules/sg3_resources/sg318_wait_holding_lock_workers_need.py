"""SG318 wait-holding-lock-workers-need: WaitGroup.Wait() while holding a lock the goroutines being waited for take."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.lock_order import lock_facts, lock_text, place, through
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class WaitHoldingLockWorkersNeed(GoRule):
    meta = code_meta(
        id="SG318",
        name="wait-holding-lock-workers-need",
        severity=Severity.WARNING,
        breakpoint="Wait() under a lock that the goroutines it waits for must take before Done(): they block on the lock, Wait never returns, and the lock is never released.",
        summary="WaitGroup.Wait() while holding a mutex that a goroutine calling Done() on the same WaitGroup locks first.",
        status="preview",
    )

    def check(self, ctx: FileContext) -> None:
        facts = lock_facts(ctx.pkg)
        seen = set()
        for b in facts.blocked:
            op = b.op
            if op.kind != "wait" or op.fn.file is not ctx.file or op.ref is None or op.site.id in seen:
                continue
            worker = next(((fn, e) for fn, e, needs in facts.counterparts(b.held.ref.cls, {"done"}, op.ref.cls, op.fn, taken_before=True, origin=op.origin)
                           if needs), None)
            if worker is None:
                continue
            seen.add(op.site.id)
            fn, done = worker
            ctx.report(op.site,
                       f"{lock_text(op)}.Wait(){through(op)} while {b.held.text} is held (line "
                       f"{b.held.event.site.start_point[0] + 1}); {place(fn, done.site, ctx.file)} calls Done() only after "
                       f"locking {b.held.text.rsplit('.', 1)[-1]}, so it waits for this lock and Wait never returns: "
                       f"unlock before Wait")
