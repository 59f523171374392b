"""SG001 unused-suppression: a finding the engine itself produces.

A steadygo:ignore comment that suppresses nothing, or names an unknown rule.
"""

from __future__ import annotations

from steadygo.findings import Severity
from steadygo.rulemeta import ALL_ROLES, EvidenceRule, code_meta

UNUSED_SUPPRESSION = EvidenceRule(
    code_meta(
        id="SG001",
        name="unused-suppression",
        severity=Severity.INFO,
        breakpoint="Stale suppressions hide the next real finding on that line.",
        summary="A steadygo:ignore comment that suppresses nothing, or names an unknown rule.",
        roles=ALL_ROLES,  # engine findings: a syntax error or a stale suppression is one anywhere
    )
)
