"""SG317 lock-order-inversion: two locks taken in opposite orders on two paths of a package."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.lock_order import lock_facts, lock_text, place, through
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


def _conflict(a: str, b: str) -> bool:
    """Two holders of one RWMutex exclude each other unless both read."""
    return not (a == "R" and b == "R")


class LockOrderInversion(GoRule):
    meta = code_meta(
        id="SG317",
        name="lock-order-inversion",
        severity=Severity.WARNING,
        breakpoint="One goroutine holds A and waits for B while another holds B and waits for A: both hang forever, and so does every request that then needs either lock.",
        summary="Two mutexes taken in opposite orders on two paths of the package (A then B here, B then A elsewhere).",
        status="preview",
    )

    def check(self, ctx: FileContext) -> None:
        facts = lock_facts(ctx.pkg)
        if not facts.edges:
            return
        by_pair: dict = {}
        for e in facts.edges:
            by_pair.setdefault((e.outer.ref.cls, e.inner.ref.cls), []).append(e)
        reported = set()
        for e in facts.edges:
            if e.inner.fn.file is not ctx.file:
                continue
            a, b = e.outer.ref.cls, e.inner.ref.cls
            other = next((o for o in by_pair.get((b, a), ())
                          if _conflict(e.inner.mode, o.outer.mode) and _conflict(o.inner.mode, e.outer.mode)), None)
            if other is None or (e.inner.site.id, a, b) in reported:
                continue
            reported.add((e.inner.site.id, a, b))
            ctx.report(e.inner.site,
                       f"{lock_text(e.inner)} is locked{through(e.inner)} while {e.outer.text} is held (line "
                       f"{e.outer.event.site.start_point[0] + 1}); {place(other.inner.fn, other.inner.site, ctx.file)} "
                       f"locks {lock_text(other.inner)}{through(other.inner)} while holding {other.outer.text}: "
                       f"two goroutines on these paths deadlock; take the two locks in one order everywhere")
