"""SG514 duplicate-metric-name: Two metric definitions with the same fully-qualified name in one module."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.facts import extract_facts, node_of, service_facts_for
from steadygo.golang.frameworks import PROMETHEUS_CLIENT
from steadygo.golang.metric_defs import metrics_in_file
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class DuplicateMetricName(GoRule):
    meta = code_meta(
        id="SG514",
        name="duplicate-metric-name",
        severity=Severity.ERROR,
        breakpoint="Registering the same name twice makes MustRegister (and every promauto constructor) panic at start-up; with separate registries the two series collide at scrape time.",
        summary="Two metric definitions with the same fully-qualified name in one module.",
    )
    requires_imports = PROMETHEUS_CLIENT

    def check(self, ctx: FileContext) -> None:
        mine = metrics_in_file(ctx)
        if not mine:
            return
        everything = service_facts_for(ctx.pkg, "metrics").metrics
        root = ctx.pkg.module.root if everything is not extract_facts(ctx.pkg).metrics else ""
        by_rel = {f.relpath: f.path for f in ctx.pkg.files}

        def where(o):
            p = os.path.join(root, o.location.path) if root else by_rel.get(o.location.path, o.location.path)
            return (os.path.normpath(p), o.location.line)

        for m in mine:
            if not m.name:
                continue
            me = (os.path.normpath(ctx.file.path), m.location.line)
            same = sorted({where(o) for o in everything if o.name == m.name} | {me})
            if len(same) < 2 or same[0] == me:
                continue  # report the later definitions, each pointing at the first
            first = same[0]
            shown = os.path.relpath(first[0], root) if root else first[0]
            if not root:
                shown = next((r for r, a in by_rel.items() if os.path.normpath(a) == first[0]), shown)
            ctx.report(node_of(ctx.pkg, m), f"metric {m.name!r} is also defined at {shown}:{first[1]}: "
                       "registering both in one registry panics; share one definition")
