"""SG707: a cgo-enabled binary copied into an image without its C library."""

from __future__ import annotations

from steadygo.artifacts import images
from steadygo.artifacts.facts import DockerfileFacts, GoBuild, Stage
from steadygo.artifacts.rules.base import WITH_EXAMPLES, ArtifactContext, ArtifactRule, build_meta
from steadygo.findings import Severity


def cgo_state(df: DockerfileFacts, stage: Stage, build: GoBuild) -> str | None:
    """'on', 'off' or None (unknown) for one go build.  Without CGO_ENABLED the
    go command enables cgo when a C compiler is present: the Debian-based
    golang images ship gcc, the alpine ones do not unless the stage adds it."""
    if build.cgo_enabled is not None:
        return "off" if build.cgo_enabled.strip() == "0" else "on"
    base = images.external_base(df, stage)
    if images.go_version(base) is None and images.libc(base) is None:
        return None
    toolchain = any(s.c_toolchain_line for s in images.stage_chain(df, stage))
    if images.libc(base) == "musl":
        return "on" if toolchain else "off"
    if images.libc(base) == "glibc":
        return "on"
    return None


class CgoBinaryWithoutLibc(ArtifactRule):
    meta = build_meta(
        "SG707", "cgo-binary-without-libc", Severity.ERROR,
        "container never starts",
        "The final image is alpine, scratch or distroless/static while the stage that builds the binary leaves cgo on.",
        roles=WITH_EXAMPLES)

    def check(self, ctx: ArtifactContext) -> None:
        for df in ctx.dockerfiles:
            final = df.final
            if final is None or final.base.stage is not None:
                continue
            final_libc = images.libc(final.base)
            if final_libc not in ("musl", "none"):
                continue
            for copy in final.copies:
                if copy.from_stage is None:
                    continue  # a binary built elsewhere (Makefile, goreleaser, CI): nothing to judge here
                for stage in images.stage_chain(df, df.stages[copy.from_stage]):
                    builder_libc = images.libc(images.external_base(df, stage))
                    for build in stage.go_builds:
                        if build.static_link or cgo_state(df, stage, build) != "on":
                            continue
                        if builder_libc == "musl" and final_libc == "musl":
                            continue  # built against musl, runs on musl
                        ctx.report(df.path, build.line,
                                   f"cgo is on for this `go {build.command}` ({'CGO_ENABLED=1' if build.cgo_enabled else 'no CGO_ENABLED=0, and the builder has a C compiler'}), "
                                   f"but the binary runs on `{final.base.raw}` (line {final.line}), which has no "
                                   f"{'glibc' if final_libc == 'musl' else 'C library'}: it fails to start; set CGO_ENABLED=0")
