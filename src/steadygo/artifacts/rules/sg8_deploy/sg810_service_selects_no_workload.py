"""SG810: a Service whose selector matches no workload in the set."""

from __future__ import annotations

from steadygo.artifacts.k8s_links import has_workloads_in, same_namespace, selects
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity

# Labels the controllers put on pods, never in a pod template: a Service that
# picks one StatefulSet pod (redis-ha's announce Services) selects
# statefulset.kubernetes.io/pod-name=<name>-0.
CONTROLLER_LABELS = frozenset({"statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index",
                               "pod-template-hash", "controller-revision-hash", "controller-uid", "job-name",
                               "batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-name"})


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
            selector = {k: v for k, v in s.selector.items() if k not in CONTROLLER_LABELS}
            if not selector:
                continue  # selector-less Services take manually managed endpoints
            if not has_workloads_in(m, s.namespace):
                continue  # the workloads live in files this scan was not given
            candidates = by_pair.get(min(selector.items()), ())
            if not any(same_namespace(w.namespace, s.namespace) and selects(selector, w.labels) for w in candidates):
                labels = ", ".join(f"{k}={v}" for k, v in sorted(s.selector.items()))
                ctx.report(s.path, s.selector_line or s.line, f"Service {s.name} selects {labels}, which no pod "
                                                              "template in these manifests carries: it has no endpoints")
