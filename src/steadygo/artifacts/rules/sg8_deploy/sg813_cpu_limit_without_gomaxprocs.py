"""SG813: a CPU limit that a Go < 1.25 service does not know about."""

from __future__ import annotations

from steadygo.artifacts.joins import by_module
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity


def _below_1_25(version: str | None) -> bool | None:
    try:
        major, minor = (int(x) for x in (version or "").split(".")[:2])
    except ValueError:
        return None
    return (major, minor) < (1, 25)


class CpuLimitWithoutGomaxprocs(ArtifactRule):
    meta = deploy_meta(
        "SG813", "cpu-limit-without-gomaxprocs", Severity.WARNING,
        "CFS throttling shows up as tail latency",
        "A CPU limit on a Go service whose go.mod says go < 1.25 and that sets GOMAXPROCS neither in env nor in code.",
        settles=("SG621",))

    def check(self, ctx: ArtifactContext) -> None:
        for root, joined in by_module(ctx.joined).items():
            service = ctx.services.get(root)
            if service is None:
                continue
            old = _below_1_25(service.go_version)
            for j in joined:
                w, c = j.workload, j.container
                if old and "cpu" in c.resources.limits and c.env_value("GOMAXPROCS") is None \
                        and not c.has_env_from and not service.gomaxprocs:
                    ctx.report(w.path, c.resources.limits_line.get("cpu", c.line),
                               f"{w.kind} {w.name}: container {c.name} has a {c.resources.limits['cpu']} CPU limit, "
                               f"and {service.module} (go {service.go_version}) sets GOMAXPROCS to the node's cores: "
                               "set GOMAXPROCS in env (valueFrom resourceFieldRef limits.cpu), import "
                               "go.uber.org/automaxprocs, or move go.mod to go 1.25+")
            # every deployed copy of the module was judged here: SG621's
            # "unless the deployment handles it" is answered
            ctx.settle("SG621", joined[0].module_display_root)
