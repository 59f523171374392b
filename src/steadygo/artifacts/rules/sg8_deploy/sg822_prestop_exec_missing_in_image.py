"""SG822: a preStop exec command the image cannot run."""

from __future__ import annotations

import os

from steadygo.artifacts.joins import image_has_program, image_shell, pre_stop_seconds
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity

_SHELLS = {"sh", "bash", "ash", "dash"}


class PreStopExecMissingInImage(ArtifactRule):
    meta = deploy_meta(
        "SG822", "prestop-exec-missing-in-image", Severity.ERROR,
        "drain delay never happens",
        "A preStop exec hook runs a program (sleep, sh) that the container's image does not have (scratch, distroless).")

    def check(self, ctx: ArtifactContext) -> None:
        for j in ctx.joined:
            c = j.container
            if c.pre_stop_kind != "exec" or not c.pre_stop or j.dockerfile is None:
                continue
            if image_shell(j.dockerfile) != "none":
                continue  # a shell image has sleep; an unknown image: no claim
            program = os.path.basename(c.pre_stop[0])
            if not (program in _SHELLS or program == "sleep") or image_has_program(j.dockerfile, program):
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
