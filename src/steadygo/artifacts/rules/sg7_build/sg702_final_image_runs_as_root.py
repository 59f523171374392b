"""SG702: the final image runs as root."""

from __future__ import annotations

from steadygo.artifacts import images
from steadygo.artifacts.facts import DockerfileFacts, Stage
from steadygo.artifacts.process import image_start
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, build_meta
from steadygo.findings import Severity

_ROOT = {"0", "root"}
# PID 1 programs of full-OS test images (packaging tests boot systemd in a
# container), which need root by design.
_INIT_SYSTEMS = {"systemd", "init"}


def is_root_user(user: str) -> bool:
    name = user.split(":", 1)[0].strip()
    return name in _ROOT


def drops_privileges(df: DockerfileFacts, stage: Stage) -> bool:
    """The image installs or starts gosu/su-exec/setpriv (or copies gosu from
    an image): its entrypoint does root-only setup, then runs the service as
    another user, so root in the image config is deliberate."""
    for s in images.stage_chain(df, stage):
        if s.privilege_drop_line is not None:
            return True
        if any(c.from_image and "gosu" in c.from_image for c in s.copies):
            return True
    return False


class FinalImageRunsAsRoot(ArtifactRule):
    meta = build_meta(
        "SG702", "final-image-runs-as-root", Severity.WARNING,
        "container escape blast radius",
        "The final stage has no USER (or USER root/0) and its base image does not default to a non-root user.")

    def check(self, ctx: ArtifactContext) -> None:
        for df in ctx.dockerfiles:
            final = df.final
            if final is None or drops_privileges(df, final):
                continue
            start = image_start(final)
            if start is not None and start.argv and start.argv[0].rsplit("/", 1)[-1] in _INIT_SYSTEMS:
                continue
            if final.user is not None:
                if "$" not in final.user and is_root_user(final.user):
                    ctx.report(df.path, final.user_line or final.line, f"USER {final.user}: the service runs as root")
                continue
            base = images.external_base(df, final)
            if base.unresolved or images.default_user_is_nonroot(base):
                continue
            if start is None and (base.is_scratch or base.from_arg or images.libc(base) is not None):
                continue  # no ENTRYPOINT/CMD on an OS image or `FROM $ARG`: a base for other images, not a service
            ctx.report(df.path, final.line, f"no USER in the final stage: `{base.raw}` runs as root; add "
                                            "`USER 65532:65532` (or a distroless :nonroot base)")
