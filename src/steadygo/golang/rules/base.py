"""What a Go code rule sees and how it reports, and the base classes that
several rules of a family share (gates and one parametrised check)."""

from __future__ import annotations

from dataclasses import dataclass, field

from steadygo.findings import Finding, Severity
from steadygo.golang.frameworks import NET_HTTP
from steadygo.golang.http_values import timeouts_filled_by_library, typed_values
from steadygo.golang.ops_listeners import package_judged, server_not_judged
from steadygo.golang.package import Package
from steadygo.golang.source import GoFile
from steadygo.redact import redact
from steadygo.rulemeta import Rule


class GoRule(Rule):
    """A rule over Go source.  ``check`` runs once per file with the whole
    package at hand.  ``requires_imports`` lets the engine skip files that
    import none of the listed packages (prefix match), which keeps big trees
    cheap: most of GOROOT never touches net/http."""

    requires_imports: tuple[str, ...] = ()
    # Also check files that import none of ``requires_imports`` but use their
    # types through the package's declarations (golang.package_types); such a
    # rule must then confirm each candidate by its type (FileContext.by_types_only).
    types_through_package = False
    # Topics of the module-wide facts the rule reads (golang.facts.TOPIC_FIELDS).
    # Such a rule runs in the engine's second pass, once every package's facts
    # are known, and its package's cache key covers those topics.
    module_facts: tuple[str, ...] = ()

    def applies_to(self, file: GoFile) -> bool:
        if not self.requires_imports:
            return True
        return file.imports.imports_any_prefix(self.requires_imports)

    def check(self, ctx: "FileContext") -> None:  # pragma: no cover - interface
        raise NotImplementedError


@dataclass
class FileContext:
    pkg: Package
    file: GoFile
    rule: GoRule
    out: list[Finding] = field(default_factory=list)

    @property
    def options(self) -> dict:
        opts = self.rule.meta.option_defaults()
        opts.update(self.pkg.options.get(self.rule.meta.name, {}))
        return opts

    @property
    def module_dir(self) -> str:
        """The file's directory inside its Go module ('' at the module root), or
        inside the scan when there is no go.mod.  Path heuristics (example,
        test-support folders) judge this, so a service kept under some
        ``examples/`` folder of a bigger repository is still a service."""
        return self.pkg.module_dir(self.file)

    @property
    def repo_dir(self) -> str:
        """The file's directory inside its repository (see Package.repo_dir)."""
        return self.pkg.repo_dir(self.file)

    @property
    def by_types_only(self) -> bool:
        """The file imports none of the rule's packages and was let in for
        the types it reaches through package declarations: names alone
        (``x.Query``) prove nothing here, a candidate needs its declared type."""
        req = self.rule.requires_imports
        return bool(req) and not self.file.imports.imports_any_prefix(req)

    @property
    def funcs(self):
        return self.pkg.functions(self.file)

    def report(self, node, message: str, severity: Severity | None = None, snippet: str | None = None,
               fix=None) -> None:
        line = node.start_point[0] + 1
        end_line = node.end_point[0] + 1
        meta = self.rule.meta
        self.out.append(
            Finding(
                rule_id=meta.id,
                rule_name=meta.name,
                severity=severity or meta.severity,
                layer=meta.layer,
                path=self.file.relpath,
                line=line,
                col=node.start_point[1] + 1,
                end_line=end_line,
                end_col=node.end_point[1] + 1,
                message=redact(message),
                snippet=redact(self.file.line_text(line).strip() if snippet is None else snippet),
                breakpoint=meta.breakpoint,
                fix=fix,
            )
        )


@dataclass(frozen=True)
class HasNodes:
    """Marker: the file has at least one node of this kind in the shared
    node walk (``GoFile.nodes``).  Exact, and cheaper than a byte search
    once the walk is done, which it is for nearly every file."""

    kind: str


class LifecycleRule(GoRule):
    """A rule of this family with a cheap gate: ``markers`` are groups of
    alternatives (bytes searched in the raw source, compiled regexes, or
    HasNodes), and every group must match.  Most files contain none of
    ``go``-statements, ``select {}``, ``WithCancel``..., so they are skipped
    before any rule-specific query walks their tree."""

    markers: tuple = ()

    def applies_to(self, file) -> bool:
        if not super().applies_to(file):
            return False
        seen = file.__dict__.setdefault("_lifecycle_markers", {})  # shared by the family's rules
        src = file.source
        for group in self.markers:
            hit = False
            for m in group:
                found = seen.get(m)
                if found is None:
                    if isinstance(m, bytes):
                        found = m in src
                    elif isinstance(m, HasNodes):
                        found = bool(file.nodes(m.kind))
                    else:
                        found = m.search(src) is not None
                    seen[m] = found
                if found:
                    hit = True
                    break
            if not hit:
                return False
        return True


GO_STMT = (HasNodes("go"),)


class ServerFieldRule(GoRule):
    """One missing-timeout check on http.Server values: ``covered_by`` lists
    the fields any of which closes the hole (net/http's fallbacks included).
    A server with no timeout at all is reported here too; SG101 supersedes
    these findings on the same server, so it gets one finding, not four."""

    requires_imports = (NET_HTTP,)
    # as SG101: a package built into no program, a function nothing calls,
    # a loopback default
    module_facts = ("debug", "calls", "listen_defaults")
    covered_by: tuple[str, ...] = ()
    message = ""

    def check(self, ctx: FileContext) -> None:
        if not package_judged(ctx):
            return
        for v in typed_values(ctx, "Server"):
            if not v.has(*self.covered_by) and not timeouts_filled_by_library(ctx.file, v):
                if self.not_judged(ctx, v):
                    continue
                ctx.report(v.node, self.message)

    @staticmethod
    def not_judged(ctx: FileContext, v) -> bool:
        """As SG101 with its default options."""
        return server_not_judged(ctx, v)
