"""Which Go service each artifact ships: a Dockerfile to the Go module it
builds, a workload's container to the image and so to the Dockerfile and the
module.  The cross-artifact rules (SG82x) read these links; ``steadygo facts``
prints them with how each was made.

Links are made only when the tree settles them; an ambiguous case gets a
note and no link, so a check that needs it stays silent rather than join the
wrong pieces:

- Dockerfile -> module: the nearest ``go.mod`` above the Dockerfile, or, for
  a Dockerfile outside every module, the only module of the scan.
- container -> Dockerfile: the repo's build files build the image from
  exactly one Dockerfile (``docker build -t NAME -f PATH`` in a Makefile,
  script or CI file, a skaffold artifact, a goreleaser image:
  ``artifacts.build_files``), the full repository matched first, then its
  last path element; otherwise the image's repository name (last path
  element, no registry or tag) matches exactly one Dockerfile's name (the
  suffix of ``Dockerfile.NAME``/``NAME.Dockerfile``, its directory, or the
  last element of the module path it builds); otherwise the only Dockerfile
  of the scan when exactly one Go container is deployed.  An image the build
  files build from two Dockerfiles is ambiguous: no link.
- container -> module without a Dockerfile: the only module of the scan that
  has a server main, when exactly one Go container is deployed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from steadygo.artifacts.facts import Container, DockerfileFacts, ImageBuild, Workload
from steadygo.artifacts.k8s_links import probably_not_go
from steadygo.artifacts.serial import Serialisable


@dataclass
class DockerfileLink(Serialisable):
    dockerfile: str  # display path
    module: str  # module path from go.mod
    module_root: str  # display path of the module directory
    how: str


@dataclass
class ContainerLink(Serialisable):
    workload: str  # Kind/name
    path: str
    line: int
    container: str
    image: str | None
    dockerfile: str | None = None
    module: str | None = None
    module_root: str | None = None  # display path
    how: str = ""


@dataclass
class Links(Serialisable):
    dockerfiles: list[DockerfileLink] = field(default_factory=list)
    containers: list[ContainerLink] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # why a link was not made
    not_go: list["ContainerRef"] = field(default_factory=list)  # containers shown not to run Go


@dataclass
class ContainerRef(Serialisable):
    workload: str  # Kind/name
    path: str
    container: str
    why: str

    def matches(self, w: Workload, c: Container) -> bool:
        return (self.workload, self.path, self.container) == (f"{w.kind}/{w.name}", w.path, c.name)


@dataclass
class GoModule:
    """What the linker needs to know of one scanned Go module."""

    root: str  # absolute directory holding go.mod
    path: str  # module path
    display_root: str
    serves: bool = False  # a package of it listens for HTTP (facts show a listener)


@dataclass
class Joined:
    """One deployed container with everything known about what it runs."""

    workload: Workload
    container: Container
    dockerfile: DockerfileFacts | None
    module_root: str | None  # absolute; key of the Go module facts
    how: str
    module_display_root: str | None = None  # as report paths show it ("." for the scan root)
    build_target: str | None = None  # package the image builds, relative to the module ("cmd/worker")


_NAME_CLEAN = re.compile(r"[^a-z0-9]+")


def _norm(name: str) -> str:
    return _NAME_CLEAN.sub("", name.lower())


def image_repository(image: str) -> str:
    """``ghcr.io/acme/orders-api:1.2@sha256:..`` -> ``orders-api``."""
    ref = image.split("@", 1)[0]
    last = ref.rsplit("/", 1)[-1]
    return last.split(":", 1)[0]


_GENERIC_DIRS = {"build", "docker", "deploy", "deployments", "images", "image", "ci", "src", "app", "dist", "."}


def _dockerfile_names(df: DockerfileFacts, df_path: str, module: GoModule | None) -> list[set[str]]:
    """Names an image built from this Dockerfile is likely to carry, most
    specific first: the file's own suffix (``Dockerfile.worker``) and the main
    package it builds (``./cmd/worker``); its directory; the module's name."""
    name = os.path.basename(df_path)
    own = set()
    for prefix in ("Dockerfile.", "Containerfile."):
        if name.startswith(prefix) and len(name) > len(prefix):
            own.add(name[len(prefix):])
    for suffix in (".Dockerfile", ".dockerfile"):
        if name.endswith(suffix) and len(name) > len(suffix):
            own.add(name[: -len(suffix)])
    target = build_target(df)
    if target and target != ".":
        own.add(target.rsplit("/", 1)[-1])
    # the nearest directory with a name of its own (src/cartservice/src/Dockerfile -> cartservice)
    parts = os.path.dirname(os.path.abspath(df_path)).split(os.sep)[-3:]
    directory = next((d for d in reversed(parts) if d and d.lower() not in _GENERIC_DIRS), "")
    where = {directory} if directory else set()
    mod = {_module_name(module.path)} if module is not None else set()
    return [{_norm(n) for n in tier if _norm(n)} for tier in (own, where, mod)]


def builds_go(df: DockerfileFacts) -> bool:
    """The Dockerfile compiles Go (a ``go build``/``go install``, or a
    ``golang`` builder stage): a Java or Node image it builds is not a Go
    service, whatever the manifest's container is called."""
    return any(s.go_builds or s.go_version or s.go_run_lines or s.base.name.rsplit("/", 1)[-1] == "golang"
               for s in df.stages)


def _module_name(path: str) -> str:
    """``k8s.io/kube-state-metrics/v2`` -> ``kube-state-metrics``: the major
    version suffix names no image."""
    parts = path.rstrip("/").split("/")
    if len(parts) > 1 and re.fullmatch(r"v\d+", parts[-1]):
        parts = parts[:-1]
    return parts[-1]


def build_target(df: DockerfileFacts) -> str | None:
    """The package the final image's binary is built from, relative to the
    build context (``cmd/worker``), when one ``go build`` says so."""
    targets = {t for s in df.stages for b in s.go_builds for t in b.targets}
    if len(targets) != 1:
        return "." if not targets and any(b for s in df.stages for b in s.go_builds) else None
    t = targets.pop().rstrip("/")
    if t in (".", "./"):
        return "."
    if not t.startswith("./") or ".." in t.split("/") or "..." in t:
        return None
    return t[2:]


def _module_of(path: str, modules: list[GoModule]) -> tuple[GoModule | None, str]:
    here = os.path.abspath(os.path.dirname(path))
    best = None
    for m in modules:
        if here == m.root or here.startswith(m.root.rstrip(os.sep) + os.sep):
            if best is None or len(m.root) > len(best.root):
                best = m
    if best is not None:
        return best, f"the Dockerfile sits in module {best.path}"
    if len(modules) == 1:
        return modules[0], f"{modules[0].path} is the only Go module in the scan"
    return None, ""


def _full_repository(image: str) -> str:
    """``docker.io/library/nginx:1`` -> ``nginx``: the repository as Docker
    resolves it, lower-cased, without the default registry."""
    ref = image.split("@", 1)[0]
    slash, colon = ref.rfind("/"), ref.rfind(":")
    if colon > slash:
        ref = ref[:colon]
    ref = ref.lower()
    for prefix in ("docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/"):
        if ref.startswith(prefix):
            return ref[len(prefix):]
    return ref.removeprefix("library/")


@dataclass
class _BuildIndex:
    """Image builds whose Dockerfile is one of the scan's, by full repository
    and by last path element."""

    full: dict[str, list[tuple[ImageBuild, DockerfileFacts]]] = field(default_factory=dict)
    short: dict[str, list[tuple[ImageBuild, DockerfileFacts]]] = field(default_factory=dict)


def _index_builds(builds: list[ImageBuild], dockerfiles: list[DockerfileFacts], base: str) -> _BuildIndex:
    def absolute(p: str) -> str:
        return os.path.normpath(p if os.path.isabs(p) else os.path.join(base, p))

    by_path = {absolute(df.path): df for df in dockerfiles if not df.path.startswith("<")}
    index = _BuildIndex()
    for b in builds:
        df = next((by_path[a] for a in map(absolute, b.dockerfiles) if a in by_path), None)
        if df is None:
            continue  # its Dockerfile is not in the scan
        index.full.setdefault(_full_repository(b.repository), []).append((b, df))
        index.short.setdefault(_norm(image_repository(b.repository)), []).append((b, df))
    return index


def _built_from(image: str, index: _BuildIndex) -> tuple[DockerfileFacts | None, str] | None:
    """The Dockerfile the build files build ``image`` from; None when they do
    not build it (the next tier decides)."""
    hits = index.full.get(_full_repository(image)) or index.short.get(_norm(image_repository(image)))
    if not hits:
        return None
    name = image_repository(image)
    dfs = list(dict.fromkeys(df.path for _, df in hits))
    if len(dfs) == 1:
        b, df = hits[0]
        return df, f"image {name!r} is built from {df.path} by {b.path}:{b.line} ({b.tool})"
    where = ", ".join(f"{b.path}:{b.line} from {df.path}" for b, df in hits[:4])
    return None, f"ambiguous: the build files build image {name!r} from {len(dfs)} Dockerfiles ({where})"


def link(dockerfiles: list[DockerfileFacts], workloads: list[Workload], modules: list[GoModule],
         base: str, builds: list[ImageBuild] | None = None) -> tuple[Links, list[Joined]]:
    """``builds``: what the repo's build files say builds each image."""
    links = Links()
    index = _index_builds(list(builds or ()), dockerfiles, base)
    modules = sorted(modules, key=lambda m: m.root)
    df_module: dict[str, GoModule] = {}
    names: dict[str, list[set[str]]] = {}
    for df in dockerfiles:
        absolute = df.path if os.path.isabs(df.path) else os.path.join(base, df.path)
        module, how = _module_of(absolute, modules) if not df.path.startswith("<") else (None, "")
        if module is not None:
            df_module[df.path] = module
            links.dockerfiles.append(DockerfileLink(df.path, module.path, module.display_root, how))
        elif modules and builds_go(df):
            links.notes.append(f"{df.path}: not linked to a Go module (it sits in none of the {len(modules)} "
                               "scanned modules)")
        names[df.path] = _dockerfile_names(df, absolute, module)

    candidates = [(w, c) for w in workloads for c in w.containers if not c.init and not probably_not_go(c.image)]
    # A container whose image a non-Go Dockerfile of the tree builds (by its
    # name) is not a Go service: Go-runtime advice does not apply to it.
    go_containers = []
    for w, c in candidates:
        matches = _name_matches(c, dockerfiles, names)
        if matches and not any(builds_go(df) for df in matches):
            links.not_go.append(ContainerRef(f"{w.kind}/{w.name}", w.path, c.name,
                                             f"image built by {matches[0].path}, which compiles no Go"))
        else:
            go_containers.append((w, c))
    joined: list[Joined] = []
    serving = [m for m in modules if m.serves]
    for w, c in go_containers:
        cl = ContainerLink(f"{w.kind}/{w.name}", w.path, c.line, c.name, c.image)
        df, how = _dockerfile_for(c, dockerfiles, names, len(go_containers), index)
        module = df_module.get(df.path) if df is not None else None
        if df is None and not dockerfiles and len(serving) == 1 and len(go_containers) == 1:
            module, how = serving[0], f"{serving[0].path} is the only service in the scan and {c.name} the only Go container"
        if df is None and module is None:
            if dockerfiles or modules:
                links.notes.append(f"{w.path}: {w.kind} {w.name} container {c.name} (image {c.image or '?'}): {how or 'no Dockerfile or module matches it'}")
            continue
        cl.dockerfile = df.path if df is not None else None
        if module is not None:
            cl.module, cl.module_root = module.path, module.display_root
        cl.how = how
        links.containers.append(cl)
        joined.append(Joined(w, c, df, module.root if module is not None else None, how,
                             module.display_root if module is not None else None,
                             build_target(df) if df is not None and module is not None else None))
    return links, joined


def _name_matches(c: Container, dockerfiles: list[DockerfileFacts], names: dict[str, list[set[str]]]) -> list:
    """The Dockerfiles of the most specific name tier that matches the image."""
    repo = _norm(image_repository(c.image)) if c.image else ""
    for tier in range(3):
        matches = [df for df in dockerfiles if repo and repo in names[df.path][tier]]
        if matches:
            return matches
    return []


def _dockerfile_for(c: Container, dockerfiles: list[DockerfileFacts], names: dict[str, list[set[str]]],
                    go_containers: int, index: _BuildIndex) -> tuple[DockerfileFacts | None, str]:
    if c.image:
        built = _built_from(c.image, index)
        if built is not None:
            return built
        matches = _name_matches(c, dockerfiles, names)  # a unique match in the most specific tier wins
        if len(matches) == 1:
            return matches[0], f"image name {image_repository(c.image)!r} matches {matches[0].path}"
        if len(matches) > 1:
            return None, f"ambiguous: {len(matches)} Dockerfiles match image name {image_repository(c.image)!r}"
    if len(dockerfiles) == 1 and go_containers == 1:
        return dockerfiles[0], f"{dockerfiles[0].path} is the only Dockerfile and {c.name} the only Go container"
    if len(dockerfiles) > 1:
        return None, f"ambiguous: {len(dockerfiles)} Dockerfiles and no image name match"
    return None, ""
