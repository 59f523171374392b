"""SG801: a serving container without a readiness probe."""

from __future__ import annotations

from steadygo.artifacts.k8s_links import services_of
from steadygo.artifacts.k8s_serving import is_metrics_service, serving_ports
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity


class NoReadinessProbe(ArtifactRule):
    meta = deploy_meta(
        "SG801", "no-readiness-probe", Severity.WARNING,
        "traffic to pods that cannot serve",
        "A container that serves traffic (declares a port, or a Service selects its pod) has no readinessProbe.")

    def check(self, ctx: ArtifactContext) -> None:
        m = ctx.manifests
        for w in m.workloads:
            if w.batch:
                continue
            selected = any(not is_metrics_service(s.name) for s in services_of(m, w))
            # When some container declares its ports, the Service's traffic goes
            # there; a port-less sidecar beside it (redis-ha's split-brain-fix) gets none.
            ports_declared = any(c.port_numbers for c in w.containers if not c.init)
            for c in w.containers:
                if c.init or c.readiness is not None:
                    continue
                if serving_ports(c) or (selected and not ports_declared):
                    ctx.report(w.path, c.line, f"{w.kind} {w.name}: container {c.name} has no readinessProbe: it gets "
                                               "traffic from the moment it starts and while it shuts down")
