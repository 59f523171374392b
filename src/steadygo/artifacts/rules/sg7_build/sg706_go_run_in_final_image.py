"""SG706: the container starts with `go run`."""

from __future__ import annotations

from steadygo.artifacts.process import StartCommand, image_start, shell_launch, strip_init
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, build_meta
from steadygo.artifacts.shell import main_command
from steadygo.findings import Severity


def _runs_go_run(argv: list[str]) -> bool:
    return len(argv) >= 2 and argv[0].rsplit("/", 1)[-1] == "go" and argv[1] == "run"


class GoRunInFinalImage(ArtifactRule):
    meta = build_meta(
        "SG706", "go-run-in-final-image", Severity.WARNING,
        "slow start, oversized image, signals lost",
        "ENTRYPOINT/CMD uses `go run`: every start compiles, the image ships the toolchain, and SIGTERM goes to `go`.")

    def check(self, ctx: ArtifactContext) -> None:
        for df in ctx.dockerfiles:
            final = df.final
            start = image_start(final) if final is not None else None
            if start is None:
                continue
            argv, _ = strip_init(start.argv)
            launch = shell_launch(StartCommand(argv, start.line, start.shell_form))
            if launch is not None:
                main = main_command(launch.script)
                words = [w for w in (main.words if main else []) if w != "exec"]
            else:
                words = argv
            if _runs_go_run(words):
                ctx.report(df.path, start.line, "the container starts with `go run`: it compiles on every start and "
                                                "ships the Go toolchain; build in a builder stage and run the binary")
