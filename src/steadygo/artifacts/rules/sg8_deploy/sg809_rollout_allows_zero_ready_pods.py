"""SG809: a rolling update allowed to take every pod down."""

from __future__ import annotations

import math

from steadygo.artifacts.k8s_links import min_replicas
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity


def unavailable_pods(value, replicas: int) -> int | None:
    """Pods a rollout may take down: maxUnavailable as a count or a
    percentage of replicas, rounded down as the Deployment controller does."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.endswith("%") and value[:-1].isdigit():
        return math.floor(replicas * int(value[:-1]) / 100)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


class RolloutAllowsZeroReadyPods(ArtifactRule):
    meta = deploy_meta(
        "SG809", "rollout-allows-zero-ready-pods", Severity.WARNING,
        "outage on every deploy",
        "RollingUpdate maxUnavailable reaches the replica count (100%, or a number >= replicas).")

    def check(self, ctx: ArtifactContext) -> None:
        m = ctx.manifests
        for w in m.workloads:
            if w.kind != "Deployment" or w.strategy != "RollingUpdate" or w.max_unavailable is None:
                continue
            replicas = min_replicas(m, w)
            down = unavailable_pods(w.max_unavailable, replicas)
            if down is not None and replicas > 0 and down >= replicas:
                ctx.report(w.path, w.strategy_line or w.line,
                           f"Deployment {w.name}: maxUnavailable {w.max_unavailable} with {replicas} replica(s) lets "
                           "a rollout stop every pod before a new one is ready")
