"""SG811: an HPA whose scaleTargetRef names no workload in the set."""

from __future__ import annotations

from steadygo.artifacts.k8s_links import same_namespace
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity


class HpaTargetMissing(ArtifactRule):
    meta = deploy_meta(
        "SG811", "hpa-target-missing", Severity.WARNING,
        "no autoscaling under load",
        "A HorizontalPodAutoscaler's scaleTargetRef names no workload in the scanned manifests.")

    def check(self, ctx: ArtifactContext) -> None:
        m = ctx.manifests
        for h in m.hpas:
            local = [w for w in m.workloads if same_namespace(w.namespace, h.namespace)]
            if not local:
                continue
            if not any(w.name == h.target_name and w.kind == h.target_kind for w in local):
                ctx.report(h.path, h.target_line or h.line, f"HorizontalPodAutoscaler {h.name} scales "
                                                            f"{h.target_kind} {h.target_name}, which these manifests "
                                                            "do not define: nothing is scaled")
