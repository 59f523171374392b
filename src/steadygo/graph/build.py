"""Which source the module graph comes from, and the graph.

``go mod graph`` is the go command's own answer (the whole graph, versions
selected through every go.mod in the module cache) and is preferred; it runs
once per module of the repo, offline and bounded in time.  When it cannot run
(no go binary, a dependency not in the module cache, a go directive newer
than the local toolchain, the time bound) the graph is read from the repo's
go.mod files and their local replaces, and the reason is kept so the output
can say why."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from steadygo.artifacts.modgraph import (GraphProblem, ModuleEdge, ModuleGraph, ModuleNode, local_module_graph,
                                        local_replace_targets, read_local_module)
from steadygo.errors import UserError
from steadygo.fsutil import walk_files
from steadygo.graph import go_command

GO_SOURCE = "go mod graph"
FILES_SOURCE = "go.mod files"
MAX_GO_RUNS = 50
# Directories the go command itself never treats as part of the module.
_SKIP = frozenset({"vendor", "testdata", "node_modules"})


@dataclass
class GraphResult:
    graph: ModuleGraph
    source: str  # GO_SOURCE | FILES_SOURCE
    why_not_other: str  # why the other source was not used
    cycles: list[list[str]] = field(default_factory=list)


def find_go_mods(path: str) -> list[str]:
    """go.mod files at and under ``path`` (a directory or a go.mod)."""
    if not os.path.lexists(path):
        raise UserError(f"{path}: no such file or directory")
    if os.path.isfile(path):
        if os.path.basename(path) != "go.mod":
            raise UserError(f"{path}: not a directory or a go.mod file")
        return [path]
    if not os.path.isdir(path):
        raise UserError(f"{path}: not a directory or a go.mod file")
    found = []
    for directory, files in walk_files(path, skip_dir=lambda n: n in _SKIP or n.startswith((".", "_"))):
        if "go.mod" in files:
            found.append(os.path.join(directory, "go.mod"))
    if not found:
        raise UserError(f"{path}: no go.mod found (not a Go module or a repository of modules)")
    return sorted(found)


def build(path: str, base: str, go_binary: str | None = None, timeout_s: float = go_command.DEFAULT_TIMEOUT_S,
          use_go: bool = True) -> GraphResult:
    gomods = find_go_mods(path)
    try:
        local = local_module_graph(gomods, base)
    except GraphProblem as exc:
        raise UserError(str(exc)) from None
    cycles = local.local_cycles()
    if not use_go:
        return GraphResult(local, FILES_SOURCE, f"{GO_SOURCE} not run: --no-go", cycles)
    try:
        graph = _from_go(gomods, local, base, go_binary, timeout_s)
    except go_command.GoGraphUnavailable as exc:
        return GraphResult(local, FILES_SOURCE, f"{GO_SOURCE} not used: {exc}", cycles)
    except GraphProblem as exc:  # a go.mod changed or vanished between the two reads
        raise UserError(str(exc)) from None
    graph.notes.extend(local.notes)
    return GraphResult(graph, GO_SOURCE, f"{FILES_SOURCE} not needed: {GO_SOURCE} ran offline", cycles)


def _from_go(gomods: list[str], local: ModuleGraph, base: str, go_binary: str | None,
             timeout_s: float) -> ModuleGraph:
    if len(gomods) > MAX_GO_RUNS:
        raise go_command.GoGraphUnavailable(f"{len(gomods)} modules; {GO_SOURCE} is run for at most {MAX_GO_RUNS}")
    go = go_command.find_go(go_binary)
    deadline = time.monotonic() + timeout_s
    by_dir: dict[str, str] = {}
    tables: dict[str, dict] = {}  # local node -> its local replaces
    for n in local.nodes:
        if n.local and n.gomod is not None:
            m = read_local_module(os.path.join(base, n.gomod), base)
            by_dir[m.directory] = n.id
            tables[n.id] = local_replace_targets(m)
    graph = ModuleGraph(nodes=[n for n in local.nodes if n.local])
    seen_nodes = {n.id for n in graph.nodes}
    seen_edges: set[tuple[str, str]] = set()
    for gomod in gomods:
        mod = read_local_module(gomod, base)
        me = by_dir[mod.directory]
        lines = go_command.mod_graph(mod.directory, go, deadline - time.monotonic(), timeout_s)

        def node_of(token: str, replaces: dict) -> str:
            """The main module's replaces apply to the whole graph, so a
            dependency they point at a local directory is that local module.
            A versioned requirement on the main module's own path is one only
            when the requiring module replaces it with this checkout;
            otherwise it names a published version."""
            path, _, version = token.partition("@")
            if not version and path == mod.path:
                return me
            d = replaces.get((path, version)) or replaces.get((path, None))
            if d is not None and d in by_dir:
                return by_dir[d]
            if token not in seen_nodes:
                seen_nodes.add(token)
                graph.nodes.append(ModuleNode(token, path, version))
            return token

        main_replaces = {k: v for k, v in tables[me].items() if k[0] != mod.path}
        for a, b in lines:
            src = node_of(a, main_replaces)
            target_path = b.partition("@")[0]
            dst = node_of(b, tables.get(src, {}) if target_path == mod.path else main_replaces)
            if src != dst and (src, dst) not in seen_edges:
                seen_edges.add((src, dst))
                graph.edges.append(ModuleEdge(src, dst, "go mod graph"))
    # A local module only the go.mod files reach (a replace of a dependency,
    # which the go command ignores outside the main module) is not in its graph.
    touched = {x for e in graph.edges for x in (e.source, e.target)} | {by_dir[os.path.dirname(os.path.abspath(g))]
                                                                       for g in gomods}
    graph.nodes = [n for n in graph.nodes if n.id in touched]
    local_ids = {n.id for n in graph.nodes if n.local}
    graph.nodes.sort(key=lambda n: (n.id not in local_ids, n.id))
    return graph
