"""Overlap between rules, declared rather than looked up.

When two rules can report the same node, the broader one lists the narrower
one in ``RuleMeta.supersedes``.  Every rule reports on its own; this processor
then drops a superseded finding only when the superseding finding is present on
the same node (same path, line and column).  So a rule's findings never depend
on which other rules are selected: run alone it reports everything it sees,
run with the rule that supersedes it the user gets one finding per node.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Mapping

from steadygo.findings import Finding
from steadygo.rulemeta import Rule


def drop_superseded(findings: Iterable[Finding], rules_by_id: Mapping[str, Rule]) -> list[Finding]:
    findings = list(findings)
    at: dict[tuple, set[str]] = defaultdict(set)
    for f in findings:
        at[(f.path, f.line, f.col)].add(f.rule_id)

    def superseded(f: Finding) -> bool:
        for other in at[(f.path, f.line, f.col)]:
            rule = rules_by_id.get(other)
            if rule is not None and f.rule_id in rule.meta.supersedes:
                return True
        return False

    return [f for f in findings if not superseded(f)]
