"""SG808: a Deployment behind a Service that runs one pod."""

from __future__ import annotations

from steadygo.artifacts.k8s_links import min_replicas, services_of
from steadygo.artifacts.k8s_serving import is_metrics_service
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity


class SingleReplicaBehindService(ArtifactRule):
    meta = deploy_meta(
        "SG808", "single-replica-behind-service", Severity.WARNING,
        "outage on every node drain",
        "A Deployment selected by a Service runs a single replica (spec.replicas 1 or unset, no HPA above 1).")

    def check(self, ctx: ArtifactContext) -> None:
        m = ctx.manifests
        for w in m.workloads:
            if w.kind != "Deployment":
                continue
            # A metrics-only Service (argocd-server-metrics) is scraped, not served:
            # one pod behind it is no outage.
            svcs = [s for s in services_of(m, w) if not is_metrics_service(s.name)]
            if not svcs or min_replicas(m, w) > 1:
                continue
            written = "replicas: 1" if w.replicas is not None else "no replicas (defaults to 1)"
            ctx.report(w.path, w.replicas_line or w.line, f"Deployment {w.name} behind Service {svcs[0].name} has "
                                                          f"{written}: a node drain or rollout leaves no pod serving")
