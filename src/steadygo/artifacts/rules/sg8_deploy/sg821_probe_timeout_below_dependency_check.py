"""SG821: a probe whose 1 s timeout a dependency check in its handler can overrun."""

from __future__ import annotations

from steadygo.artifacts.joins import probe_health_endpoints
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity
from steadygo.rulemeta import RuleOption


class ProbeTimeoutBelowDependencyCheck(ArtifactRule):
    meta = deploy_meta(
        "SG821", "probe-timeout-below-dependency-check", Severity.WARNING,
        "every pod unready at once when the database slows",
        "An httpGet probe with timeoutSeconds at 1 s (the default) on a handler that calls a database or another service.",
        options=[RuleOption("min-seconds", int, 2, "shortest probe timeout accepted for a handler that calls out")])

    def check(self, ctx: ArtifactContext) -> None:
        floor = ctx.options["min-seconds"]
        for j in ctx.joined:
            service = ctx.service(j)
            if service is None:
                continue
            w, c = j.workload, j.container
            for kind, probe in (("readiness", c.readiness), ("liveness", c.liveness), ("startup", c.startup)):
                if probe is None or probe.timeout_seconds >= floor:
                    continue
                endpoint = next((h for h in probe_health_endpoints(service, probe) if h.dependency_call), None)
                if endpoint is None:
                    continue
                ctx.report(w.path, probe.line,
                           f"{w.kind} {w.name}: {kind} probe GET {probe.path} gives up after {probe.timeout_seconds} s"
                           f"{' (the default)' if probe.timeout_seconds == 1 else ''}, but its handler calls "
                           f"{endpoint.dependency_call}: when the dependency slows past that under load, every pod "
                           f"fails the probe at the same moment; set timeoutSeconds to at least {floor} (above the "
                           "handler's own deadline)",
                           related=((endpoint.location.path, endpoint.location.line,
                                     f"{endpoint.path} calls {endpoint.dependency_call}"),))
