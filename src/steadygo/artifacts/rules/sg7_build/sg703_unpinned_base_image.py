"""SG703: a base image without a tag, or on :latest."""

from __future__ import annotations

from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, build_meta
from steadygo.findings import Severity


class UnpinnedBaseImage(ArtifactRule):
    meta = build_meta(
        "SG703", "unpinned-base-image", Severity.WARNING,
        "unreproducible build",
        "FROM an image with no tag or :latest: each build may get a different base.")

    def check(self, ctx: ArtifactContext) -> None:
        for df in ctx.dockerfiles:
            for stage in df.stages:
                ref = stage.base
                if ref.stage is not None or ref.is_scratch or ref.unresolved or ref.digest:
                    continue
                if ref.from_arg:
                    continue  # FROM $BASE_IMAGE: a template for the image the build passes (VictoriaMetrics'
                    # `ARG base_image=non-existing`); a tag from an ARG (`:${TAG}`, default latest) is still judged
                if ref.tag is None:
                    ctx.report(df.path, stage.line, f"`{ref.raw}` has no tag, so it means :latest; pin a version "
                                                    "tag, or better a digest")
                elif ref.tag == "latest":
                    ctx.report(df.path, stage.line, f"`{ref.raw}` moves with every upstream release; pin a version "
                                                    "tag, or better a digest")
