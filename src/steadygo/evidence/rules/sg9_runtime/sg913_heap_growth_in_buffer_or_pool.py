"""SG913 heap-growth-in-buffer-or-pool: Live heap grows inside bytes.Buffer growth or sync.Pool-allocated objects.

Doc: docs/rules/SG913.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

HEAP_BUFFER_POOL = EvidenceRule(RuleMeta(
    id="SG913",
    name="heap-growth-in-buffer-or-pool",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="memory leak",
    summary="Live heap grows inside bytes.Buffer growth or sync.Pool-allocated objects.",
    # proves: heap held in buffers or a pool at the line a static rule says misuses sync.Pool.
    proves=("SG314",),
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
    msg = f"live heap in bytes.Buffer / sync.Pool growth: {func} {verb} {amount_text} ({share:.0%} of {sample_type})"
    return evidence_finding(HEAP_BUFFER_POOL, path, 0, msg, identity=f"{func} {where}".strip(),
                            extra=(("function", func), ("where", where), ("amount", str(amount))) + tuple(links))
