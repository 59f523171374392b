"""Declared overlap between rules: a broader rule's metadata names the rules it
``supersedes``; where both report the same node, only the broader finding stays.
No rule ever asks which other rules are enabled, so a rule's findings do not
depend on the selection beyond this one documented step."""

from __future__ import annotations

import functools

from steadygo.findings import Finding


@functools.cache
def _superseded_by() -> dict[str, frozenset[str]]:
    from steadygo import registry

    out: dict[str, set[str]] = {}
    for r in registry.all_rules():
        for victim in getattr(r.meta, "supersedes", ()):
            out.setdefault(victim, set()).add(r.meta.id)
    return {k: frozenset(v) for k, v in out.items()}


def drop_superseded(findings: list[Finding]) -> list[Finding]:
    table = _superseded_by()
    if not table:
        return findings
    at: dict[tuple[str, int, int], set[str]] = {}
    for f in findings:
        at.setdefault((f.path, f.line, f.col), set()).add(f.rule_id)
    return [f for f in findings if not (table.get(f.rule_id, frozenset()) & at[(f.path, f.line, f.col)])]
