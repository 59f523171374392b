"""SG971 slow-client-not-cut: A client sending its headers byte by byte is still connected when the probe gives up.

Doc: docs/rules/SG971.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

SLOW_CLIENT_NOT_CUT = EvidenceRule(RuleMeta(
    id="SG971",
    name="slow-client-not-cut",
    layer=Layer.RUNTIME,
    severity=Severity.ERROR,
    breakpoint="A server that waits forever for request headers lets a few hundred slow clients (Slowloris) hold every connection and file descriptor it has.",
    summary="Connections sending their headers byte by byte are not cut by the server (no ReadHeaderTimeout).",
    status="preview",
    proves=("SG101", "SG102"),
))

# Where this rule's evidence comes from in the tests: livebroken (no server
# timeouts) against liveok (ReadHeaderTimeout 2 s), tests/runtime/test_probe_live.py.
FIXTURES = (
    "tests/runtime/goprogs/livebroken",
    "tests/runtime/goprogs/liveok",
)


def finding(url: str, held: int, opened: int, seconds: float) -> Finding:
    msg = (f"{held} of {opened} slow clients (headers sent one byte at a time) were still connected after "
           f"{seconds:.1f} s; set http.Server.ReadHeaderTimeout so the server cuts them")
    return evidence_finding(SLOW_CLIENT_NOT_CUT, url, 0, msg, identity="slow-clients",
                            extra=(("held_seconds", f"{seconds:.1f}"),))
