"""Rule metadata types: a leaf module.

The registry, the rule base and every rule import these; this module imports
nothing of steadygo but ``findings``, so there is no import circle between the
registry (which lists the rules) and the rules (which declare metadata).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from steadygo.findings import Layer, Severity


# What a package is for (golang.roles decides it); a rule judges the roles it
# lists and the engine never runs it on the others.
ALL_ROLES = ("service", "library", "cli", "example", "test-support")
# Production code: rules whose verdict means nothing for demos and test harnesses.
PRODUCTION_ROLES = ("service", "library", "cli")
# Code that runs inside a long-lived server process: a command-line tool (a
# main package under tools/, hack/, *ctl/) is not deployed, drained or scaled,
# so shutdown, health, limits, tracing and pool rules say nothing about it.
SERVICE_ROLES = ("service", "library")


@dataclass(frozen=True)
class RuleOption:
    name: str
    type: type
    default: Any
    help: str


@dataclass(frozen=True, kw_only=True)
class RuleMeta:
    id: str  # SG101
    name: str  # kebab-case name of the *problem*: server-without-read-header-timeout
    layer: Layer
    severity: Severity
    breakpoint: str  # the production breakpoint this rule guards, one line
    summary: str  # one-line description used in tables and SARIF shortDescription
    since: str = "0.1.0"
    status: str = "stable"  # stable | preview
    options: tuple[RuleOption, ...] = field(default=())
    # Rules whose finding on the same node this broader rule replaces: when both
    # report at one place, the overlap processor keeps only this one.
    supersedes: tuple[str, ...] = ()
    # Code rules whose advice a cross-artifact rule replaces with its joined
    # verdict where the deploy layer shows the answer (SG620's "unless the
    # deployment sets GOMEMLIMIT"): see ArtifactContext.settle.
    settles: tuple[str, ...] = ()
    proves: tuple[str, ...] = ()  # static rule ids a live finding of this rule confirms (check --evidence)
    roles: tuple[str, ...] = ALL_ROLES
    fix: str = ""  # what `check --fix` does to a finding of this rule, when the rule has a fix

    def option_defaults(self) -> dict[str, Any]:
        return {o.name: o.default for o in self.options}


def code_meta(*, id: str, name: str, severity: Severity, breakpoint: str, summary: str, status: str = "stable",
              options=(), supersedes: tuple[str, ...] = (), roles: tuple[str, ...] = PRODUCTION_ROLES,
              fix: str = "") -> RuleMeta:
    """RuleMeta for a rule of the code layer (the shape every Go rule uses).
    By default a rule judges production code only: a finding in an example,
    a demo or a test harness is not a production risk (issue 13, class A)."""
    return RuleMeta(id=id, name=name, layer=Layer.CODE, severity=severity, breakpoint=breakpoint, summary=summary,
                    status=status, options=tuple(options), supersedes=tuple(supersedes), roles=tuple(roles), fix=fix)


class Rule:
    """Base of every rule.  Subclasses set ``meta`` and implement the check
    method their pipeline calls (``GoRule.check``).  Evidence rules (runtime
    layer) only carry metadata: the runtime analysers emit findings under
    their ids."""

    meta: RuleMeta

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def name(self) -> str:
        return self.meta.name


class EvidenceRule(Rule):
    """A rule whose findings come from an analyser (dumps, profiles, probes)
    or from the engine itself (syntax errors, suppression hygiene)."""

    def __init__(self, meta: RuleMeta):
        self.meta = meta
