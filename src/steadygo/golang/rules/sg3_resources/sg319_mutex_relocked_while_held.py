"""SG319 mutex-relocked-while-held: a mutex locked again on a path that already holds it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.lock_order import lock_facts, lock_text, line_of, through
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext

_VERB = {"W": "Lock", "R": "RLock"}


class MutexRelockedWhileHeld(GoRule):
    meta = code_meta(
        id="SG319",
        name="mutex-relocked-while-held",
        severity=Severity.ERROR,
        breakpoint="Go mutexes are not re-entrant: a goroutine that locks a mutex it already holds waits for itself forever, and every other user of the lock queues behind it.",
        summary="Lock()/RLock() on a mutex the same path already holds (directly, through a same-package call, or on the next loop iteration).",
        status="preview",
    )

    def check(self, ctx: FileContext) -> None:
        facts = lock_facts(ctx.pkg)
        seen = set()
        for r in facts.reacquired:
            ev, h = r.inner, r.held
            if ev.fn.file is not ctx.file or ev.site.id in seen:
                continue
            if facts.callers_rule_out(ev.fn, ev.guard):
                continue  # the helper locks only in a mode no caller calls this function in
            if h.mode == "R" and ev.mode == "R":
                # recursive read locking only hangs once a writer queues between
                # the two RLocks: report it when the package has a writer
                if h.ref.cls is None or h.ref.cls not in facts.writers:
                    continue
                why = (f"a Lock() of {h.text} queued between the two RLocks (the package write-locks it) blocks "
                       f"this second RLock, and the writer waits for the first: both hang")
            else:
                why = "sync mutexes are not re-entrant, so this goroutine waits for itself"
            seen.add(ev.site.id)
            if r.again_at is not None:
                ctx.report(ev.site, f"{h.text}.{_VERB[ev.mode]}() runs again on the next iteration with the lock still held "
                           f"(the loop goes round at line {line_of(r.again_at)} without unlocking): {why}")
                continue
            since = f"line {line_of(h.event.site)}"
            if h.event.via:  # taken by a helper that returns with it locked
                since += f", where {h.event.via[0]} returns with it locked"
            ctx.report(ev.site, f"{lock_text(ev)}.{_VERB[ev.mode]}(){through(ev)} while {h.text} is already held "
                       f"({since}): {why}")
