"""SG715: ``go mod verify`` (run offline) finds a cached module that no longer matches its hash."""

from __future__ import annotations

from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, build_meta
from steadygo.findings import Severity


class ModuleCacheVerifyFailed(ArtifactRule):
    meta = build_meta(
        "SG715", "module-cache-verify-failed", Severity.ERROR,
        "binary built from modified dependency code",
        "`go mod verify`, run offline, finds a dependency in the module cache changed since it was downloaded.")

    def check(self, ctx: ArtifactContext) -> None:
        for mod in ctx.facts.go_mods:
            for problem in mod.verify_problems:
                path, line = _where(ctx, mod, problem.module, problem.version)
                ctx.report(path, line,
                           f"`go mod verify`: {problem.module} {problem.version}: {problem.message} in the module "
                           "cache since it was downloaded: builds on this machine compile code that is not the "
                           "released module; `go clean -modcache` and download again, and find out what changed it")


def _where(ctx: ArtifactContext, mod, module: str, version: str) -> tuple[str, int]:
    """The module's zip-hash line in go.sum, else its require line, else the module line."""
    sums = ctx.lines.get(mod.sum_path or "", [])
    prefix = f"{module} {version} "
    for i, text in enumerate(sums, start=1):
        if text.startswith(prefix):
            return mod.sum_path, i
    for req in mod.requires:
        if req.path == module:
            return mod.path, req.line
    return mod.path, max(mod.module_line, 1)
