"""SG807: GOMEMLIMIT that leaves no headroom under the memory limit."""

from __future__ import annotations

from steadygo.artifacts.quantities import gomemlimit_bytes, human_bytes, k8s_bytes
from steadygo.artifacts.rules.base import WITH_EXAMPLES, ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity
from steadygo.rulemeta import RuleOption


class GomemlimitWithoutHeadroom(ArtifactRule):
    meta = deploy_meta(
        "SG807", "gomemlimit-without-headroom", Severity.WARNING,
        "OOM kill before the GC reacts",
        "GOMEMLIMIT above ~90% of the container's memory limit (or not a size Go accepts).",
        options=[RuleOption("max-fraction", float, 0.9, "largest GOMEMLIMIT / memory limit ratio accepted")],
        roles=WITH_EXAMPLES)

    judges_patches = True  # it judges what is written

    def check(self, ctx: ArtifactContext) -> None:
        most = ctx.options["max-fraction"]
        for w in ctx.manifests.workloads:
            for c in w.containers:
                env = c.env_value("GOMEMLIMIT")
                limit = k8s_bytes(c.resources.limits.get("memory")) if "memory" in c.resources.limits else None
                if env is None:
                    continue
                if env.value_from == "resourceFieldRef":
                    ctx.report(w.path, env.line, f"{w.kind} {w.name}: container {c.name} sets GOMEMLIMIT from the "
                                                 "memory limit itself: 100% leaves no room for non-heap memory; "
                                                 f"use ~{most:.0%} of it")
                    continue
                if env.value is None:
                    continue
                if env.value.strip() == "off":
                    continue
                soft = gomemlimit_bytes(env.value)
                if soft is None:
                    # measured (go 1.27): the runtime throws "malformed GOMEMLIMIT" before main, exit 2
                    ctx.report(w.path, env.line, f"{w.kind} {w.name}: GOMEMLIMIT={env.value!r} is not a size Go "
                                                 "accepts (a number, optionally with B, KiB, MiB, GiB or TiB; "
                                                 "Kubernetes' Mi/Gi are not): a Go binary dies at start with "
                                                 "\"malformed GOMEMLIMIT\"", severity=Severity.ERROR)
                    continue
                if limit and soft > most * limit:
                    ctx.report(w.path, env.line, f"{w.kind} {w.name}: container {c.name} GOMEMLIMIT "
                                                 f"{human_bytes(soft)} is {soft / limit:.0%} of its "
                                                 f"{human_bytes(limit)} limit (max {most:.0%})")
