"""Findings the engine itself produces: unparsable code and suppression hygiene."""

from __future__ import annotations

from steadygo.findings import Layer, Severity
from steadygo.registry import EvidenceRule, RuleMeta

SYNTAX_ERROR = EvidenceRule(
    RuleMeta(
        id="SG000",
        name="go-syntax-error",
        layer=Layer.CODE,
        severity=Severity.INFO,
        breakpoint="Code the analyser cannot read fully is code it cannot vouch for.",
        summary="File has syntax errors; rules ran on what the parser recovered.",
    )
)
UNUSED_SUPPRESSION = EvidenceRule(
    RuleMeta(
        id="SG001",
        name="unused-suppression",
        layer=Layer.CODE,
        severity=Severity.INFO,
        breakpoint="Stale suppressions hide the next real finding on that line.",
        summary="A steadygo:ignore comment that suppresses nothing, or names an unknown rule.",
    )
)
SUPPRESSION_WITHOUT_REASON = EvidenceRule(
    RuleMeta(
        id="SG002",
        name="suppression-without-reason",
        layer=Layer.CODE,
        severity=Severity.INFO,
        breakpoint="An unexplained suppression cannot be reviewed or retired.",
        summary="A steadygo:ignore comment with no '-- reason'.",
    )
)

RULES = [SYNTAX_ERROR, UNUSED_SUPPRESSION, SUPPRESSION_WITHOUT_REASON]
