"""SG961 pprof-reachable-on-probed-address: net/http/pprof answers on the address that was probed.

Doc: docs/rules/SG961.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

PPROF_REACHABLE = EvidenceRule(RuleMeta(
    id="SG961",
    name="pprof-reachable-on-probed-address",
    layer=Layer.RUNTIME,
    severity=Severity.ERROR,
    breakpoint="Anyone who reaches the port can dump every goroutine's stack, read heap contents and start 30-second CPU profiles: a data leak and a denial of service.",
    summary="net/http/pprof answers on the probed address (/debug/pprof/).",
    status="preview",
    proves=("SG610",),
))

# Where this rule's evidence comes from in the tests: livebroken (pprof on
# its public port) and Debian's prometheus (tests/runtime/test_probe_*.py).
FIXTURES = (
    "tests/runtime/goprogs/livebroken",
)


def finding(url: str, goroutines: int | None) -> Finding:
    count = f"; it reports {goroutines:,} goroutines right now" if goroutines is not None else ""
    msg = (f"pprof answers on the probed address{count}: move it to a separate listener bound to localhost "
           "or an admin network")
    return evidence_finding(PPROF_REACHABLE, url, 0, msg, identity="pprof")
