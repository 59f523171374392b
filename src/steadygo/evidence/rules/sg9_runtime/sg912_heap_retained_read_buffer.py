"""SG912 heap-retained-read-buffer: Live heap is held by whole-body read buffers (io.ReadAll, bufio, bytes.Buffer.ReadFrom); sub-slices keep them alive.

Doc: docs/rules/SG912.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

HEAP_READ_BUFFER = EvidenceRule(RuleMeta(
    id="SG912",
    name="heap-retained-read-buffer",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="memory leak",
    summary="Live heap is held by whole-body read buffers (io.ReadAll, bufio, bytes.Buffer.ReadFrom); sub-slices keep them alive.",
    # proves: read buffers held on the heap at the io.ReadAll a static rule says has no size limit.
    proves=("SG312",),
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
    msg = f"live heap held by read buffers: {func} {verb} {amount_text} ({share:.0%} of {sample_type})"
    return evidence_finding(HEAP_READ_BUFFER, path, 0, msg, identity=f"{func} {where}".strip(),
                            extra=(("function", func), ("where", where), ("amount", str(amount))) + tuple(links))
