"""SG805: a container without resource requests or a memory limit."""

from __future__ import annotations

from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity


class NoResourceRequests(ArtifactRule):
    meta = deploy_meta(
        "SG805", "no-resource-requests-or-limits", Severity.WARNING,
        "noisy neighbours, evictions, OOM kills",
        "A container sets no cpu/memory requests, or no memory limit.")

    def check(self, ctx: ArtifactContext) -> None:
        for w in ctx.manifests.workloads:
            for c in w.containers:
                if c.init:
                    continue
                missing = []
                if not ({"cpu", "memory"} & set(c.resources.requests)):
                    missing.append("requests")
                if "memory" not in c.resources.limits:
                    missing.append("memory limit")
                if missing:
                    ctx.report(w.path, c.resources.line or c.line,
                               f"{w.kind} {w.name}: container {c.name} has no {' and no '.join(missing)}")
