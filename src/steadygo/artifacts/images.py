"""What an image name says about the image: its /bin/sh, its C library, its
default user and its Go version.  Only well-known public images are listed;
anything else is ``None`` (unknown), and rules stay quiet or speak at info.
"""

from __future__ import annotations

import re

from steadygo.artifacts.facts import DockerfileFacts, ImageRef, Stage

_DISTROLESS = re.compile(r"^(?:gcr\.io|[a-z0-9.-]*\.pkg\.dev/[^/]+)/distroless/")
_CHAINGUARD_STATIC = re.compile(r"^cgr\.dev/chainguard/(?:static|glibc-dynamic)$")
_DEBIAN_FAMILY = {"debian", "ubuntu", "golang", "buildpack-deps", "library/debian", "library/ubuntu", "library/golang"}
_BASH_FAMILY = re.compile(r"(?:^|/)(?:ubi\d*(?:-minimal|-micro)?|ubi|fedora|centos|rockylinux|almalinux|amazonlinux|"
                          r"oraclelinux|photon)$")
_GO_TAG = re.compile(r"^(\d+\.\d+(?:\.\d+)?(?:rc\d+)?)")


def _short(name: str) -> str:
    return name.removeprefix("docker.io/").removeprefix("index.docker.io/")


def is_distroless(ref: ImageRef) -> bool:
    return bool(_DISTROLESS.match(ref.name)) or bool(_CHAINGUARD_STATIC.match(ref.name))


def shell_kind(ref: ImageRef) -> str | None:
    """'dash', 'bash', 'busybox', 'none' (no shell at all) or None (unknown)."""
    name, tag = _short(ref.name), ref.tag or ""
    if ref.is_scratch:
        return "none"
    if is_distroless(ref):
        return "busybox" if "debug" in tag else "none"
    if name in ("alpine", "busybox", "library/alpine") or "alpine" in tag or name.endswith("/alpine"):
        return "busybox"
    if name in _DEBIAN_FAMILY:
        return "dash"
    if _BASH_FAMILY.search(name):
        return "bash"
    return None


def libc(ref: ImageRef) -> str | None:
    """'glibc', 'musl', 'none' (no C library: scratch, distroless/static) or None."""
    name, tag = _short(ref.name), ref.tag or ""
    if ref.is_scratch:
        return "none"
    if is_distroless(ref):
        return "none" if name.endswith("/static") or "/static-" in name else "glibc"
    if name in ("alpine", "library/alpine") or "alpine" in tag or name.endswith("/alpine"):
        return "musl"
    if name == "busybox":
        return "none" if not any(v in tag for v in ("glibc", "uclibc", "musl")) else ("glibc" if "glibc" in tag else "musl")
    if name in _DEBIAN_FAMILY or _BASH_FAMILY.search(name):
        return "glibc"
    return None


def default_user_is_nonroot(ref: ImageRef) -> bool:
    """Images whose own config sets a non-root USER (distroless ``:nonroot``,
    Chainguard's static images run as 65532)."""
    tag = ref.tag or ""
    if is_distroless(ref) and "nonroot" in tag:
        return True
    return bool(_CHAINGUARD_STATIC.match(ref.name))


def go_version(ref: ImageRef) -> str | None:
    if _short(ref.name) not in ("golang", "library/golang") or not ref.tag:
        return None
    m = _GO_TAG.match(ref.tag)
    return m.group(1) if m else None


def external_base(df: DockerfileFacts, stage: Stage) -> ImageRef:
    """The registry image a stage ultimately starts from (through ``FROM <stage>``)."""
    seen = set()
    while stage.base.stage is not None and stage.base.stage not in seen:
        seen.add(stage.base.stage)
        stage = df.stages[stage.base.stage]
    return stage.base


def stage_chain(df: DockerfileFacts, stage: Stage) -> list[Stage]:
    """The stage and the stages it builds on, nearest first."""
    chain, seen = [stage], {stage.index}
    while stage.base.stage is not None and stage.base.stage not in seen:
        seen.add(stage.base.stage)
        stage = df.stages[stage.base.stage]
        chain.append(stage)
    return chain
