"""SG603 shutdown-deadline-shorter-than-write-timeout.

Shutdown deadline shorter than the WriteTimeout of an http.Server in the same package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.facts import duration_seconds, extract_facts, node_of
from steadygo.golang.listeners import serves_ephemeral_loopback
from steadygo.golang.parse import captures
from steadygo.golang.rules.base import GoRule
from steadygo.golang.values import holder_of, literal_keys
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class ShutdownDeadlineTooShort(GoRule):
    meta = code_meta(
        id="SG603",
        status="preview",  # 0 of 5 first-run holdout findings true: docs/rules/SG603.md
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
        servers = self._servers(ctx)
        for s in calls:
            longest = self._write_timeout_for(servers, s.target)
            if longest is None:
                continue
            wt, where = longest
            if s.timeout_seconds < wt and not serves_ephemeral_loopback(ctx.pkg, ctx.file, node_of(ctx.pkg, s)):
                ctx.report(node_of(ctx.pkg, s), f"{s.target}.Shutdown waits {s.timeout_seconds:g}s but the server lets requests "
                           f"run for WriteTimeout {wt:g}s ({where}): in-flight requests are cut on every deploy; give Shutdown "
                           "the longest request time plus margin (and a grace period above that)")

    @staticmethod
    def _write_timeout_for(servers, target):
        """The WriteTimeout that bounds the requests `target`.Shutdown drains.

        When the Shutdown receiver is the name a server literal was assigned
        to, only that server counts: an admin listener's longer WriteTimeout
        says nothing about the public server being shut down.  Otherwise the
        longest of the package's servers, as before.
        """
        own = [sv for sv in servers if sv[2] is not None and _names(sv[2], target)]
        pool = own if own else servers
        timed = [(secs, where) for secs, where, _ in pool if secs is not None]
        return max(timed, default=None)

    @staticmethod
    def _servers(ctx):
        def compute():
            found = []
            for f in ctx.pkg.files:
                for lit in captures("(composite_literal) @l", f.root).get("l", []):
                    if not f.is_member(lit.child_by_field_name("type"), "net/http", "Server"):
                        continue
                    v = literal_keys(lit).get("WriteTimeout")
                    secs = duration_seconds(ctx.pkg, f, v) if v is not None else None
                    holder = holder_of(lit)
                    found.append((secs, f"{f.relpath}:{lit.start_point[0] + 1}",
                                  holder if holder.kind in ("var", "field") else None))
            return found

        return ctx.pkg.memo("shutdown.servers", compute)


def _names(holder, target: str) -> bool:
    """Whether the Shutdown receiver ``target`` (``srv``, ``s.http``) is what
    holds the server literal: the variable itself, or a field of that name."""
    if holder.kind == "var":
        return target == holder.path
    return "." in target and target.rsplit(".", 1)[1] == holder.path
