"""SG002 suppression-without-reason: a finding the engine itself produces.

A steadygo:ignore comment with no '-- reason'.
"""

from __future__ import annotations

from steadygo.findings import Severity
from steadygo.rulemeta import ALL_ROLES, EvidenceRule, code_meta

SUPPRESSION_WITHOUT_REASON = EvidenceRule(
    code_meta(
        id="SG002",
        name="suppression-without-reason",
        severity=Severity.INFO,
        breakpoint="An unexplained suppression cannot be reviewed or retired.",
        summary="A steadygo:ignore comment with no '-- reason'.",
        roles=ALL_ROLES,  # engine findings: a syntax error or a stale suppression is one anywhere
    )
)
