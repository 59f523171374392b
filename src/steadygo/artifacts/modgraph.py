"""The module graph of a repository: its own modules (go.mod files, and the
directories their local ``replace``s point at) and what each requires.

An edge between two of the repo's own modules exists only where a module
requires another and replaces it with that module's directory
(``require example.com/b v0.0.0`` + ``replace example.com/b => ../b``): that
is the graph the go command builds from this checkout.  A requirement
without a local replace points at a published version, whose go.mod is not
the one in the checkout, so it is an edge to an outside node ``path@version``.
"""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass, field

from steadygo.golang.gomod import parse as parse_go_mod
from steadygo.golang.gomod import replacement_for, unquote
from steadygo.artifacts.serial import Serialisable
from steadygo.artifacts.sources import UnreadableArtifact, read_artifact
from steadygo.golang.module import read_go_mod

MAX_LOCAL_MODULES = 2000  # a bound on replace chains leading far outside the repo


@dataclass
class ModuleNode(Serialisable):
    id: str  # module path for the repo's own modules, path@version for the others
    path: str
    version: str = ""
    local: bool = False
    gomod: str | None = None  # display path of its go.mod (local modules)


@dataclass
class ModuleEdge(Serialisable):
    source: str
    target: str
    via: str  # replace (to a local directory) | require | replace-module
    gomod: str | None = None  # display path of the go.mod that says it
    line: int | None = None  # the replace line for a local replace, else the require line
    indirect: bool = False


@dataclass
class ModuleGraph(Serialisable):
    nodes: list[ModuleNode] = field(default_factory=list)
    edges: list[ModuleEdge] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def node(self, node_id: str) -> ModuleNode | None:
        return next((n for n in self.nodes if n.id == node_id), None)

    def local_edges(self) -> list[ModuleEdge]:
        local = {n.id for n in self.nodes if n.local}
        return [e for e in self.edges if e.source in local and e.target in local and e.source != e.target]

    def local_cycles(self) -> list[list[str]]:
        """Strongly connected groups of two or more of the repo's own
        modules, each sorted, in sorted order."""
        return strongly_connected([n.id for n in self.nodes if n.local],
                                  [(e.source, e.target) for e in self.local_edges()])

    def cycle_through(self, edge: ModuleEdge) -> list[str] | None:
        """A shortest way back from ``edge.target`` to ``edge.source`` over
        local edges: the cycle this edge closes, first node repeated last."""
        nexts: dict[str, list[str]] = {}
        for e in self.local_edges():
            nexts.setdefault(e.source, []).append(e.target)
        came: dict[str, str | None] = {edge.target: None}
        queue = deque([edge.target])
        while queue:
            cur = queue.popleft()
            if cur == edge.source:
                back = [cur]
                while came[back[-1]] is not None:
                    back.append(came[back[-1]])
                return [edge.source, *reversed(back)]
            for nxt in sorted(nexts.get(cur, ())):
                if nxt not in came:
                    came[nxt] = cur
                    queue.append(nxt)
        return None


def strongly_connected(nodes: list[str], edges: list[tuple[str, str]]) -> list[list[str]]:
    """Tarjan's algorithm with an explicit stack (no recursion limit)."""
    nexts: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in edges:
        nexts.setdefault(a, []).append(b)
        nexts.setdefault(b, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    counter = 0
    for root in sorted(nexts):
        if root in index:
            continue
        work = [(root, iter(sorted(nexts[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(nexts[w]))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                group = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    group.append(w)
                    if w == v:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return sorted(groups)


@dataclass
class LocalModule:
    directory: str  # absolute
    gomod: str  # absolute path of go.mod
    path: str
    text: str


class GraphProblem(Exception):
    """A go.mod the graph needs cannot be read; ``path`` is its display path."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def _display(path: str, base: str) -> str:
    from steadygo.discovery import display_path

    return display_path(path, base)


def read_local_module(gomod: str, base: str) -> LocalModule:
    try:
        text = read_artifact(gomod)
    except UnreadableArtifact as exc:
        raise GraphProblem(_display(gomod, base), str(exc)) from None
    info = read_go_mod(gomod)
    path = unquote(info.path) if info.path[:1] in ('"', "`") else info.path
    if not path:
        raise GraphProblem(_display(gomod, base), "no module directive")
    return LocalModule(os.path.dirname(os.path.abspath(gomod)), os.path.abspath(gomod), path, text)


def local_module_graph(gomods: list[str], base: str, problems: list[GraphProblem] | None = None,
                       texts: dict[str, str] | None = None) -> ModuleGraph:
    """The graph from ``gomods`` and every go.mod their local replaces reach.

    A go.mod that cannot be read is appended to ``problems`` (raised when
    ``problems`` is None) and left out; a local replace to a directory with
    no go.mod becomes a note.  ``texts`` is filled with display path -> text
    of every go.mod read (for snippets and suppressions)."""
    graph = ModuleGraph()
    modules: dict[str, LocalModule] = {}  # directory -> module
    queue = deque(os.path.abspath(g) for g in gomods)
    while queue and len(modules) < MAX_LOCAL_MODULES:
        gomod = queue.popleft()
        directory = os.path.dirname(gomod)
        if directory in modules:
            continue
        try:
            mod = read_local_module(gomod, base)
        except GraphProblem as exc:
            if problems is None:
                raise
            problems.append(exc)
            continue
        modules[directory] = mod
        if texts is not None:
            texts[_display(mod.gomod, base)] = mod.text
        _, replaces = _directives(mod.text)
        for rep in replaces:
            if rep.local:
                target = os.path.join(os.path.normpath(os.path.join(directory, rep.new_path)), "go.mod")
                if os.path.isfile(target):
                    queue.append(target)
    ids = _local_ids(modules, base)
    by_dir = {d: ids[d] for d in modules}
    for directory, mod in sorted(modules.items(), key=lambda kv: ids[kv[0]]):
        graph.nodes.append(ModuleNode(ids[directory], mod.path, local=True, gomod=_display(mod.gomod, base)))
    outside: dict[str, ModuleNode] = {}
    for directory, mod in sorted(modules.items(), key=lambda kv: ids[kv[0]]):
        requires, replaces = _directives(mod.text)
        shown = _display(mod.gomod, base)
        for req in requires:
            rep = replacement_for(req, replaces)
            if rep is not None and rep.local:
                target_dir = os.path.normpath(os.path.join(directory, rep.new_path))
                target = by_dir.get(target_dir)
                if target is None:
                    graph.notes.append(f"{shown}:{rep.line}: replace {req.path} => {rep.new_path}: no readable go.mod there")
                    target = _outside(outside, f"{req.path} => {rep.new_path}", req.path, "")
                graph.edges.append(ModuleEdge(ids[directory], target, "replace", shown, rep.line, req.indirect))
            elif rep is not None:
                version = rep.new_version or ""
                target = _outside(outside, f"{rep.new_path}@{version}" if version else rep.new_path, rep.new_path, version)
                graph.edges.append(ModuleEdge(ids[directory], target, "replace-module", shown, rep.line, req.indirect))
            else:
                target = _outside(outside, f"{req.path}@{req.version}", req.path, req.version)
                graph.edges.append(ModuleEdge(ids[directory], target, "require", shown, req.line, req.indirect))
    graph.nodes.extend(sorted(outside.values(), key=lambda n: n.id))
    if queue:
        graph.notes.append(f"stopped after {MAX_LOCAL_MODULES} local modules")
    return graph


def _outside(table: dict[str, ModuleNode], node_id: str, path: str, version: str) -> str:
    table.setdefault(node_id, ModuleNode(node_id, path, version))
    return node_id


def _local_ids(modules: dict[str, LocalModule], base: str) -> dict[str, str]:
    """Module path as the id; two checkouts of one module path (a copy kept
    for a test, a vendored fork) get their directory added."""
    count: dict[str, int] = {}
    for m in modules.values():
        count[m.path] = count.get(m.path, 0) + 1
    return {d: m.path if count[m.path] == 1 else f"{m.path} ({_display(d, base)})" for d, m in modules.items()}


def local_replace_targets(mod: LocalModule) -> dict[tuple[str, str | None], str]:
    """(module path, version or None for every version) -> absolute directory,
    for each local replace of ``mod`` whose directory holds a go.mod: what
    ``go mod graph`` output, which names versions, maps back onto."""
    _, replaces = _directives(mod.text)
    out = {}
    for rep in replaces:
        if rep.local:
            d = os.path.normpath(os.path.join(mod.directory, rep.new_path))
            if os.path.isfile(os.path.join(d, "go.mod")):
                out[(rep.old_path, rep.old_version)] = d
    return out


def _directives(text: str):
    """(requires, replaces) of a go.mod, from the one shared parser."""
    mod = parse_go_mod(text)
    return mod.requires, mod.replaces
