"""SG827: the code handles SIGTERM, but the container's PID 1 is a shell that keeps it."""

from __future__ import annotations

from steadygo.artifacts.joins import container_start, image_shell
from steadygo.artifacts.process import sigterm_verdict
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity


class SigtermHandlerNeverRuns(ArtifactRule):
    meta = deploy_meta(
        "SG827", "sigterm-handler-never-runs", Severity.ERROR,
        "graceful shutdown never runs",
        "The Go code shuts down gracefully on SIGTERM, but the workload starts it under a shell that does not pass the signal on.",
        settles=("SG701",))

    def check(self, ctx: ArtifactContext) -> None:
        for j in ctx.joined:
            service = ctx.service(j)
            if service is None or not ({"SIGTERM", "ALL"} & set(service.signals)) or not service.shutdown_calls:
                continue
            start = container_start(j)
            if start is None:
                continue
            verdict = sigterm_verdict(start, image_shell(j.dockerfile))
            if verdict is None or verdict.outcome == "depends-on-shell":
                continue  # the signal arrives, or which shell runs is unknown
            w, c = j.workload, j.container
            from_pod = c.command is not None or c.args is not None
            where = (w.path, start.line) if from_pod else (j.dockerfile.path, start.line)
            handler = service.shutdown_calls[0].location
            ctx.report(w.path, start.line if from_pod else (c.image_line or c.line),
                       f"{w.kind} {w.name}: container {c.name} starts `{verdict.main}` "
                       f"under `sh -c` ({'pod command' if from_pod else j.dockerfile.path + ' line ' + str(start.line)}), "
                       "which keeps SIGTERM; the code's graceful shutdown "
                       f"({handler.path}:{handler.line}) never runs and every rollout kills requests after the grace "
                       "period; use exec form or `exec`",
                       related=(where + ("start command",), (handler.path, handler.line, "Shutdown on SIGTERM")))
            if not from_pod and j.dockerfile is not None:
                ctx.settle("SG701", j.dockerfile.path)
