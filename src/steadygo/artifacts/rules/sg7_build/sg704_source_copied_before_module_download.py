"""SG704: the whole build context is copied before `go mod download`."""

from __future__ import annotations

from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, build_meta
from steadygo.findings import Severity


class SourceCopiedBeforeModuleDownload(ArtifactRule):
    meta = build_meta(
        "SG704", "source-copied-before-module-download", Severity.INFO,
        "slow builds",
        "`COPY . .` comes before `go mod download`, so every code change re-downloads every module.")

    def check(self, ctx: ArtifactContext) -> None:
        for df in ctx.dockerfiles:
            for stage in df.stages:
                if not stage.mod_download_lines:
                    continue
                first = min(stage.mod_download_lines)
                for copy in stage.copies:
                    if copy.whole_context and copy.line < first:
                        ctx.report(df.path, copy.line, f"`{copy.instruction} {' '.join(copy.sources)}` before "
                                                       f"`go mod download` (line {first}) invalidates the module "
                                                       "cache layer on every change; copy go.mod and go.sum first")
                        break
