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
        seen: dict[tuple[str, str], list] = {}
        for h in ctx.manifests.hpas:
            earlier = seen.setdefault((h.target_kind, h.target_name), [])
            # The same name is the same object declared again (a kustomize overlay,
            # an alternative install bundle), not a second autoscaler.
            first = next((o for o in earlier if o.name != h.name and same_namespace(o.namespace, h.namespace)), None)
            earlier.append(h)
            if first is not None:
                ctx.report(h.path, h.target_line or h.line, f"HorizontalPodAutoscaler {h.name} scales "
                                                            f"{h.target_kind} {h.target_name}, as {first.name} "
                                                            f"({first.path}:{first.line}) already does")
