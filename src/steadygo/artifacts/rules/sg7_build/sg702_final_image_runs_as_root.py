"""SG702: the final image runs as root."""

from __future__ import annotations

from steadygo.artifacts import images
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, build_meta
from steadygo.findings import Severity

_ROOT = {"0", "root"}


def is_root_user(user: str) -> bool:
    name = user.split(":", 1)[0].strip()
    return name in _ROOT


class FinalImageRunsAsRoot(ArtifactRule):
    meta = build_meta(
        "SG702", "final-image-runs-as-root", Severity.WARNING,
        "container escape blast radius",
        "The final stage has no USER (or USER root/0) and its base image does not default to a non-root user.")

    def check(self, ctx: ArtifactContext) -> None:
        for df in ctx.dockerfiles:
            final = df.final
            if final is None:
                continue
            if final.user is not None:
                if "$" not in final.user and is_root_user(final.user):
                    ctx.report(df.path, final.user_line or final.line, f"USER {final.user}: the service runs as root")
                continue
            base = images.external_base(df, final)
            if base.unresolved or images.default_user_is_nonroot(base):
                continue
            ctx.report(df.path, final.line, f"no USER in the final stage: `{base.raw}` runs as root; add "
                                            "`USER 65532:65532` (or a distroless :nonroot base)")
