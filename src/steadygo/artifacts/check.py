"""The one entry point the engine calls for the build and deploy layers."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from steadygo import registry
from steadygo.artifacts import suppressions
from steadygo.artifacts.collect import collect, fewer_gc_passes
from steadygo.artifacts.facts import ArtifactFacts
from steadygo.artifacts.links import GoModule, Links, link
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule
from steadygo.discovery import Diagnostic
from steadygo.findings import Finding


def artifact_rules() -> list[ArtifactRule]:
    return [r for r in registry.all_rules() if isinstance(r, ArtifactRule)]


@dataclass
class ArtifactOutcome:
    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    facts: ArtifactFacts = field(default_factory=ArtifactFacts)
    links: Links = field(default_factory=Links)
    # (code rule id, display path prefix): code findings the deploy layer has
    # settled (see ArtifactContext.settle)
    settled: set[tuple[str, str]] = field(default_factory=set)


def check_artifacts(files: Iterable, enabled_ids: Iterable[str], base: str,
                    options: dict[str, dict] | None = None,
                    jobs: int | None = None, vulndb: str | None = None) -> tuple[list[Finding], list[Diagnostic]]:
    """Findings of the enabled SG7xx/SG8xx rules over ``files`` (paths, or
    ``sources.ArtifactInput`` for stdin), and one diagnostic per file that
    could not be used.  ``options`` maps a rule name to its option values;
    ``jobs`` > 1 parses big YAML sets in that many processes (default 1);
    ``vulndb`` is the vulnerability database directory SG716 reads."""
    out = audit_artifacts(files, enabled_ids, base, options=options, jobs=jobs, vulndb=vulndb)
    return out.findings, out.diagnostics


def _vuln_request(rules: list[ArtifactRule], options: dict[str, dict] | None, vulndb: str | None,
                  named: Iterable[str] | None):
    """SG716's run: None when the rule is not enabled.  Without a database
    it says so only when the user named SG716 (``named``: the rule ids named
    exactly; None: every enabled rule was named): a rule that came with
    ``--preview`` or ``ALL`` and has nothing to read stays quiet."""
    rule = next((r for r in rules if r.meta.id == "SG716"), None)
    if rule is None:
        return None
    from steadygo.artifacts.govulncheck import VulnRequest

    opts = rule.meta.option_defaults()
    opts.update((options or {}).get(rule.meta.name, {}))
    return VulnRequest(db=vulndb, timeout=float(opts["timeout-seconds"]), roles=rule.meta.roles,
                       say_no_db=named is None or rule.meta.id in set(named))


def audit_artifacts(files: Iterable, enabled_ids: Iterable[str], base: str,
                    options: dict[str, dict] | None = None, jobs: int | None = None,
                    modules: list[GoModule] | None = None,
                    services: Mapping | None = None, settings: Mapping | None = None,
                    package_facts: Mapping | None = None, vulndb: str | None = None,
                    named: Iterable[str] | None = None, roots: Iterable[str] | None = None) -> ArtifactOutcome:
    """The build and deploy layers joined with the code: ``modules`` are the
    scanned Go modules and ``services`` their merged service facts (keyed by
    module root), so cross-artifact rules see what each container runs
    (``package_facts``: the same per package, to tell one main from another);
    ``settings`` are project settings the rules read (``[database]``);
    ``vulndb`` the vulnerability database directory (SG716); ``named`` the
    rule ids the user named exactly (None: all enabled ones); ``roots`` the
    scanned paths (default: ``base``), inside which roles are judged when no
    go.mod sits above an artifact."""
    with fewer_gc_passes():  # facts and findings are acyclic too
        return _audit(files, set(enabled_ids), base, options, jobs, modules, services, settings, package_facts,
                      vulndb, named, roots)


def _audit(files, enabled: set[str], base: str, options, jobs, modules, services, settings, package_facts,
           vulndb, named, roots) -> ArtifactOutcome:
    rules = [r for r in artifact_rules() if r.meta.id in enabled]
    scan_roots = tuple(os.path.abspath(r if os.path.isdir(r) else os.path.dirname(r) or ".")
                       for r in (roots or (base,)))
    got = collect(files, base, validate_schema=any(r.meta.id == "SG800" for r in rules), jobs=jobs,
                  verify_modules=any(r.meta.id == "SG715" for r in rules),
                  module_graph=any(r.meta.id == "SG719" for r in rules),
                  vulncheck=_vuln_request(rules, options, vulndb, named))
    links, joined = link(got.facts.dockerfiles, got.facts.manifests.workloads, list(modules or ()), base,
                         builds=got.facts.image_builds)
    outcome = ArtifactOutcome(diagnostics=got.diagnostics, facts=got.facts, links=links)
    findings = outcome.findings
    for rule in rules:
        opts = rule.meta.option_defaults()
        opts.update((options or {}).get(rule.meta.name, {}))
        ctx = ArtifactContext(facts=got.facts, rule=rule, lines=got.lines, options=opts, joined=joined, links=links,
                              services=dict(services or {}), settings=dict(settings or {}),
                              package_facts=dict(package_facts or {}),
                              settled=outcome.settled, base=base, roots=scan_roots)
        try:
            rule.check(ctx)
        except Exception as exc:  # a bug in one rule must not lose the rest of the scan
            got.diagnostics.append(Diagnostic("<artifacts>", f"internal error in {rule.meta.id} "
                                              f"({type(exc).__name__}: {exc}); other rules were still checked; "
                                              "please report this", level="error"))
            continue
        findings.extend(ctx.out)
    outcome.findings = suppressions.apply(findings, got.facts, got.lines, enabled)
    outcome.findings.sort(key=lambda f: f.sort_key)
    return outcome
