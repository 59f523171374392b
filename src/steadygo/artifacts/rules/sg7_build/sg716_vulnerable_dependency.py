"""SG716: govulncheck (run offline against a local database) finds a known
vulnerability in a module the build uses; the severity says how close the
code is to it."""

from __future__ import annotations

from steadygo.artifacts.govulncheck import DEFAULT_TIMEOUT_SECONDS
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, build_meta
from steadygo.findings import Severity
from steadygo.rulemeta import RuleOption

_SEVERITY = {"symbol": Severity.ERROR, "package": Severity.WARNING, "module": Severity.INFO}
_GO_ITSELF = ("stdlib", "toolchain")


class VulnerableDependency(ArtifactRule):
    meta = build_meta(
        "SG716", "vulnerable-dependency", Severity.ERROR,
        "a known, published vulnerability shipped in the binary",
        "govulncheck, run offline against a local vulnerability database (--vulndb), finds a known "
        "vulnerability in a required module: error when the code calls the vulnerable symbol, warning when it "
        "only imports the package, info when it only requires the module.",
        options=[RuleOption("timeout-seconds", float, float(DEFAULT_TIMEOUT_SECONDS),
                            "longest govulncheck may run over a whole scan, all modules together")])

    def check(self, ctx: ArtifactContext) -> None:
        for mod in ctx.facts.go_mods:
            for vuln in mod.vulns:
                line, how = _where(mod, vuln.module)
                ctx.report(mod.path, line, _message(vuln, how), severity=_SEVERITY[vuln.level],
                           related=tuple((c.path, c.line, f"{c.function or 'this code'} calls {c.symbol} "
                                                          f"({vuln.osv})") for c in vuln.calls))


def _where(mod, module: str) -> tuple[int, str]:
    """The line that brings ``module`` into the build, and how it comes in."""
    if module in _GO_ITSELF:
        line = mod.toolchain_line or mod.go_line or mod.module_line
        return max(line or 1, 1), ""
    for req in mod.requires:
        if req.path == module:
            return req.line, ""
    return max(mod.module_line, 1), " (required through another module)"


def _message(vuln, how: str) -> str:
    if vuln.module in _GO_ITSELF:
        what = f"the Go standard library go{vuln.version.removeprefix('v')}"
        fix = (f"fixed in go{vuln.fixed.removeprefix('v')}: build with that Go release or newer" if vuln.fixed
               else "no Go release fixes it yet")
    else:
        what = f"{vuln.module}@{vuln.version}{how}"
        fix = (f"fixed in {vuln.fixed}: `go get {vuln.module}@{vuln.fixed}`" if vuln.fixed
               else "no fixed version yet")
    about = f" ({vuln.summary})" if vuln.summary else ""
    if vuln.level == "symbol":
        first = vuln.calls[0] if vuln.calls else None
        where = f" at {first.path}:{first.line}" + (f" in {first.function}" if first.function else "") if first else ""
        more = f" and {len(vuln.symbols) - 1} more vulnerable symbol(s)" if len(vuln.symbols) > 1 else ""
        reach = f"the code calls {vuln.symbols[0]}{where}{more}"
    elif vuln.level == "package":
        names = ", ".join(vuln.symbols[:3]) + (", ..." if len(vuln.symbols) > 3 else "")
        reach = (f"the code imports {', '.join(vuln.packages)} but govulncheck sees no call to its vulnerable "
                 f"symbol(s){' ' + names if names else ''}")
    else:
        listed = ", ".join(vuln.packages[:3]) + (", ..." if len(vuln.packages) > 3 else "")
        reach = ("the module is required but the code imports none of its vulnerable packages"
                 + (f" ({listed})" if listed else ""))
    return f"{vuln.osv}{about} in {what}: {reach}; {fix}"
