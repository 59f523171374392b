"""SG830: nothing takes a terminating pod out of the endpoints before Shutdown."""

from __future__ import annotations

from steadygo.artifacts.joins import pre_stop_program_missing, pre_stop_seconds
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity
from steadygo.golang.readiness_flip import FLIPPED, NO_FLIP
from steadygo.rulemeta import RuleOption


class TrafficRoutedToTerminatingPod(ArtifactRule):
    meta = deploy_meta(
        "SG830", "traffic-routed-to-terminating-pod", Severity.WARNING,
        "connections refused on every rollout",
        "A workload with a readiness probe has no preStop delay, and its code calls Shutdown without failing "
        "readiness first: endpoints still route new connections to the terminating pod.",
        options=[RuleOption("drain-seconds", float, 3.0, "shortest preStop delay that lets endpoints stop routing "
                            "to the pod before SIGTERM")],
        settles=("SG605",))

    def check(self, ctx: ArtifactContext) -> None:
        drain = ctx.options["drain-seconds"]
        # SG605 guesses from the code alone; the deployment answers it for a
        # Shutdown file when every deployed copy of that code either drains
        # in preStop (SIGTERM comes after the endpoints update) or is reported
        # here.  One copy left unanswered keeps the code advice.
        answered: dict[str, bool] = {}
        for j in ctx.joined:
            service = ctx.service(j)
            calls = [s for s in service.shutdown_calls if s.kind == "http"] if service is not None else []
            if not calls:
                continue
            w, c = j.workload, j.container
            pre_stop = pre_stop_seconds(c)
            # an exec hook the image cannot run never waits (SG822 reports it)
            done = pre_stop is not None and pre_stop >= drain and pre_stop_program_missing(j) is None
            stale = [s for s in calls if s.readiness_flip == NO_FLIP]
            if (not done and c.pre_stop_kind is None and c.readiness is not None and not w.batch and stale
                    and not any(s.readiness_flip == FLIPPED for s in calls)):
                s = stale[0]
                ctx.report(w.path, c.readiness.line,
                           f"{w.kind} {w.name}: container {c.name} has a readiness probe but no preStop delay, and "
                           f"its code calls {s.target}.Shutdown without failing readiness first "
                           f"({s.location.path}:{s.location.line}): after SIGTERM the endpoints keep routing new "
                           "connections to the terminating pod until they update, and those are refused; add "
                           "`lifecycle: {preStop: {sleep: {seconds: 5}}}` or set the flag the readiness handler "
                           "reads to failing before Shutdown",
                           related=tuple((x.location.path, x.location.line, f"{x.target}.Shutdown, readiness not "
                                          "failed before it") for x in stale))
                done = True
            for s in calls:
                answered[s.location.path] = answered.get(s.location.path, True) and done
        for path, ok in sorted(answered.items()):
            if ok:
                ctx.settle("SG605", path)
