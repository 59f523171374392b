"""``steadygo facts [PATH...]``: the service facts steadygo extracted
(routes, listeners, health endpoints, shutdown deadline, runtime limits,
metrics), as text or ``--format json`` (see docs/facts.md)."""

from __future__ import annotations

import json
import os
import sys

from steadygo.config import Config
from steadygo.golang.facts import ServiceFacts


def add_parser(sub, name):
    p = sub.add_parser(name, help="print the service facts (routes, health, shutdown, limits, metrics)",
                       description="Print what steadygo knows about the service: routes, listen addresses, health "
                       "endpoints, shutdown deadline, memory-limit and GOMAXPROCS handling, metric names.")
    p.add_argument("paths", nargs="*", default=["."], help="files or directories (default: .)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--include-tests", action="store_true", help="also read _test.go files")
    p.add_argument("--config", help="path to .steadygo.toml (default: closest one above the first path)")
    p.add_argument("--isolated", action="store_true", help="ignore every config file")
    # The config's exclude, include-tests and max-file-size decide which files
    # are read, as they do for 'check', so facts describe the same code.
    p.set_defaults(_wants_config=True)
    return p


def collect(paths: list[str], cfg: Config | None = None, *, base: str | None = None,
            diagnostics: list | None = None) -> ServiceFacts:
    """The facts of the packages under ``paths``, from the engine's facts pass
    (so the same files, filters and cache as ``check``)."""
    from steadygo.engine import collect_facts

    facts, diags = collect_facts(paths, cfg or Config(), base=base or os.getcwd())
    if diagnostics is not None:
        diagnostics.extend(diags)
    return facts


def run(cfg: Config) -> int:
    diags: list = []
    facts = collect(cfg.paths, cfg, diagnostics=diags)
    for d in diags:
        print(f"steadygo: {d.level}: {d.line()}", file=sys.stderr)
    if cfg.formats[0].name == "json":  # --format is text or json here
        print(json.dumps(facts.to_dict(), indent=2))
    else:
        print(render_text(facts))
    return 2 if any(d.level == "error" for d in diags) else 0


def render_text(f: ServiceFacts) -> str:
    lines = [f"module: {f.module or '-'} (go {f.go_version or '?'}), {len(f.packages)} package(s)"]

    def section(title, items, fmt):
        lines.append(f"{title}: {len(items) if items else 'none'}")
        for it in items:
            lines.append("  " + fmt(it))

    loc = lambda l: f"{l.path}:{l.line}"  # noqa: E731
    section("listeners", f.listeners, lambda x: f"{x.call} addr={x.addr or '?'} ({x.addr_source}) handler={x.handler or '-'}  {loc(x.location)}")
    section("routes", f.routes, lambda x: f"{x.method or '*':7} {x.path}  -> {x.handler} [{x.framework}]  {loc(x.location)}")
    section("health endpoints", f.health_endpoints, lambda x: f"{x.kind:9} {x.path}  {loc(x.location)}")
    section("shutdown calls", f.shutdown_calls, lambda x: f"{x.kind:5} {x.target}.Shutdown deadline={x.deadline}"
            + (f" {x.timeout_seconds:g}s" if x.timeout_seconds is not None else "") + f"  {loc(x.location)}")
    lines.append(f"shutdown timeout: {f.shutdown_timeout_seconds:g}s" if f.shutdown_timeout_seconds is not None else "shutdown timeout: unknown")
    lines.append(f"signals: {', '.join(f.signals) or 'none'}")
    section("memory limit", f.memory_limit, lambda x: f"{x.kind} {x.detail}  {loc(x.location)}")
    section("GOMAXPROCS", f.gomaxprocs, lambda x: f"{x.kind} {x.detail}  {loc(x.location)}")
    section("GC settings", f.gc, lambda x: f"{x.kind} {x.detail}  {loc(x.location)}")
    section("metrics", f.metrics, lambda x: f"{x.type}{'Vec' if x.vec else ''} {x.name or '?'} labels={x.labels}  {loc(x.location)}")
    section("pprof imports", f.pprof, loc)
    section("expvar imports", f.expvar, loc)
    return "\n".join(lines)
