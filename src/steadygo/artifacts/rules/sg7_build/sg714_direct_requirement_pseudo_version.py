"""SG714: a direct requirement pinned to a pseudo-version (an untagged commit)."""

from __future__ import annotations

from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, build_meta
from steadygo.findings import Severity

# The placeholder `go mod edit -replace` and workspaces write for a module
# that only ever comes from a replace: it names no commit.
ZERO_PSEUDO = "v0.0.0-00010101000000-000000000000"


class DirectRequirementPseudoVersion(ArtifactRule):
    meta = build_meta(
        "SG714", "direct-requirement-pseudo-version", Severity.INFO,
        "dependency on an untagged commit",
        "A direct requirement in go.mod is pinned to a pseudo-version (an untagged commit), not a release.")

    def check(self, ctx: ArtifactContext) -> None:
        for mod in ctx.facts.go_mods:
            for req in mod.requires:
                if req.indirect or not req.pseudo or req.version == ZERO_PSEUDO:
                    continue
                if mod.replacement_for(req) is not None:
                    continue  # what is built is the replacement, not this version
                ctx.report(mod.path, req.line,
                           f"{req.path} {req.version} is a pseudo-version: it pins an untagged commit, which no "
                           "release notes or semver compatibility promise covers and which says nothing about "
                           "the fixes it has; require a tagged release when the module has one")
