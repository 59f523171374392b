"""SG824: a gRPC probe on a service whose code registers no gRPC health service."""

from __future__ import annotations

from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity


class GrpcProbeWithoutHealthService(ArtifactRule):
    meta = deploy_meta(
        "SG824", "grpc-probe-without-health-service", Severity.ERROR,
        "pods never ready, or restarted forever",
        "A grpc readiness, liveness or startup probe on a container whose Go code starts a gRPC server "
        "(grpc.NewServer) but registers no grpc.health.v1 Health service.")

    def check(self, ctx: ArtifactContext) -> None:
        for j in ctx.joined:
            service = ctx.service(j)
            # Only a server the code itself creates is judged: a framework that
            # builds the server (go-zero, kratos) may register health inside.
            if service is None or not service.grpc_servers or service.grpc_health:
                continue
            w, c = j.workload, j.container
            server = service.grpc_servers[0]
            for kind, probe in (("readiness", c.readiness), ("liveness", c.liveness), ("startup", c.startup)):
                if probe is None or probe.handler != "grpc":
                    continue
                port = f" on port {probe.port_number}" if probe.port_number is not None else ""
                outcome = "the pod is never ready" if kind == "readiness" else (
                    "the pod is restarted again and again" if kind == "liveness" else "the container never starts")
                ctx.report(w.path, probe.line,
                           f"{w.kind} {w.name}: {kind} probe calls grpc.health.v1.Health/Check{port} but the code "
                           f"of {service.module} registers no health service "
                           "(grpc_health_v1.RegisterHealthServer, health.NewServer): every check fails with "
                           f"Unimplemented and {outcome}",
                           related=((server.path, server.line, "gRPC server created here"),))
