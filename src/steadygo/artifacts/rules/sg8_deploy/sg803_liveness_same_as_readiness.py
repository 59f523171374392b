"""SG803: liveness and readiness probe the same endpoint."""

from __future__ import annotations

from steadygo.artifacts.joins import probe_health_endpoints
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
                if not live.same_check_as(ready):
                    continue
                # The storm needs a shared check that fails when a dependency
                # does.  With the code in view: a handler that calls nothing
                # out cannot fail on a dependency (on 22 real code bases all 30
                # sampled findings were such handlers), one that does is the
                # real case; without it the claim is a guess, said as info.
                endpoint = next(iter(probe_health_endpoints(ctx.code_of(c), live)), None)
                if endpoint is not None and endpoint.dependency_call is None:
                    continue
                head = (f"{w.kind} {w.name}: container {c.name}'s livenessProbe is its readinessProbe "
                        f"({_target(live)})")
                if endpoint is not None:
                    ctx.report(w.path, live.line, f"{head}, whose handler calls {endpoint.dependency_call}: when that "
                               "dependency fails every pod restarts at once; give liveness its own cheap endpoint",
                               related=((endpoint.location.path, endpoint.location.line,
                                         f"{endpoint.path} calls {endpoint.dependency_call}"),))
                else:
                    ctx.report(w.path, live.line, f"{head}: if that check includes a dependency, its outage "
                               "restarts every pod at once; give liveness its own cheap endpoint (the handler "
                               "was not found in the code scanned, so this is not known)", severity=Severity.INFO)
