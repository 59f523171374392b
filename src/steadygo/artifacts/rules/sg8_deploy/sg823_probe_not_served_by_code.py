"""SG823: an HTTP probe on a path or port the code does not serve."""

from __future__ import annotations

from steadygo.artifacts.joins import path_served, served_ports
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity


class ProbeNotServedByCode(ArtifactRule):
    meta = deploy_meta(
        "SG823", "probe-not-served-by-code", Severity.ERROR,
        "pods never ready, or restarted forever",
        "An httpGet probe names a path no route of the service registers, or a port it does not listen on.")

    def check(self, ctx: ArtifactContext) -> None:
        for j in ctx.joined:
            service = ctx.service(j)
            if service is None:
                continue
            w, c = j.workload, j.container
            ports = served_ports(service, c)
            for kind, probe in (("readiness", c.readiness), ("liveness", c.liveness), ("startup", c.startup)):
                if probe is None or probe.handler != "httpGet":
                    continue
                if probe.port_number is not None and ports and probe.port_number not in ports:
                    first = service.listeners[0].location
                    ctx.report(w.path, probe.line,
                               f"{w.kind} {w.name}: {kind} probe on port {probe.port_number} but the code of "
                               f"{service.module} listens on {', '.join(map(str, sorted(ports)))}: the probe "
                               "always fails", related=((first.path, first.line, "listener"),))
                    continue
                if probe.path is None or not service.routes or path_served(service.routes, service.health_endpoints, probe.path):
                    continue
                near = sorted({r.path for r in service.routes if _healthish(r.path)})[:3]
                hint = f" (it registers {', '.join(near)})" if near else ""
                first = service.routes[0].location
                ctx.report(w.path, probe.line,
                           f"{w.kind} {w.name}: {kind} probe GET {probe.path} but no route of {service.module} "
                           f"serves that path{hint}: every probe gets 404 and the pod is "
                           + ("never ready" if kind == "readiness" else "restarted again and again"),
                           related=((first.path, first.line, "routes registered here"),))


def _healthish(path: str) -> bool:
    p = path.lower()
    return any(w in p for w in ("health", "ready", "live", "status", "ping"))
