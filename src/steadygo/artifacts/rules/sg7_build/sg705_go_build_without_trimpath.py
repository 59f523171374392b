"""SG705: `go build` without -trimpath."""

from __future__ import annotations

from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, build_meta
from steadygo.findings import Severity


class GoBuildWithoutTrimpath(ArtifactRule):
    meta = build_meta(
        "SG705", "go-build-without-trimpath", Severity.INFO,
        "unreproducible build",
        "`go build` in a Dockerfile without -trimpath: builder paths end up in the binary and its stack traces.")

    def check(self, ctx: ArtifactContext) -> None:
        for df in ctx.dockerfiles:
            for stage in df.stages:
                for build in stage.go_builds:
                    if not build.trimpath:
                        ctx.report(df.path, build.line, f"`go {build.command}` without -trimpath (flag or GOFLAGS): "
                                                        "the binary embeds the builder's file paths")
