"""What a scan or a runtime command produced: the one object reporters read.

It lives apart from the engine so that reporters, and the runtime commands
that use them, do not import the engine (tree-sitter, the Go analysis, the
process pool: ~0.1 s of start-up that a goroutine-dump command never uses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from steadygo.discovery import Diagnostic
from steadygo.findings import Finding, Severity

if TYPE_CHECKING:
    from steadygo.golang.facts import ServiceFacts


@dataclass
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0
    lines: int = 0
    packages: int = 0
    cached_packages: int = 0
    seconds: float = 0.0
    enabled_rules: list[str] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)
    # module root ('' for files outside any module) -> merged service facts
    module_facts: dict[str, ServiceFacts] = field(default_factory=dict)
    artifacts: int = 0  # Dockerfiles and YAML files read for the build and deploy layers
    artifact_facts: object = None  # artifacts.facts.ArtifactFacts of those files
    # module root -> [(package directory, its facts)]: which main a Dockerfile builds
    package_facts: dict = field(default_factory=dict)
    links: object = None  # artifacts.links.Links: which service each artifact ships
    settled: set = field(default_factory=set)  # (code rule id, path prefix) the deploy layer decided

    @property
    def active(self) -> list[Finding]:
        return [f for f in self.findings if f.suppressed is None]

    def failing(self, fail_on: Severity) -> list[Finding]:
        return [f for f in self.active if f.severity >= fail_on]
