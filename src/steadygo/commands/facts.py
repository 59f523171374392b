"""``steadygo facts [PATH...]``: the service facts steadygo extracted
(routes, listeners, health endpoints, shutdown deadline, runtime limits,
metrics), as text or ``--format json`` (see docs/facts.md)."""

from __future__ import annotations

import json
import os
import sys

from steadygo.config import Config
from steadygo.textsafe import escape_control
from steadygo.golang.facts import ServiceFacts


def add_parser(sub, name):
    p = sub.add_parser(name, help="print the service facts (routes, health, shutdown, limits, metrics)",
                       description="Print what steadygo knows about the service: routes, listen addresses, health "
                       "endpoints, shutdown deadline, memory-limit and GOMAXPROCS handling, metric names.")
    p.add_argument("paths", nargs="*", default=["."], help="files or directories (default: .)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--include-tests", action="store_true", help="also read _test.go files")
    p.add_argument("--build-tags", metavar="TAG,...", help="tags the project builds with (as for check)")
    p.add_argument("--config", help="path to .steadygo.toml (default: closest one above the first path)")
    p.add_argument("--isolated", action="store_true", help="ignore every config file")
    p.add_argument("--k8s", action="append", default=[], metavar="FILE|DIR|-",
                   help="Kubernetes manifests to read with the code (repeatable; '-' reads stdin)")
    p.add_argument("--dockerfile", action="append", default=[], metavar="FILE", help="a Dockerfile to read with the code")
    # The config's exclude, include-tests, build-tags and max-file-size decide which files
    # are read, as they do for 'check', so facts describe the same code.
    p.set_defaults(_wants_config=True)
    return p


def collect(paths: list[str], cfg: Config | None = None, *, base: str | None = None,
            diagnostics: list | None = None, artifacts: list | None = None) -> ServiceFacts:
    """The facts of the packages under ``paths``, from the engine's facts pass
    (so the same files, filters and cache as ``check``); with ``artifacts``
    (a list), the build/deploy facts and links are appended to it."""
    from steadygo.engine import collect_facts

    facts, diags = collect_facts(paths, cfg or Config(), base=base or os.getcwd(), artifacts=artifacts)
    if diagnostics is not None:
        diagnostics.extend(diags)
    return facts


def run(cfg: Config) -> int:
    diags: list = []
    joined: list = []
    facts = collect(cfg.paths, cfg, diagnostics=diags, artifacts=joined)
    layers = joined[0] if joined else None
    for d in diags:
        print(f"steadygo: {d.level}: {escape_control(d.line())}", file=sys.stderr)
    if cfg.formats[0].name == "json":  # --format is text or json here
        out = facts.to_dict()
        if layers is not None and layers.artifact_facts is not None:
            out["build"] = {"dockerfiles": [df.to_dict() for df in layers.artifact_facts.dockerfiles]}
            m = layers.artifact_facts.manifests
            out["deploy"] = {"workloads": [w.to_dict() for w in m.workloads], "services": [x.to_dict() for x in m.services],
                             "hpas": [h.to_dict() for h in m.hpas], "pdbs": [p.to_dict() for p in m.pdbs]}
            out["links"] = layers.links.to_dict()
        print(json.dumps(out, indent=2))
    else:
        text = render_text(facts)
        if layers is not None and layers.artifact_facts is not None:
            text += "\n" + render_artifacts(layers.artifact_facts, layers.links)
        print("\n".join(escape_control(line) for line in text.split("\n")))
    return 2 if any(d.level == "error" for d in diags) else 0


def render_artifacts(af, links) -> str:
    """Deploy and build facts, and how each was tied to the code."""
    from steadygo.artifacts import k8s_links
    from steadygo.artifacts.process import image_start

    lines = [f"dockerfiles: {len(af.dockerfiles) or 'none'}"]
    for df in af.dockerfiles:
        final = df.final
        if final is None:
            continue
        start = image_start(final)
        builds = [b for s in df.stages for b in s.go_builds]
        cgo = next((b.cgo_enabled for b in builds if b.cgo_enabled is not None), None)
        lines.append(f"  {df.path}: {len(df.stages)} stage(s), final FROM {final.base.raw}, user {final.user or '(image default)'}, "
                     f"start {('shell' if start.shell_form else 'exec') + ' ' + ' '.join(start.argv) if start else '-'}, "
                     f"CGO_ENABLED={cgo if cgo is not None else '?'}"
                     + (f", go build {' '.join(builds[0].flags)}".rstrip() if builds else ""))
    m = af.manifests
    lines.append(f"workloads: {len(m.workloads) or 'none'}")
    for w in m.workloads:
        hpa = ", ".join(f"{h.min_replicas or 1}..{h.max_replicas or '?'}" for h in k8s_links.hpas_of(m, w)) or "-"
        pdb = ", ".join(p.name for p in k8s_links.pdbs_of(m, w)) or "-"
        lines.append(f"  {w.kind} {w.name}  {w.path}:{w.line}  replicas={w.replicas if w.replicas is not None else '-'} "
                     f"hpa={hpa} pdb={pdb} strategy={w.strategy or '-'} "
                     f"grace={w.termination_grace_seconds if w.termination_grace_seconds is not None else '30 (default)'}s")
        for c in w.containers:
            env = {e.name: (e.value if e.value is not None else f"<{e.value_from}>") for e in c.env
                   if e.name in ("GOMEMLIMIT", "GOMAXPROCS", "GOGC")}
            probes = ", ".join(f"{k}={p.handler}{' ' + p.path if p.path else ''}{':' + str(p.port_number or p.port) if p.port else ''}"
                               for k, p in (("readiness", c.readiness), ("liveness", c.liveness), ("startup", c.startup)) if p)
            lines.append(f"    {'init ' if c.init else ''}container {c.name} image={c.image or '?'} limits={c.resources.limits or '-'} "
                         f"env={env or '-'} probes={probes or '-'} preStop={' '.join(c.pre_stop) if c.pre_stop else '-'}")
    lines.append(f"services: {len(m.services)}, HPAs: {len(m.hpas)}, PDBs: {len(m.pdbs)}")
    lines.append(f"links: {len(links.dockerfiles) + len(links.containers) or 'none'}")
    for d in links.dockerfiles:
        lines.append(f"  {d.dockerfile} builds {d.module} ({d.how})")
    for c in links.containers:
        target = c.dockerfile or c.module or "?"
        lines.append(f"  {c.workload} container {c.container} runs {target}"
                     + (f" -> {c.module}" if c.dockerfile and c.module else "") + f" ({c.how})")
    for note in links.notes:
        lines.append(f"  not linked: {note}")
    return "\n".join(lines)


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
            + (f" {x.timeout_seconds:g}s" if x.timeout_seconds is not None else "")
            + (f" readiness={x.readiness_flip}" if x.kind == "http" else "") + f"  {loc(x.location)}")
    lines.append(f"shutdown timeout: {f.shutdown_timeout_seconds:g}s" if f.shutdown_timeout_seconds is not None else "shutdown timeout: unknown")
    lines.append(f"signals: {', '.join(f.signals) or 'none'}")
    section("memory limit", f.memory_limit, lambda x: f"{x.kind} {x.detail}  {loc(x.location)}")
    section("GOMAXPROCS", f.gomaxprocs, lambda x: f"{x.kind} {x.detail}  {loc(x.location)}")
    section("GC settings", f.gc, lambda x: f"{x.kind} {x.detail}  {loc(x.location)}")
    section("metrics", f.metrics, lambda x: f"{x.type}{'Vec' if x.vec else ''} {x.name or '?'} labels={x.labels}  {loc(x.location)}")
    section("pprof imports", f.pprof, loc)
    section("expvar imports", f.expvar, loc)
    return "\n".join(lines)
