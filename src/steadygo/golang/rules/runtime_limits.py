"""Runtime limits (SG62x): memory limit, GOMAXPROCS, GC.

Version facts (Go release notes): ``GOMEMLIMIT``/``debug.SetMemoryLimit``
exist since Go 1.19; since Go 1.25 the runtime sets GOMAXPROCS from the
cgroup CPU limit by default (and updates it when the limit changes), so
automaxprocs is only needed for modules whose ``go`` directive is older.
These rules look at the whole module (service facts) because the set-up is
often done in an internal package or by a blank import in main.
"""

from __future__ import annotations

from steadygo.findings import Severity
from steadygo.golang.facts import extract_facts, service_facts_for
from steadygo.golang.parse import captures, text, unparen
from steadygo.golang.rules.base import FileContext, GoRule, code_meta as _meta, not_a_service
from steadygo.golang.rules.shutdown import SERVER_IMPORTS, is_public


def _main_func(ctx: FileContext):
    for fi in ctx.funcs.by_name.get("main", ()):
        if fi.node.type == "function_declaration":
            return fi.node
    return None


def _server_main(ctx: FileContext):
    """``func main`` of a package main that starts an HTTP server (in this
    package), or None."""
    if ctx.file.package_name != "main" or not_a_service(ctx):
        return None
    main = _main_func(ctx)
    if main is None:
        return None
    public = [l for l in extract_facts(ctx.pkg).listeners if is_public(l)]
    if not public:
        return None
    # several files with func main in one directory (build-tagged examples):
    # only the one that starts the server speaks for the service
    mains = sum(1 for _, fi in ctx.pkg.functions_named("main") if fi.node.type == "function_declaration")
    if mains > 1 and not any(l.location.path == ctx.file.relpath for l in public):
        return None
    return main


class MissingMemoryLimit(GoRule):
    meta = _meta(
        "SG620",
        "missing-memory-limit",
        Severity.INFO,
        "Without a soft memory limit the GC only paces by GOGC: the heap may grow to twice the live set and the container is OOM-killed before the collector works hard.",
        "A server's main sets no memory limit (debug.SetMemoryLimit, automemlimit) on Go >= 1.19.",
    )
    module_facts = ('limits',)
    requires_imports = SERVER_IMPORTS

    def check(self, ctx: FileContext) -> None:
        main = _server_main(ctx)
        if main is None or ctx.pkg.module.go_at_least(1, 19) is False:
            return
        facts = service_facts_for(ctx.pkg, "limits")
        if facts.memory_limit:
            return
        ctx.report(main.child_by_field_name("name"), "no memory limit in code (debug.SetMemoryLimit or "
                   "github.com/KimMachineGun/automemlimit): unless the deployment sets GOMEMLIMIT (about 90% of the "
                   "container limit), the heap can outgrow the container before the GC reacts")


class GomaxprocsNotContainerAware(GoRule):
    meta = _meta(
        "SG621",
        "gomaxprocs-ignores-cpu-quota",
        Severity.INFO,
        "Before Go 1.25 GOMAXPROCS is the node's core count, not the container's CPU quota: a 2-CPU pod on a 64-core node runs 64 Ps and is CFS-throttled, which shows up as tail latency.",
        "Server on a Go version below 1.25 that does not align GOMAXPROCS with the CPU quota (automaxprocs or explicit).",
    )
    module_facts = ('limits',)
    requires_imports = SERVER_IMPORTS

    def check(self, ctx: FileContext) -> None:
        main = _server_main(ctx)
        if main is None:
            return
        if ctx.pkg.module.go_at_least(1, 25) is not False:
            return  # 1.25+: the runtime reads the cgroup limit; unknown: no claim
        facts = service_facts_for(ctx.pkg, "limits")
        if facts.gomaxprocs:
            return
        v = ctx.pkg.module.go_version
        ctx.report(main.child_by_field_name("name"), f"go {v[0]}.{v[1]} sets GOMAXPROCS to the node's cores, not the "
                   "container's CPU limit: import go.uber.org/automaxprocs (or set GOMAXPROCS), or move to go 1.25+ "
                   "where the runtime follows the cgroup limit")


class GcOffWithoutMemoryLimit(GoRule):
    meta = _meta(
        "SG622",
        "gc-off-without-memory-limit",
        Severity.ERROR,
        "With GOGC off and no memory limit the heap never shrinks: the process grows until the kernel OOM-kills it.",
        "debug.SetGCPercent(-1) (GC off) with no memory limit in the service.",
    )
    module_facts = ('limits',)
    requires_imports = ("runtime/debug",)

    def check(self, ctx: FileContext) -> None:
        if b"SetGCPercent" not in ctx.file.source or not_a_service(ctx):  # test programs turn the GC off to measure it
            return
        for call in captures("(call_expression function: (selector_expression) @fn) @call", ctx.file.root).get("call", []):
            if ctx.file.call_target(call) != ("runtime/debug", "SetGCPercent"):
                continue
            args = call.child_by_field_name("arguments").named_children
            if not args or text(unparen(args[0])).replace(" ", "") != "-1":
                continue
            facts = service_facts_for(ctx.pkg, "limits")
            if facts.memory_limit or extract_facts(ctx.pkg).memory_limit:
                continue
            ctx.report(call, "GC turned off (SetGCPercent(-1)) with no memory limit: the heap only grows until the "
                       "OOM killer ends the process; set debug.SetMemoryLimit (or GOMEMLIMIT) as the collection trigger")


RULES = [MissingMemoryLimit(), GomaxprocsNotContainerAware(), GcOffWithoutMemoryLimit()]
