"""SG911 heap-growth-under-map-insert: Live heap grows under map inserts from user code: an unbounded package-level map or cache.

Doc: docs/rules/SG911.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

HEAP_GLOBAL_MAP = EvidenceRule(RuleMeta(
    id="SG911",
    name="heap-growth-under-map-insert",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="memory leak",
    summary="Live heap grows under map inserts from user code: an unbounded package-level map or cache.",
    # proves: heap grew under map inserts at the line a static rule says a package-level map is never pruned.
    proves=("SG313",),
))

# Where this rule's evidence comes from in the tests: stored fixtures, and the Go
# programs (tests/runtime/goprogs) whose dumps, profiles and traces the tests take live.
FIXTURES = (
    "tests/runtime/goprogs/leaky",
)


def finding(path: str, func: str, where: str, verb: str, amount: int, amount_text: str, share: float,
            sample_type: str, links: tuple[tuple[str, str], ...] = ()) -> Finding:
    """verb: "holds" (one profile) or "grew by" (a diff); links: the source
    line and static findings found under --src."""
    msg = f"live heap allocated under map inserts: {func} {verb} {amount_text} ({share:.0%} of {sample_type})"
    return evidence_finding(HEAP_GLOBAL_MAP, path, 0, msg, identity=f"{func} {where}".strip(),
                            extra=(("function", func), ("where", where), ("amount", str(amount))) + tuple(links))
