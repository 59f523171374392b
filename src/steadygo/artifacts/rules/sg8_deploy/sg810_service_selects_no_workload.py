"""SG810: a Service whose selector matches no workload in the set."""

from __future__ import annotations

from steadygo.artifacts.k8s_links import has_workloads_in, same_namespace, selects
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity


class ServiceSelectsNoWorkload(ArtifactRule):
    meta = deploy_meta(
        "SG810", "service-selects-no-workload", Severity.WARNING,
        "service with no endpoints",
        "A Service's selector matches the pod labels of no workload in the scanned manifests.")

    def check(self, ctx: ArtifactContext) -> None:
        m = ctx.manifests
        # pod labels by one label pair, so each Service looks up a few candidates
        by_pair: dict[tuple[str, str], list] = {}
        for w in m.workloads:
            for pair in w.labels.items():
                by_pair.setdefault(pair, []).append(w)
        for s in m.services:
            if not s.selector:
                continue  # selector-less Services take manually managed endpoints
            if not has_workloads_in(m, s.namespace):
                continue  # the workloads live in files this scan was not given
            candidates = by_pair.get(min(s.selector.items()), ())
            if not any(same_namespace(w.namespace, s.namespace) and selects(s.selector, w.labels) for w in candidates):
                labels = ", ".join(f"{k}={v}" for k, v in sorted(s.selector.items()))
                ctx.report(s.path, s.selector_line or s.line, f"Service {s.name} selects {labels}, which no pod "
                                                              "template in these manifests carries: it has no endpoints")
