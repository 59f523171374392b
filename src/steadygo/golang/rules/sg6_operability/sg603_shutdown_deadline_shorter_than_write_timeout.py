"""SG603 shutdown-deadline-shorter-than-write-timeout.

Shutdown deadline shorter than the WriteTimeout of an http.Server in the same package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.facts import duration_seconds, extract_facts, node_of
from steadygo.golang.parse import captures
from steadygo.golang.rules.base import GoRule
from steadygo.golang.values import literal_keys
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class ShutdownDeadlineTooShort(GoRule):
    meta = code_meta(
        id="SG603",
        name="shutdown-deadline-shorter-than-write-timeout",
        severity=Severity.WARNING,
        breakpoint="Requests the server allows to run for WriteTimeout are cut off when Shutdown gives up sooner: long uploads and reports fail on every deploy.",
        summary="Shutdown deadline shorter than the WriteTimeout of an http.Server in the same package.",
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
