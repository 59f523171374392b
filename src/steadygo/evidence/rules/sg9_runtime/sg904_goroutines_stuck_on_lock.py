"""SG904 goroutines-stuck-on-lock: Many goroutines wait on a mutex, sync.Cond, WaitGroup or semaphore.

Doc: docs/rules/SG904.md.  Evidence: FIXTURES below.

Detection and wording: ``steadygo.runtime.leaks.classify`` (one bucket of
identical stacks becomes a suspect; the message names its state and why
nothing will unblock it), turned into this finding by ``leaks.findings``."""

from __future__ import annotations

from steadygo.findings import Layer, Severity
from steadygo.rulemeta import EvidenceRule, RuleMeta

STUCK_ON_LOCK = EvidenceRule(RuleMeta(
    id="SG904",
    name="goroutines-stuck-on-lock",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="lock contention / deadlock",
    summary="Many goroutines wait on a mutex, sync.Cond, WaitGroup or semaphore.",
))

# Where this rule's evidence comes from in the tests: stored fixtures, and the Go
# programs (tests/runtime/goprogs) whose dumps, profiles and traces the tests take live.
FIXTURES = (
    "tests/runtime/goprogs/leaky",
)
