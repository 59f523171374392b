"""SG514 duplicate-metric-name: Two metric definitions with the same fully-qualified name in one module."""

from __future__ import annotations

import re

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.facts import node_of, service_facts_for
from steadygo.golang.frameworks import PROMETHEUS_CLIENT
from steadygo.golang.metric_defs import metrics_in_file
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class DuplicateMetricName(GoRule):
    meta = code_meta(
        id="SG514",
        status="preview",  # 0 of 10 first-run holdout findings true: docs/rules/SG514.md
        name="duplicate-metric-name",
        severity=Severity.ERROR,
        breakpoint="Registering the same name twice makes MustRegister (and every promauto constructor) panic at start-up; with separate registries the two series collide at scrape time.",
        summary="Two metric definitions with the same fully-qualified name in one module.",
    )
    module_facts = ("metrics",)
    requires_imports = PROMETHEUS_CLIENT

    def check(self, ctx: FileContext) -> None:
        mine = metrics_in_file(ctx)
        if not mine:
            return
        # Module facts and the package's own name files alike (by the path
        # reports show), so one definition is one place whatever the scan root.
        everything = service_facts_for(ctx.pkg, "metrics").metrics
        for m in mine:
            if not m.name or m.registered == "no":
                continue  # read by hand, never registered: it collides with nothing
            me = (m.location.path, m.location.line)
            same = sorted({(o.location.path, o.location.line) for o in everything
                           if o.name == m.name and o.registered != "no" and not _separate_registries(m, o)
                           and not _distinct_const_labels(m, o)} | {me})
            if len(same) < 2 or same[0] == me:
                continue  # report the later definitions, each pointing at the first
            shown, line = same[0]
            ctx.report(node_of(ctx.pkg, m), f"metric {m.name!r} is also defined at {shown}:{line}: "
                       "registering both in one registry panics; share one definition")


_LABEL_KEY = re.compile(r'"([^"\\]+)"\s*:')


def _distinct_const_labels(a, b) -> bool:
    """The same name with the same const label names but other values
    (``{"reason": "retention"}`` and ``{"reason": "partial"}``): the registry
    takes them as two series of one metric, which is how ConstLabels are
    meant to be used (pyroscope's compactor)."""
    if not a.const_labels or not b.const_labels or a.const_labels == b.const_labels:
        return False
    keys_a, keys_b = set(_LABEL_KEY.findall(a.const_labels)), set(_LABEL_KEY.findall(b.const_labels))
    return bool(keys_a) and keys_a == keys_b


def _separate_registries(a, b) -> bool:
    """Two constructors that each register into the registry their caller
    passes (``promauto.With(reg)`` on a parameter) collide only when one
    registry is given to both; nothing here shows that, so they are not
    reported.  Two definitions in the same such function still are."""
    return bool(a.registry and b.registry and a.registry.startswith("param:") and b.registry.startswith("param:")
                and (a.registry != b.registry or a.location.path != b.location.path))
