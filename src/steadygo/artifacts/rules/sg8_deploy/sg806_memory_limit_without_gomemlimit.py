"""SG806: a memory limit with no GOMEMLIMIT."""

from __future__ import annotations

from steadygo.artifacts.k8s_links import probably_not_go
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity


class MemoryLimitWithoutGomemlimit(ArtifactRule):
    meta = deploy_meta(
        "SG806", "memory-limit-without-gomemlimit", Severity.WARNING,
        "OOM kill before the GC reacts",
        "A container has a memory limit and no GOMEMLIMIT env: the Go GC does not know the limit exists.")

    def check(self, ctx: ArtifactContext) -> None:
        for w in ctx.manifests.workloads:
            for c in w.containers:
                if c.init or "memory" not in c.resources.limits or probably_not_go(c.image):
                    continue
                if c.env_value("GOMEMLIMIT") is not None or c.has_env_from:
                    continue
                ctx.report(w.path, c.resources.limits_line.get("memory", c.line),
                           f"{w.kind} {w.name}: container {c.name} has a {c.resources.limits['memory']} memory "
                           "limit and no GOMEMLIMIT: the heap grows to 2x the live set (GOGC=100) and the kernel "
                           "kills the pod before the GC works harder; set GOMEMLIMIT to ~90% of the limit")
