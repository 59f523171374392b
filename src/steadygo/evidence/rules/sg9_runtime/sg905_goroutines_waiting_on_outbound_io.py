"""SG905 goroutines-waiting-on-outbound-io: Many goroutines wait on reads from outbound connections that do not answer.

Doc: docs/rules/SG905.md.  Evidence: FIXTURES below.

Detection and wording: ``steadygo.runtime.leaks.classify`` (one bucket of
identical stacks becomes a suspect; the message names its state and why
nothing will unblock it), turned into this finding by ``leaks.findings``."""

from __future__ import annotations

from steadygo.findings import Layer, Severity
from steadygo.rulemeta import EvidenceRule, RuleMeta

OUTBOUND_IO_WAIT = EvidenceRule(RuleMeta(
    id="SG905",
    name="goroutines-waiting-on-outbound-io",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="missing client timeout",
    summary="Many goroutines wait on reads from outbound connections that do not answer.",
))

# Where this rule's evidence comes from in the tests: stored fixtures, and the Go
# programs (tests/runtime/goprogs) whose dumps, profiles and traces the tests take live.
FIXTURES = (
    "tests/runtime/goprogs/leaky",
)
