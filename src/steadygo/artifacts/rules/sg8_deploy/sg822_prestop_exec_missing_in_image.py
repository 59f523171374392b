"""SG822: a preStop exec command the image cannot run."""

from __future__ import annotations

from steadygo.artifacts.joins import pre_stop_program_missing, pre_stop_seconds
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity


class PreStopExecMissingInImage(ArtifactRule):
    meta = deploy_meta(
        "SG822", "prestop-exec-missing-in-image", Severity.ERROR,
        "drain delay never happens",
        "A preStop exec hook runs a program (sleep, sh) that the container's image does not have (scratch, distroless).")

    def check(self, ctx: ArtifactContext) -> None:
        for j in ctx.joined:
            c = j.container
            program = pre_stop_program_missing(j)
            if program is None:
                continue
            seconds = pre_stop_seconds(c)
            fix = (f"use the native action `preStop: sleep: seconds: {seconds:g}` (Kubernetes 1.30+)"
                   if seconds else "use the native `preStop: sleep:` action (Kubernetes 1.30+) or an httpGet hook")
            final = j.dockerfile.final
            ctx.report(j.workload.path, c.pre_stop_line or c.line,
                       f"{j.workload.kind} {j.workload.name}: preStop runs `{' '.join(c.pre_stop)}` but the image "
                       f"built by {j.dockerfile.path} ({final.base.raw}) has no `{program}`: the hook fails, the pod "
                       f"gets no drain delay and keeps receiving traffic while it shuts down; {fix}",
                       related=((j.dockerfile.path, final.line, f"final stage FROM {final.base.raw}"),))
