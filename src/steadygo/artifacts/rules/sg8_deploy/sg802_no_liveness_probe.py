"""SG802: a long-running container without a liveness probe."""

from __future__ import annotations

from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity


class NoLivenessProbe(ArtifactRule):
    meta = deploy_meta(
        "SG802", "no-liveness-probe", Severity.WARNING,
        "deadlocked pod never restarted",
        "A long-running container has no livenessProbe: a deadlocked process keeps its pod forever.")

    def check(self, ctx: ArtifactContext) -> None:
        for w in ctx.manifests.workloads:
            if w.batch:
                continue  # a Job's pod ends on its own; activeDeadlineSeconds, not liveness, stops a hung one
            for c in w.containers:
                if c.init or c.liveness is not None:
                    continue
                ctx.report(w.path, c.line, f"{w.kind} {w.name}: container {c.name} has no livenessProbe")
