"""SG719: two or more of the repo's own modules require each other through local replaces."""

from __future__ import annotations

from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, build_meta
from steadygo.findings import Severity


class LocalModuleCycle(ArtifactRule):
    meta = build_meta(
        "SG719", "local-module-cycle", Severity.WARNING,
        "modules that cannot be versioned or released apart",
        "The repo's own modules require each other in a cycle through local replaces: none can be tagged, "
        "released or built without the others' checkout.")

    def check(self, ctx: ArtifactContext) -> None:
        graph = ctx.facts.modules
        if graph is None:
            return
        group_of = {m: frozenset(g) for g in graph.local_cycles() for m in g}
        for edge in graph.local_edges():
            group = group_of.get(edge.source)
            if group is None or edge.target not in group or edge.gomod is None or edge.line is None:
                continue
            cycle = graph.cycle_through(edge) or [edge.source, edge.target, edge.source]
            ctx.report(edge.gomod, edge.line,
                       f"{edge.source} requires {edge.target} through a local replace, and it leads back: "
                       f"{' -> '.join(cycle)}; a version of one needs a version of the other first, so they "
                       "cannot be tagged or released apart: move the shared code into a module both require, "
                       "or merge them")
