"""SG711: no go.sum while go.mod requires modules, or a direct requirement without a sum."""

from __future__ import annotations

from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, build_meta
from steadygo.findings import Severity


class ModuleSumsMissing(ArtifactRule):
    meta = build_meta(
        "SG711", "module-sums-missing", Severity.WARNING,
        "build fails in a clean builder",
        "go.mod requires modules but there is no go.sum beside it, or a direct requirement has no line in go.sum.")

    def check(self, ctx: ArtifactContext) -> None:
        for mod in ctx.facts.go_mods:
            if mod.vendored or mod.sum_state not in ("missing", "present"):
                continue  # vendor/ builds need no sums; 'unknown': no directory to look in
            needed = []
            for req in mod.requires:
                rep = mod.replacement_for(req)
                if rep is not None and rep.local:
                    continue  # a local directory has no sum
                needed.append((req, rep))
            if not needed:
                continue
            if mod.sum_state == "missing":
                first = needed[0][0]
                ctx.report(mod.path, first.line,
                           f"go.mod requires {len(needed)} module(s) and there is no go.sum beside it: a clean "
                           "build (CI, `docker build`) stops with 'missing go.sum entry'; run `go mod tidy` and "
                           "commit go.sum")
                continue
            summed = set(mod.summed)
            for req, rep in needed:
                if req.indirect:
                    continue
                path, version = (rep.new_path, rep.new_version) if rep is not None else (req.path, req.version)
                if f"{path} {version}" not in summed:
                    via = f" (replaced by {path} {version})" if rep is not None else ""
                    ctx.report(mod.path, req.line,
                               f"{req.path} {req.version}{via} has no line in go.sum: a clean "
                               "build stops with 'missing go.sum entry'; run `go mod tidy` and commit go.sum")
