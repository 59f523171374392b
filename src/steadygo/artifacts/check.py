"""The one entry point the engine calls for the build and deploy layers."""

from __future__ import annotations

from typing import Iterable

from steadygo import registry
from steadygo.artifacts import suppressions
from steadygo.artifacts.collect import collect
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule
from steadygo.discovery import Diagnostic
from steadygo.findings import Finding


def artifact_rules() -> list[ArtifactRule]:
    return [r for r in registry.all_rules() if isinstance(r, ArtifactRule)]


def check_artifacts(files: Iterable, enabled_ids: Iterable[str], base: str,
                    options: dict[str, dict] | None = None,
                    jobs: int | None = None) -> tuple[list[Finding], list[Diagnostic]]:
    """Findings of the enabled SG7xx/SG8xx rules over ``files`` (paths, or
    ``sources.ArtifactInput`` for stdin), and one diagnostic per file that
    could not be used.  ``options`` maps a rule name to its option values;
    ``jobs`` > 1 parses big YAML sets in that many processes (default 1)."""
    enabled = set(enabled_ids)
    rules = [r for r in artifact_rules() if r.meta.id in enabled]
    got = collect(files, base, validate_schema=any(r.meta.id == "SG800" for r in rules), jobs=jobs,
                  verify_modules=any(r.meta.id == "SG715" for r in rules),
                  module_graph=any(r.meta.id == "SG719" for r in rules))
    findings: list[Finding] = []
    for rule in rules:
        opts = rule.meta.option_defaults()
        opts.update((options or {}).get(rule.meta.name, {}))
        ctx = ArtifactContext(facts=got.facts, rule=rule, lines=got.lines, options=opts)
        try:
            rule.check(ctx)
        except Exception as exc:  # a bug in one rule must not lose the rest of the scan
            got.diagnostics.append(Diagnostic("<artifacts>", f"internal error in {rule.meta.id} "
                                              f"({type(exc).__name__}: {exc}); other rules were still checked; "
                                              "please report this", level="error"))
            continue
        findings.extend(ctx.out)
    findings = suppressions.apply(findings, got.facts, got.lines, enabled)
    findings.sort(key=lambda f: f.sort_key)
    return findings, got.diagnostics
