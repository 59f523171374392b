"""What a Go code rule sees and how it reports."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from steadygo.findings import Finding, Layer, Severity
from steadygo.golang.package import Package
from steadygo.golang.source import GoFile
from steadygo.redact import redact
from steadygo.registry import Rule, RuleMeta


def code_meta(id, name, severity, breakpoint, summary, status="stable", options=()) -> RuleMeta:
    """RuleMeta for a rule of the code layer (the shape every family uses)."""
    return RuleMeta(id=id, name=name, layer=Layer.CODE, severity=severity, breakpoint=breakpoint, summary=summary,
                    status=status, options=tuple(options))


class GoRule(Rule):
    """A rule over Go source.  ``check`` runs once per file with the whole
    package at hand.  ``requires_imports`` lets the engine skip files that
    import none of the listed packages (prefix match), which keeps big trees
    cheap: most of GOROOT never touches net/http."""

    requires_imports: tuple[str, ...] = ()
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
    def funcs(self):
        return self.pkg.functions(self.file)

    def report(self, node, message: str, severity: Severity | None = None, snippet: str | None = None) -> None:
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
            )
        )


# Programs that are not deployed services: examples and demos, and test
# harnesses (end-to-end, integration and functional-test servers and proxies).
_NOT_A_SERVICE_DIR = re.compile(r"/(?:examples?|_examples|demos?|\w*demo|samples?"
                                r"|tests?|testutils?|testhelpers?|testing|e2e|integration|functional|mocks?|fakes?)/")
# Go's naming convention for test-support packages: httptest, iotest, fstest,
# acmetest ("package footest provides utilities for testing foo").  English
# words that happen to end in "test" are not that.
_TEST_SUFFIX = re.compile(r"(?<=/)[a-z0-9_]+test(?=/)")
_TEST_SUFFIX_WORDS = frozenset({"latest", "contest", "attest", "protest", "detest", "fastest", "greatest",
                                "shortest", "hottest", "softest", "smartest"})


def not_a_service(ctx: FileContext) -> bool:
    """The file sits in an example, demo or test-support folder of its module."""
    path = "/" + ctx.module_dir + "/"
    if _NOT_A_SERVICE_DIR.search(path) is not None:
        return True
    return any(m.group(0) not in _TEST_SUFFIX_WORDS for m in _TEST_SUFFIX.finditer(path))
