"""What a build or deploy rule sees and how it reports."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field

from steadygo.artifacts.facts import ArtifactFacts
from steadygo.artifacts.k8s_links import probably_not_go
from steadygo.artifacts.links import Joined, Links
from steadygo.artifacts.kustomize import is_patch_file
from steadygo.artifacts.roles import role_in_project
from steadygo.findings import Finding, Layer, Severity
from steadygo.golang.facts import merge_facts
from steadygo.redact import redact
from steadygo.rulemeta import PRODUCTION_ROLES, Rule, RuleMeta

# Rules whose finding means "this never starts" (or is rejected) still judge
# examples: people copy them.  The rest judge what ships only.
WITH_EXAMPLES = PRODUCTION_ROLES + ("example",)

# Findings repeat the same paths, messages and snippets (1,000 manifests:
# 2,400 findings, a few dozen distinct texts): each is judged and masked once.
_role = functools.lru_cache(maxsize=4096)(role_in_project)
_patch = functools.lru_cache(maxsize=4096)(is_patch_file)
_redact = functools.lru_cache(maxsize=8192)(redact)


def build_meta(id, name, severity, breakpoint, summary, status="preview", options=(),
               roles=PRODUCTION_ROLES, settles=()) -> RuleMeta:
    return RuleMeta(id=id, name=name, layer=Layer.BUILD, severity=severity, breakpoint=breakpoint, summary=summary,
                    status=status, options=tuple(options), roles=tuple(roles), settles=tuple(settles))


def deploy_meta(id, name, severity, breakpoint, summary, status="preview", options=(),
                roles=PRODUCTION_ROLES, settles=()) -> RuleMeta:
    return RuleMeta(id=id, name=name, layer=Layer.DEPLOY, severity=severity, breakpoint=breakpoint, summary=summary,
                    status=status, options=tuple(options), roles=tuple(roles), settles=tuple(settles))


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
    joined: list[Joined] = field(default_factory=list)  # deployed containers linked to image and code
    links: Links = field(default_factory=Links)
    services: dict = field(default_factory=dict)  # module root -> the module's merged ServiceFacts
    package_facts: dict = field(default_factory=dict)  # module root -> [(package dir, ServiceFacts)]
    settings: dict = field(default_factory=dict)  # project settings ([database])
    settled: set = field(default_factory=set)
    # what display paths are relative to, and the scanned paths: roles are
    # judged inside each artifact's project, not from the scan's cwd
    base: str = "."
    roots: tuple[str, ...] = ()
    out: list[Finding] = field(default_factory=list)

    def joined_for(self, c) -> Joined | None:
        """The link of a deployed container, when it has one."""
        by_container = self.__dict__.get("_by_container")
        if by_container is None:
            by_container = self.__dict__["_by_container"] = {id(j.container): j for j in self.joined}
        return by_container.get(id(c))

    def code_of(self, c):
        """The Go service facts of the code a container runs, or None."""
        j = self.joined_for(c)
        return self.service(j) if j is not None else None

    def runs_go(self, w, c) -> bool:
        """False for containers known not to run Go: a well-known non-Go image
        (nginx, redis, ...), or an image a non-Go Dockerfile of the tree builds."""
        return not probably_not_go(c.image) and not any(r.matches(w, c) for r in self.links.not_go)

    def service(self, j: Joined):
        """The Go service facts of what ``j`` runs, or None when not linked.

        When the image builds one main package of a module with several
        (``go build ./cmd/worker``), the other mains' packages (``cmd/*``
        beside it) are left out: their listeners and shutdown code are not
        in this binary.  Library packages stay in (the facts do not know the
        import graph, and a main usually imports them)."""
        if not j.module_root:
            return None
        whole = self.services.get(j.module_root)
        target = j.build_target
        parts = self.package_facts.get(j.module_root)
        if whole is None or not target or target == "." or not parts:
            return whole
        key = (j.module_root, target)
        cache = self.__dict__.setdefault("_views", {})
        if key not in cache:
            keep = []
            for directory, facts in parts:
                rel = os.path.relpath(directory, j.module_root).replace(os.sep, "/")
                mine = rel == target or rel.startswith(target + "/")
                other_main = rel.split("/", 1)[0] == "cmd" or rel == "."
                if mine or not other_main:
                    keep.append(facts)
            view = merge_facts(keep)
            view.module, view.go_version = whole.module, whole.go_version
            view.dependencies, view.loggers = whole.dependencies, whole.loggers
            cache[key] = view
        return cache[key]

    def settle(self, rule_id: str, path: str) -> None:
        """The deploy layer decided what code rule ``rule_id`` can only guess
        about for the files under ``path`` (its findings there give way to this
        rule's verdict).  Only ids in the rule's ``meta.settles`` are allowed:
        the hand-over is declared, not ad hoc."""
        if rule_id not in self.rule.meta.settles:
            raise ValueError(f"{self.rule.meta.id} does not declare settles={rule_id!r}")
        self.settled.add((rule_id, path))

    @property
    def dockerfiles(self):
        return self.facts.dockerfiles

    @property
    def manifests(self):
        return self.facts.manifests

    def report(self, path: str, line: int, message: str, severity: Severity | None = None,
               related: tuple[tuple[str, int, str], ...] = ()) -> None:
        meta = self.rule.meta
        if _role(path, self.base, self.roots) not in meta.roles:
            return  # a test, CI or example artifact this rule does not judge (artifacts.roles)
        if not self.rule.judges_patches and _patch(path):
            return  # a kustomize patch: the missing field is in the base it is merged into
        source = self.lines.get(path) or []
        snippet = source[line - 1].strip() if 0 < line <= len(source) else ""
        self.out.append(Finding(
            rule_id=meta.id, rule_name=meta.name, severity=severity or meta.severity, layer=meta.layer,
            path=path, line=line, col=1, end_line=line, message=_redact(message), snippet=_redact(snippet),
            breakpoint=meta.breakpoint, related=tuple((p, n, _redact(m)) for p, n, m in related)))
