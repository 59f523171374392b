"""SG825: GOGC=off in the manifest with no memory limit for the GC to honour."""

from __future__ import annotations

from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity


class GogcOffWithoutMemoryLimit(ArtifactRule):
    meta = deploy_meta(
        "SG825", "gogc-off-without-memory-limit", Severity.ERROR,
        "heap grows until the OOM kill",
        "A container sets GOGC=off and neither its env nor the code it runs sets a memory limit: the GC never runs.")

    def check(self, ctx: ArtifactContext) -> None:
        for w in ctx.manifests.workloads:
            for c in w.containers:
                gogc = c.env_value("GOGC")
                # the runtime compares with "off" exactly (runtime.readGOGC): "OFF"
                # parses as no number and means the default 100
                if gogc is None or gogc.value != "off" or not ctx.runs_go(w, c):
                    continue
                code = ctx.code_of(c)
                if c.env_value("GOMEMLIMIT") is not None or c.has_env_from or (code is not None and code.memory_limit):
                    continue
                ctx.report(w.path, gogc.line,
                           f"{w.kind} {w.name}: container {c.name} sets GOGC=off with no GOMEMLIMIT"
                           + (" (and its code sets no memory limit)" if code is not None else "")
                           + ": the collector never runs and the heap grows until the kernel kills the pod; set "
                           "GOMEMLIMIT to ~90% of the memory limit, or drop GOGC=off")
