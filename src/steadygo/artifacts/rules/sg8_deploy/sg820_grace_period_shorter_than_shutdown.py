"""SG820: the pod is killed before the code's graceful shutdown can finish."""

from __future__ import annotations

from steadygo.artifacts.joins import pre_stop_seconds
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity
from steadygo.rulemeta import RuleOption

DEFAULT_GRACE_SECONDS = 30  # Kubernetes' terminationGracePeriodSeconds default


class GracePeriodShorterThanShutdown(ArtifactRule):
    meta = deploy_meta(
        "SG820", "grace-period-shorter-than-shutdown", Severity.ERROR,
        "in-flight requests cut off at SIGKILL",
        "terminationGracePeriodSeconds does not cover the preStop delay plus the code's Shutdown deadline.",
        # (the preStop drain that answers SG605 is SG830's verdict)
        options=[RuleOption("margin-seconds", float, 2.0, "time left after Shutdown for the process to exit")])

    def check(self, ctx: ArtifactContext) -> None:
        margin = ctx.options["margin-seconds"]
        for j in ctx.joined:
            service = ctx.service(j)
            if service is None or service.shutdown_timeout_seconds is None:
                continue
            w, c = j.workload, j.container
            pre_stop = pre_stop_seconds(c)
            if pre_stop is None:
                continue  # a hook of unknown length: no arithmetic to show
            grace = w.termination_grace_seconds if w.termination_grace_seconds is not None else DEFAULT_GRACE_SECONDS
            shutdown = service.shutdown_timeout_seconds
            need = pre_stop + shutdown + margin
            if grace >= need:
                continue
            call = max((s for s in service.shutdown_calls if s.kind == "http" and s.timeout_seconds == shutdown),
                       key=lambda s: s.location.line, default=None)
            written = "" if w.termination_grace_seconds is not None else " (the default)"
            ctx.report(w.path, w.termination_grace_line or w.line,
                       f"{w.kind} {w.name}: terminationGracePeriodSeconds {grace:g} s{written} < preStop "
                       f"{pre_stop:g} s + Shutdown {shutdown:g} s + {margin:g} s margin = {need:g} s: the kubelet "
                       f"sends SIGKILL while {c.name} is still draining requests; raise the grace period to at "
                       f"least {need:g} s or shorten the Shutdown deadline",
                       related=(((call.location.path, call.location.line, f"Shutdown deadline {shutdown:g} s"),)
                                if call is not None else ()))
