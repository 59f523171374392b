"""SG811: an HPA whose scaleTargetRef names no workload in the set."""

from __future__ import annotations

from steadygo.artifacts.k8s_links import has_workloads_in, same_namespace
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity


class HpaTargetMissing(ArtifactRule):
    meta = deploy_meta(
        "SG811", "hpa-target-missing", Severity.WARNING,
        "no autoscaling under load",
        "A HorizontalPodAutoscaler's scaleTargetRef names no workload in the scanned manifests.")

    def check(self, ctx: ArtifactContext) -> None:
        m = ctx.manifests
        by_target: dict[tuple[str, str], list] = {}
        for w in m.workloads:
            by_target.setdefault((w.kind, w.name), []).append(w)
        for h in m.hpas:
            if not has_workloads_in(m, h.namespace):
                continue
            if not any(same_namespace(w.namespace, h.namespace) for w in by_target.get((h.target_kind, h.target_name), ())):
                ctx.report(h.path, h.target_line or h.line, f"HorizontalPodAutoscaler {h.name} scales "
                                                            f"{h.target_kind} {h.target_name}, which these manifests "
                                                            "do not define: nothing is scaled")
