"""SG712: a ``replace`` to a directory outside the module, in a module a Dockerfile builds."""

from __future__ import annotations

import posixpath

from steadygo.artifacts.facts import DockerfileFacts, GoModFacts, GoReplaceFact
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, build_meta
from steadygo.findings import Severity


class LocalReplaceInImageBuild(ArtifactRule):
    meta = build_meta(
        "SG712", "local-replace-in-image-build", Severity.WARNING,
        "image build fails",
        "go.mod replaces a module with a directory outside the module while a Dockerfile in the module builds it.")

    def check(self, ctx: ArtifactContext) -> None:
        mods = ctx.facts.go_mods
        for mod in mods:
            local = [r for r in mod.replaces if r.local]
            if not local:
                continue
            mod_dir = posixpath.dirname(mod.path)
            builders = [df for df in ctx.dockerfiles if _builds_go(df) and _nearest_module(df.path, mods) is mod]
            if not builders:
                continue
            for rep in local:
                target = _target(mod_dir, rep)
                if _inside(target, mod_dir):
                    continue
                missing = [df for df in builders if not _copies(df, mod_dir, target)]
                if not missing:
                    continue
                names = ", ".join(df.path for df in missing)
                ctx.report(mod.path, rep.line,
                           f"replace {rep.old_path} => {rep.new_path} points outside the module's directory, and "
                           f"{names} builds this module: a build context of the module (or the Dockerfile's) "
                           f"directory does not hold {rep.new_path}, so `go build` in the image stops with "
                           "'replacement directory ... does not exist'; publish the module, vendor it, or build "
                           "from a context that holds both and copy it")


def _builds_go(df: DockerfileFacts) -> bool:
    """A Dockerfile that compiles Go (not one that only copies a binary in)."""
    return any(s.go_builds or s.mod_download_lines or s.go_version for s in df.stages)


def _nearest_module(path: str, mods: list[GoModFacts]) -> GoModFacts | None:
    d = posixpath.dirname(path)
    best = None
    for mod in mods:
        md = posixpath.dirname(mod.path)
        if _inside(d, md) and (best is None or len(md) > len(posixpath.dirname(best.path))):
            best = mod
    return best


def _target(mod_dir: str, rep: GoReplaceFact) -> str:
    p = rep.new_path.replace("\\", "/")
    return posixpath.normpath(p if posixpath.isabs(p) or p[1:3] == ":/" else posixpath.join(mod_dir or ".", p))


def _inside(path: str, directory: str) -> bool:
    if directory in ("", "."):
        return not posixpath.isabs(path) and path != ".." and not path.startswith("../")
    return path == directory or path.startswith(directory.rstrip("/") + "/")


def _copies(df: DockerfileFacts, mod_dir: str, target: str) -> bool:
    """The Dockerfile copies the target by its path from a directory above the
    module (``COPY lib/ ./lib/`` with the repository as context): then the
    context is that directory and holds the target."""
    ancestors = []
    d = mod_dir
    while d not in ("", "."):
        d = posixpath.dirname(d)
        ancestors.append(d)
    for stage in df.stages:
        for step in stage.copies:
            if step.from_stage is not None or step.from_image is not None:
                continue
            for src in step.sources:
                src = posixpath.normpath(src.lstrip("/")).removeprefix("./")
                if src in (".", "*", ""):
                    continue
                for a in ancestors:
                    if not _inside(target, a):
                        continue
                    rel = posixpath.relpath(target, a or ".")
                    if rel == src or rel.startswith(src + "/") or src.startswith(rel + "/"):
                        return True
    return False
