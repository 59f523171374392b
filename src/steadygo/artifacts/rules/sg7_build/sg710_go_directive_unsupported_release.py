"""SG710: the go.mod ``go`` line names a Go release that no longer gets security fixes."""

from __future__ import annotations

import datetime

from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, build_meta
from steadygo.findings import Severity
from steadygo.golang import go_releases, gomod
from steadygo.rulemeta import RuleOption


class GoDirectiveUnsupportedRelease(ArtifactRule):
    meta = build_meta(
        "SG710", "go-directive-unsupported-release", Severity.INFO,
        "toolchain without security fixes",
        "The go.mod `go` line names a Go release older than the two supported ones.",
        options=[RuleOption("as-of", datetime.date, None,
                            "judge support on this day (TOML date, e.g. 2026-12-01) instead of today")])

    def check(self, ctx: ArtifactContext) -> None:
        today = ctx.options.get("as-of") or datetime.date.today()
        for mod in ctx.facts.go_mods:
            if mod.go_version is None or mod.go_line is None:
                continue
            release = gomod.go_release(mod.go_version)
            if release is None:
                continue
            verdict = go_releases.support(release[0], release[1], today)
            if verdict.supported:
                continue
            supported = " and ".join(f"Go {r.name}" for r in reversed(verdict.current))
            since = (f" since Go {verdict.ended_by.name} came out on {verdict.ended_by.date.isoformat()}"
                     if verdict.ended_by else "")
            ctx.report(mod.path, mod.go_line,
                       f"go {mod.go_version}: Go {release[0]}.{release[1]} has had no security fixes{since} "
                       f"(supported on {today.isoformat()}: {supported}); the go line sets the module's "
                       "language version and the oldest toolchain allowed to build it, and builder images "
                       "pinned to it stay on that release")
