"""SG806: a memory limit with no GOMEMLIMIT, in env or in the code the container runs."""

from __future__ import annotations

from steadygo.artifacts.joins import by_module
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity


class MemoryLimitWithoutGomemlimit(ArtifactRule):
    meta = deploy_meta(
        "SG806", "memory-limit-without-gomemlimit", Severity.WARNING,
        "OOM kill before the GC reacts",
        "A container has a memory limit and no GOMEMLIMIT, neither in env nor in the Go code it runs.",
        settles=("SG620",))

    def check(self, ctx: ArtifactContext) -> None:
        for w in ctx.manifests.workloads:
            for c in w.containers:
                if c.init or "memory" not in c.resources.limits or not ctx.runs_go(w, c):
                    continue
                if c.env_value("GOMEMLIMIT") is not None or c.has_env_from:
                    continue
                service = ctx.code_of(c)
                if service is not None and service.memory_limit:
                    continue  # the code sets it (debug.SetMemoryLimit, automemlimit)
                code = (f" and the code of {service.module} sets none either (debug.SetMemoryLimit, automemlimit)"
                        if service is not None else "")
                main = service.listeners[0].location if service is not None and service.listeners else None
                ctx.report(w.path, c.resources.limits_line.get("memory", c.line),
                           f"{w.kind} {w.name}: container {c.name} has a {c.resources.limits['memory']} memory "
                           f"limit and no GOMEMLIMIT{code}: the heap grows to 2x the live set (GOGC=100) and the "
                           "kernel kills the pod before the GC works harder; set GOMEMLIMIT to ~90% of the limit",
                           related=((main.path, main.line, "the service this container runs"),) if main else ())
        # Where every deployed copy of a module has a memory limit, this rule
        # and SG807 judged GOMEMLIMIT with the numbers: SG620's "unless the
        # deployment sets GOMEMLIMIT" is answered.
        for root, joined in by_module(ctx.joined).items():
            if all("memory" in j.container.resources.limits for j in joined):
                ctx.settle("SG620", joined[0].module_display_root)
