"""SG610 pprof-exposed-on-public-listener.

net/http/pprof or expvar is imported (registering on DefaultServeMux) and DefaultServeMux is served on a non-loopback address.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.facts import extract_facts, is_loopback_address, linked_with, node_of, service_facts_for
from steadygo.golang.listeners import default_mux_app_routes, started_on_request
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class PprofOnPublicListener(GoRule):
    meta = code_meta(
        id="SG610",
        name="pprof-exposed-on-public-listener",
        severity=Severity.ERROR,
        status="preview",  # 0 of 5 judged true on real services (22 code bases + holdout): docs/rules/SG610.md
        breakpoint="Anyone who can reach the port can download heap dumps (with secrets in them), read expvar state, and run 30-second CPU profiles or traces that slow the service on demand.",
        summary="net/http/pprof or expvar is imported (registering on DefaultServeMux) and DefaultServeMux is served on a non-loopback address.",
    )
    module_facts = ("debug",)
    requires_imports = ("net/http",)

    def check(self, ctx: FileContext) -> None:
        if b"Serve" not in ctx.file.source:
            return
        mine = [l for l in extract_facts(ctx.pkg).listeners if l.location.path == ctx.file.relpath and l.handler == "DefaultServeMux"]
        if not mine:
            return
        if not any(f.imports.imports("net/http/pprof") or f.imports.imports("expvar") for f in ctx.pkg.files):
            if not ctx.pkg.module.root:
                return
            debug = ctx.pkg.module_facts
            if debug is None or not (debug.pprof or debug.expvar):
                return
        facts = service_facts_for(ctx.pkg, "debug")
        own = extract_facts(ctx.pkg)
        # Only imports linked into a program that contains this package count:
        # another main of the module that imports pprof is another binary.
        linked = linked_with(facts, ctx.pkg.module_dir(ctx.file) or ".") if ctx.pkg.module.root else set()
        offset = _module_offset(ctx)

        def reaches(locs):
            return any(_in_module(l.path, offset) in linked for l in locs)

        what = []
        if own.pprof or reaches(facts.pprof):
            what.append("net/http/pprof (/debug/pprof/)")
        if own.expvar or reaches(facts.expvar):
            what.append("expvar (/debug/vars)")
        if not what:
            return
        dedicated = default_mux_app_routes(ctx.pkg) == 0
        for l in mine:
            if is_loopback_address(l.addr):
                continue
            node = node_of(ctx.pkg, l)
            if dedicated and l.addr is None and started_on_request(ctx.pkg, node):
                # A debug-only listener the operator has to switch on (a
                # --pprof-addr flag, a PPROF_PORT variable, a profiling port
                # option): serving pprof is its purpose, and it is opt-in.
                continue
            where = f"on {l.addr!r}" if l.addr else "on an address computed at run time"
            ctx.report(node, f"{' and '.join(what)} registered on DefaultServeMux, which {l.call} serves {where}: "
                       "profiles and heap dumps are public; serve the app on its own mux and pprof on 127.0.0.1 only")


def _module_offset(ctx) -> str:
    """The module root's folder in report paths: fact locations are relative
    to the scan, the import graph to the module."""
    d = os.path.dirname(ctx.file.relpath)
    m = ctx.pkg.module_dir(ctx.file)
    if not m:
        return d
    return d[: -len(m)].rstrip("/") if d.endswith(m) else ""


def _in_module(path: str, offset: str) -> str | None:
    d = os.path.dirname(path)
    if not offset:
        return d or "."
    if d == offset:
        return "."
    return d[len(offset) + 1:] if d.startswith(offset + "/") else None
