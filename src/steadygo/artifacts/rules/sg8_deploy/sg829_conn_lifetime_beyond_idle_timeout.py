"""SG829: pooled connections outlive the idle timeout of the database or proxy."""

from __future__ import annotations

from steadygo.artifacts.joins import by_module
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity


class ConnLifetimeBeyondIdleTimeout(ArtifactRule):
    meta = deploy_meta(
        "SG829", "conn-lifetime-beyond-idle-timeout", Severity.WARNING,
        "requests fail on connections the server already closed",
        "SetConnMaxLifetime/SetConnMaxIdleTime unset or longer than [database] idle-timeout.")

    def check(self, ctx: ArtifactContext) -> None:
        idle = (ctx.settings.get("database") or {}).get("idle_timeout")
        if not idle:
            return
        for root, joined in by_module(ctx.joined).items():
            service = ctx.services.get(root)
            sql = [p for p in service.pools if p.library == "database/sql"] if service is not None else []
            if not sql:
                continue  # database/sql's lifetimes only (pgxpool and go-redis pools have their own defaults)
            bounds = [p for p in sql if p.setting in ("SetConnMaxLifetime", "SetConnMaxIdleTime")]
            if any(p.value is None for p in bounds):
                continue  # computed at run time
            short = [p for p in bounds if 0 < p.value < idle]
            if short:
                continue
            first = sql[0].location
            if not bounds:
                msg = (f"{service.module} sets neither SetConnMaxLifetime nor SetConnMaxIdleTime: idle pooled "
                       f"connections live forever, but the server or proxy closes them after {idle:g} s, and the "
                       "next request on one fails; set SetConnMaxIdleTime below it")
                ctx.report(first.path, first.line, msg)
            else:
                p = min(bounds, key=lambda b: b.value if b.value > 0 else float("inf"))
                shown = "0 (forever)" if p.value <= 0 else f"{p.value:g} s"
                ctx.report(p.location.path, p.location.line,
                           f"{p.setting} {shown} is not below the database/proxy idle timeout {idle:g} s "
                           "([database] idle-timeout): connections the server already closed are handed to "
                           "requests; set it below the timeout")
