"""SG972 idle-connection-not-closed: An idle keep-alive connection is still open when the probe gives up.

Doc: docs/rules/SG972.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

IDLE_NOT_CLOSED = EvidenceRule(RuleMeta(
    id="SG972",
    name="idle-connection-not-closed",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="Without IdleTimeout (or ReadTimeout) every keep-alive connection a client forgets stays open for ever: file descriptors and goroutines pile up until accept fails.",
    summary="An idle keep-alive connection is not closed by the server within the probe's bound (no IdleTimeout).",
    status="preview",
    proves=("SG104",),
))

# Where this rule's evidence comes from in the tests: livebroken (no server
# timeouts) against liveok (IdleTimeout 5 s), tests/runtime/test_probe_live.py.
FIXTURES = (
    "tests/runtime/goprogs/livebroken",
    "tests/runtime/goprogs/liveok",
)


def finding(url: str, seconds: float) -> Finding:
    msg = (f"an idle keep-alive connection was still open {seconds:.1f} s after its response; set "
           "http.Server.IdleTimeout so forgotten connections are closed")
    return evidence_finding(IDLE_NOT_CLOSED, url, 0, msg, identity="idle-connection",
                            extra=(("held_seconds", f"{seconds:.1f}"),))
