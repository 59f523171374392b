"""SG827: the code handles SIGTERM, but the container's PID 1 is a shell that keeps it."""

from __future__ import annotations

from steadygo.artifacts.joins import container_start, image_shell
from steadygo.artifacts.process import StartCommand, shell_launch, strip_init
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.artifacts.shell import SHELL_KINDS, hands_over, hands_over_somewhere, main_command
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
            argv, group = strip_init(start.argv)
            if group:
                continue
            launch = shell_launch(StartCommand(argv, start.line, start.shell_form))
            if launch is None or main_command(launch.script) is None:
                continue
            shell = launch.shell or image_shell(j.dockerfile)
            if shell == "none":
                continue
            if hands_over_somewhere(launch.script) and (shell not in SHELL_KINDS or hands_over(launch.script, shell)):
                continue  # some shell execs it, and this one does (or which one runs is unknown)
            w, c = j.workload, j.container
            from_pod = c.command is not None or c.args is not None
            where = (w.path, start.line) if from_pod else (j.dockerfile.path, start.line)
            handler = service.shutdown_calls[0].location
            ctx.report(w.path, start.line if from_pod else (c.image_line or c.line),
                       f"{w.kind} {w.name}: container {c.name} starts `{' '.join(main_command(launch.script).words)}` "
                       f"under `sh -c` ({'pod command' if from_pod else j.dockerfile.path + ' line ' + str(start.line)}), "
                       "which keeps SIGTERM; the code's graceful shutdown "
                       f"({handler.path}:{handler.line}) never runs and every rollout kills requests after the grace "
                       "period; use exec form or `exec`",
                       related=(where + ("start command",), (handler.path, handler.line, "Shutdown on SIGTERM")))
            if not from_pod and j.dockerfile is not None:
                ctx.settle("SG701", j.dockerfile.path)
