"""SG803: liveness and readiness probe the same endpoint."""

from __future__ import annotations

from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity


def _target(p) -> str:
    if p.handler == "exec":
        return "exec " + " ".join(p.command)
    return f"{p.handler} {p.path or ''} port {p.port}".replace("  ", " ")


class LivenessSameAsReadiness(ArtifactRule):
    meta = deploy_meta(
        "SG803", "liveness-same-as-readiness", Severity.WARNING,
        "restart storm on a dependency outage",
        "The liveness probe checks what the readiness probe checks: when a dependency fails, every pod restarts.")

    judges_patches = True  # it judges what is written

    def check(self, ctx: ArtifactContext) -> None:
        for w in ctx.manifests.workloads:
            for c in w.containers:
                live, ready = c.liveness, c.readiness
                if live is None or ready is None or live.handler in ("none", "tcpSocket"):
                    continue
                if live.same_check_as(ready):
                    ctx.report(w.path, live.line, f"{w.kind} {w.name}: container {c.name}'s livenessProbe is its "
                                                  f"readinessProbe ({_target(live)}): a failing dependency restarts "
                                                  "every pod at once; give liveness its own cheap endpoint")
