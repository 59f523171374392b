"""SG000 go-syntax-error: a finding the engine itself produces.

File has syntax errors; rules ran on what the parser recovered.
"""

from __future__ import annotations

from steadygo.findings import Severity
from steadygo.rulemeta import ALL_ROLES, EvidenceRule, code_meta

SYNTAX_ERROR = EvidenceRule(
    code_meta(
        id="SG000",
        name="go-syntax-error",
        severity=Severity.INFO,
        breakpoint="Code the analyser cannot read fully is code it cannot vouch for.",
        summary="File has syntax errors; rules ran on what the parser recovered.",
        roles=ALL_ROLES,  # engine findings: a syntax error or a stale suppression is one anywhere
    )
)
