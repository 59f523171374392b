"""SG826: runAsNonRoot that the image's user makes impossible to start."""

from __future__ import annotations

import re

from steadygo.artifacts import images
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity

_NUMERIC = re.compile(r"^\d+(?::\d+)?$")


class RunAsNonRootUnverifiable(ArtifactRule):
    meta = deploy_meta(
        "SG826", "run-as-non-root-unverifiable", Severity.ERROR,
        "pod never starts",
        "runAsNonRoot: true without runAsUser, on an image whose USER is a name (or root): the kubelet refuses to start it.")

    def check(self, ctx: ArtifactContext) -> None:
        for j in ctx.joined:
            w, c = j.workload, j.container
            non_root = c.run_as_non_root if c.run_as_non_root is not None else w.pod_run_as_non_root
            if non_root is not True or c.run_as_user is not None or w.pod_run_as_user is not None:
                continue
            df = j.dockerfile
            final = df.final if df is not None else None
            if final is None:
                continue
            line = c.run_as_non_root_line if c.run_as_non_root is not None else w.pod_run_as_non_root_line
            user = final.user
            if user is not None and not _NUMERIC.match(user.strip()):
                name = user.split(":", 1)[0]
                if name in ("root",):
                    why = "USER root, which the kubelet refuses to run as non-root (CreateContainerConfigError)"
                else:
                    why = (f"USER {user!r}, a name the kubelet cannot check is non-root: the container never "
                           "starts (CreateContainerConfigError)")
                ctx.report(w.path, line or c.line,
                           f"{w.kind} {w.name}: container {c.name} has runAsNonRoot: true and no runAsUser, and "
                           f"the image from {df.path} sets {why}; set runAsUser to the numeric uid or use a numeric "
                           "USER", related=((df.path, final.user_line or final.line, f"USER {user}"),))
            elif user is None and _root_by_default(df):
                base = images.external_base(df, final)
                ctx.report(w.path, line or c.line,
                           f"{w.kind} {w.name}: container {c.name} has runAsNonRoot: true and no runAsUser, and the "
                           f"image from {df.path} runs as root ({base.raw} sets no user and the Dockerfile no USER): "
                           "the kubelet refuses to start it (CreateContainerConfigError); add `USER 65532` or set "
                           "runAsUser", related=((df.path, final.line, f"FROM {final.base.raw}"),))


def _root_by_default(df) -> bool:
    """Images known to run as uid 0 unless told otherwise."""
    base = images.external_base(df, df.final)
    if base.unresolved or images.default_user_is_nonroot(base):
        return False
    return base.is_scratch or images.libc(base) is not None and images.shell_kind(base) is not None
