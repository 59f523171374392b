"""SG962 expvar-reachable-on-probed-address: expvar's /debug/vars answers on the address that was probed.

Doc: docs/rules/SG962.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

EXPVAR_REACHABLE = EvidenceRule(RuleMeta(
    id="SG962",
    name="expvar-reachable-on-probed-address",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="/debug/vars shows the process's command line (flags, sometimes secrets) and memory statistics to anyone who reaches the port.",
    summary="expvar's /debug/vars answers on the probed address.",
    status="preview",
))

# Where this rule's evidence comes from in the tests: livebroken imports
# expvar on its public mux (tests/runtime/test_probe_live.py).
FIXTURES = (
    "tests/runtime/goprogs/livebroken",
)


def finding(url: str, keys: list[str]) -> Finding:
    shown = ", ".join(keys[:6]) + (", ..." if len(keys) > 6 else "")
    msg = f"expvar answers on the probed address with {len(keys)} variables ({shown}); serve it on an admin listener"
    return evidence_finding(EXPVAR_REACHABLE, url, 0, msg, identity="expvar")
