"""SG708: shell-form ENTRYPOINT/CMD in an image that has no shell."""

from __future__ import annotations

from steadygo.artifacts import images
from steadygo.artifacts.process import image_start, strip_init
from steadygo.artifacts.rules.base import WITH_EXAMPLES, ArtifactContext, ArtifactRule, build_meta
from steadygo.findings import Severity


class ShellFormWithoutShell(ArtifactRule):
    meta = build_meta(
        "SG708", "shell-form-in-image-without-shell", Severity.ERROR,
        "container never starts",
        "Shell-form ENTRYPOINT/CMD (or `sh -c`) in a scratch or distroless image, which has no /bin/sh.",
        roles=WITH_EXAMPLES)

    def check(self, ctx: ArtifactContext) -> None:
        for df in ctx.dockerfiles:
            final = df.final
            if final is None:
                continue
            base = images.external_base(df, final)
            if images.shell_kind(base) != "none":
                continue
            start = image_start(final)
            if start is None:
                continue
            argv, _ = strip_init(start.argv)
            if start.shell_form and final.shell is None:
                ctx.report(df.path, start.line, f"shell form needs /bin/sh, and `{base.raw}` has none: the container "
                                                "fails to start (exec /bin/sh: no such file); use exec form")
            elif argv and argv[0] in ("sh", "/bin/sh", "bash", "/bin/bash"):
                ctx.report(df.path, start.line, f"`{argv[0]}` does not exist in `{base.raw}`: the container fails to "
                                                "start; run the binary in exec form")
