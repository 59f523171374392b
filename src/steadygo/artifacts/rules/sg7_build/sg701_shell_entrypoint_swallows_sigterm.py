"""SG701: the image starts the service through a shell that keeps PID 1."""

from __future__ import annotations

from steadygo.artifacts import images
from steadygo.artifacts.process import image_start, sigterm_verdict
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, build_meta
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
            start = image_start(final) if final is not None else None
            if start is None:
                continue
            verdict = sigterm_verdict(start, images.shell_kind(images.external_base(df, final)))
            if verdict is None:
                continue
            line, main = verdict.launch.line, verdict.main
            if verdict.outcome == "no-shell-hands-over":
                ctx.report(df.path, line,
                           f"`{main}` runs under `sh -c` and no shell execs it here (it is not the last command, or "
                           "sits in a pipeline, background or after a trap): SIGTERM stops at the shell; "
                           "use exec form or `exec`")
            elif verdict.outcome == "this-shell-keeps-it":
                ctx.report(df.path, line,
                           f"`{main}` runs under {_SHELL_NAMES[verdict.shell]} `-c`, which does not exec it: SIGTERM "
                           "stops at the shell and the service is killed after the grace period; use exec form "
                           "or `exec`")
            else:
                ctx.report(df.path, line,
                           f"`{main}` runs under `sh -c` without `exec`; whether SIGTERM reaches it depends on the "
                           "image's /bin/sh (dash keeps PID 1, bash and busybox exec the last command): use exec form",
                           severity=Severity.INFO)
