"""SG810: a Service whose selector matches no workload in the set."""

from __future__ import annotations

from steadygo.artifacts.k8s_links import same_namespace, selects
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity


class ServiceSelectsNoWorkload(ArtifactRule):
    meta = deploy_meta(
        "SG810", "service-selects-no-workload", Severity.WARNING,
        "service with no endpoints",
        "A Service's selector matches the pod labels of no workload in the scanned manifests.")

    def check(self, ctx: ArtifactContext) -> None:
        m = ctx.manifests
        for s in m.services:
            if not s.selector:
                continue  # selector-less Services take manually managed endpoints
            local = [w for w in m.workloads if same_namespace(w.namespace, s.namespace)]
            if not local:
                continue  # the workloads live in files this scan was not given
            if not any(selects(s.selector, w.labels) for w in local):
                labels = ", ".join(f"{k}={v}" for k, v in sorted(s.selector.items()))
                ctx.report(s.path, s.selector_line or s.line, f"Service {s.name} selects {labels}, which no pod "
                                                              "template in these manifests carries: it has no endpoints")
