"""SG931 heap-near-memory-limit: Memory obtained from the OS is close to GOMEMLIMIT or the container limit.

Doc: docs/rules/SG931.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

HEAP_NEAR_LIMIT = EvidenceRule(RuleMeta(
    id="SG931",
    name="heap-near-memory-limit",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="OOM kill",
    summary="Memory obtained from the OS is close to GOMEMLIMIT or the container limit.",
    # proves: the process is close to its memory limit, the outcome the static 'no GOMEMLIMIT' rules predict;
    # a snapshot has no source line, so it matches by rule.
    proves=("SG620", "SG806"),
))

# Where this rule's evidence comes from in the tests: stored fixtures, and the Go
# programs (tests/runtime/goprogs) whose dumps, profiles and traces the tests take live.
FIXTURES = (
    "tests/fixtures/gc/leaky-t1.vars.json",
)


def finding(source: str, runtime_total: int, heap_inuse: int, limit_name: str, limit: int, error_at: float) -> Finding:
    """Past ``error_at`` of the limit the next burst is an OOM kill: an error."""
    share = runtime_total / limit
    msg = (f"runtime holds {runtime_total / 2**20:,.1f} MiB (Sys - HeapReleased; heap in use "
           f"{heap_inuse / 2**20:,.1f} MiB), {share:.0%} of the {limit_name} of {limit / 2**20:,.0f} MiB")
    return evidence_finding(HEAP_NEAR_LIMIT, source, 0, msg, identity=limit_name,
                            severity=Severity.ERROR if share >= error_at else None)
