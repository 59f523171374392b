"""SG812: two HPAs scale the same workload."""

from __future__ import annotations

from steadygo.artifacts.k8s_links import same_namespace
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity


class MultipleHpasOneTarget(ArtifactRule):
    meta = deploy_meta(
        "SG812", "multiple-hpas-one-target", Severity.ERROR,
        "autoscaling disabled",
        "Two HorizontalPodAutoscalers name the same scaleTargetRef: the controller disables both.")

    def check(self, ctx: ArtifactContext) -> None:
        hpas = ctx.manifests.hpas
        for i, h in enumerate(hpas):
            first = next((o for o in hpas[:i] if (o.target_kind, o.target_name) == (h.target_kind, h.target_name)
                          and same_namespace(o.namespace, h.namespace)), None)
            if first is not None:
                ctx.report(h.path, h.target_line or h.line, f"HorizontalPodAutoscaler {h.name} scales "
                                                            f"{h.target_kind} {h.target_name}, as {first.name} "
                                                            f"({first.path}:{first.line}) already does")
