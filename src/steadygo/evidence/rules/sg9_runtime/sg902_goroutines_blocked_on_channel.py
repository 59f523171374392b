"""SG902 goroutines-blocked-on-channel: Many goroutines from one creation site are parked on a channel send or receive.

Doc: docs/rules/SG902.md.  Evidence: FIXTURES below.

Detection and wording: ``steadygo.runtime.leaks.classify`` (one bucket of
identical stacks becomes a suspect; the message names its state and why
nothing will unblock it), turned into this finding by ``leaks.findings``."""

from __future__ import annotations

from steadygo.findings import Layer, Severity
from steadygo.rulemeta import EvidenceRule, RuleMeta

BLOCKED_ON_CHANNEL = EvidenceRule(RuleMeta(
    id="SG902",
    name="goroutines-blocked-on-channel",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="goroutine leak",
    summary="Many goroutines from one creation site are parked on a channel send or receive.",
))

# Where this rule's evidence comes from in the tests: stored fixtures, and the Go
# programs (tests/runtime/goprogs) whose dumps, profiles and traces the tests take live.
FIXTURES = (
    "tests/fixtures/dumps/leaky-t1.debug2.txt",
    "tests/fixtures/dumps/leaky-go1.21.13.debug2.txt",
    "tests/runtime/goprogs/leaky",
)
