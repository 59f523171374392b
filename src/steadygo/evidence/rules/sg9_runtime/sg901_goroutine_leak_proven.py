"""SG901 goroutine-leak-proven: The goroutineleak profile proves these goroutines can never be unblocked.

Doc: docs/rules/SG901.md.  Evidence: FIXTURES below.

Detection and wording: ``steadygo.runtime.leaks.classify`` (one bucket of
identical stacks becomes a suspect; the message names its state and why
nothing will unblock it), turned into this finding by ``leaks.findings``."""

from __future__ import annotations

from steadygo.findings import Layer, Severity
from steadygo.rulemeta import EvidenceRule, RuleMeta

LEAK_PROVEN = EvidenceRule(RuleMeta(
    id="SG901",
    name="goroutine-leak-proven",
    layer=Layer.RUNTIME,
    severity=Severity.ERROR,
    breakpoint="goroutine leak",
    summary="The goroutineleak profile proves these goroutines can never be unblocked.",
    # proves: goroutines the runtime proves can never wake, created or parked at the line a static goroutine-
    # leak rule reports.
    proves=("SG203", "SG204", "SG205", "SG206", "SG214"),
))

# Where this rule's evidence comes from in the tests: stored fixtures, and the Go
# programs (tests/runtime/goprogs) whose dumps, profiles and traces the tests take live.
FIXTURES = (
    "tests/fixtures/dumps/leaky-t1.goroutineleak.debug1.txt",
    "tests/fixtures/dumps/leaky-go1.26.6.goroutineleak.debug2.txt",
    "tests/fixtures/dumps/leaky-t1.goroutineleak.pb.gz",
    "tests/runtime/goprogs/leaky",
)
