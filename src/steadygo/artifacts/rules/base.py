"""What a build or deploy rule sees and how it reports."""

from __future__ import annotations

from dataclasses import dataclass, field

from steadygo.artifacts.facts import ArtifactFacts
from steadygo.artifacts.kustomize import is_patch_file
from steadygo.artifacts.roles import artifact_role
from steadygo.findings import Finding, Layer, Severity
from steadygo.redact import redact
from steadygo.rulemeta import PRODUCTION_ROLES, Rule, RuleMeta

# Rules whose finding means "this never starts" (or is rejected) still judge
# examples: people copy them.  The rest judge what ships only.
WITH_EXAMPLES = PRODUCTION_ROLES + ("example",)


def build_meta(id, name, severity, breakpoint, summary, status="preview", options=(),
               roles=PRODUCTION_ROLES) -> RuleMeta:
    return RuleMeta(id=id, name=name, layer=Layer.BUILD, severity=severity, breakpoint=breakpoint, summary=summary,
                    status=status, options=tuple(options), roles=tuple(roles))


def deploy_meta(id, name, severity, breakpoint, summary, status="preview", options=(),
                roles=PRODUCTION_ROLES) -> RuleMeta:
    return RuleMeta(id=id, name=name, layer=Layer.DEPLOY, severity=severity, breakpoint=breakpoint, summary=summary,
                    status=status, options=tuple(options), roles=tuple(roles))


class ArtifactRule(Rule):
    """A rule over the artifact facts of one scan.  ``check`` runs once and
    reads ``ctx.facts``; it never opens a file.  Rules that report what is
    *missing* stay silent on kustomize patch files, which hold only the
    fields they change; rules that judge what is written set
    ``judges_patches``."""

    judges_patches = False

    def check(self, ctx: "ArtifactContext") -> None:  # pragma: no cover - interface
        raise NotImplementedError


@dataclass
class ArtifactContext:
    facts: ArtifactFacts
    rule: ArtifactRule
    lines: dict[str, list[str]] = field(default_factory=dict)  # display path -> source lines
    options: dict = field(default_factory=dict)
    out: list[Finding] = field(default_factory=list)

    @property
    def dockerfiles(self):
        return self.facts.dockerfiles

    @property
    def manifests(self):
        return self.facts.manifests

    def report(self, path: str, line: int, message: str, severity: Severity | None = None) -> None:
        meta = self.rule.meta
        if artifact_role(path) not in meta.roles:
            return  # a test, CI or example artifact this rule does not judge (artifacts.roles)
        if not self.rule.judges_patches and is_patch_file(path):
            return  # a kustomize patch: the missing field is in the base it is merged into
        source = self.lines.get(path) or []
        snippet = source[line - 1].strip() if 0 < line <= len(source) else ""
        self.out.append(Finding(
            rule_id=meta.id, rule_name=meta.name, severity=severity or meta.severity, layer=meta.layer,
            path=path, line=line, col=1, end_line=line, message=redact(message), snippet=redact(snippet),
            breakpoint=meta.breakpoint))
