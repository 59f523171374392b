"""SG804: a liveness probe that one pause can fail."""

from __future__ import annotations

from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity
from steadygo.rulemeta import RuleOption


class LivenessProbeTooTight(ArtifactRule):
    meta = deploy_meta(
        "SG804", "liveness-probe-too-tight", Severity.WARNING,
        "restarts under load",
        "failureThreshold x periodSeconds below the floor, or failureThreshold 1: a GC pause or a throttled second restarts the pod.",
        options=[RuleOption("min-failure-window-seconds", int, 10,
                            "shortest failureThreshold x periodSeconds a liveness probe may have")])

    judges_patches = True  # it judges what is written

    def check(self, ctx: ArtifactContext) -> None:
        floor = ctx.options["min-failure-window-seconds"]
        for w in ctx.manifests.workloads:
            for c in w.containers:
                p = c.liveness
                if p is None or p.handler == "none":
                    continue
                window = p.failure_threshold * p.period_seconds
                if p.failure_threshold == 1:
                    ctx.report(w.path, p.line, f"{w.kind} {w.name}: container {c.name}'s livenessProbe restarts it on "
                                               f"a single failed probe (failureThreshold 1, timeout {p.timeout_seconds} s)")
                elif window < floor:
                    ctx.report(w.path, p.line, f"{w.kind} {w.name}: container {c.name}'s livenessProbe restarts it "
                                               f"after {p.failure_threshold} x {p.period_seconds} s = {window} s "
                                               f"without an answer (floor {floor} s)")
