"""SG701: the image starts the service through a shell that keeps PID 1."""

from __future__ import annotations

from steadygo.artifacts import images
from steadygo.artifacts.process import StartCommand, image_start, shell_launch, strip_init
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, build_meta
from steadygo.artifacts.shell import SHELL_KINDS, hands_over, hands_over_somewhere, main_command
from steadygo.findings import Severity

_SHELL_NAMES = {"dash": "dash (Debian/Ubuntu /bin/sh)", "bash": "bash", "busybox": "busybox ash (Alpine /bin/sh)"}


class ShellEntrypointSwallowsSigterm(ArtifactRule):
    meta = build_meta(
        "SG701", "shell-entrypoint-swallows-sigterm", Severity.WARNING,
        "graceful shutdown never runs",
        "ENTRYPOINT/CMD runs the service under `sh -c` without `exec`: SIGTERM goes to the shell, not the service.")

    def check(self, ctx: ArtifactContext) -> None:
        for df in ctx.dockerfiles:
            final = df.final
            if final is None:
                continue
            start = image_start(final)
            if start is None:
                continue
            argv, group_signals = strip_init(start.argv)
            if group_signals:
                continue
            launch = shell_launch(StartCommand(argv, start.line, start.shell_form))
            if launch is None or main_command(launch.script) is None:
                continue
            kind = launch.shell or images.shell_kind(images.external_base(df, final))
            if kind == "none":
                continue  # no shell at all: SG708
            main = " ".join(main_command(launch.script).words)
            if not hands_over_somewhere(launch.script):
                ctx.report(df.path, launch.line,
                           f"`{main}` runs under `sh -c` and no shell execs it here (it is not the last command, or "
                           "sits in a pipeline, background or after a trap): SIGTERM stops at the shell; "
                           "use exec form or `exec`")
            elif kind in SHELL_KINDS:
                if not hands_over(launch.script, kind):
                    ctx.report(df.path, launch.line,
                               f"`{main}` runs under {_SHELL_NAMES[kind]} `-c`, which does not exec it: SIGTERM "
                               "stops at the shell and the service is killed after the grace period; use exec form "
                               "or `exec`")
            else:
                ctx.report(df.path, launch.line,
                           f"`{main}` runs under `sh -c` without `exec`; whether SIGTERM reaches it depends on the "
                           "image's /bin/sh (dash keeps PID 1, bash and busybox exec the last command): use exec form",
                           severity=Severity.INFO)
