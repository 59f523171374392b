"""SG907 goroutine-pile-up: A large bucket of goroutines parked in user code, state unknown (debug=1 or pprof dump).

Doc: docs/rules/SG907.md.  Evidence: FIXTURES below.

Detection and wording: ``steadygo.runtime.leaks.classify`` (one bucket of
identical stacks becomes a suspect; the message names its state and why
nothing will unblock it), turned into this finding by ``leaks.findings``."""

from __future__ import annotations

from steadygo.findings import Layer, Severity
from steadygo.rulemeta import EvidenceRule, RuleMeta

GOROUTINE_PILE_UP = EvidenceRule(RuleMeta(
    id="SG907",
    name="goroutine-pile-up",
    layer=Layer.RUNTIME,
    severity=Severity.INFO,
    breakpoint="goroutine leak",
    summary="A large bucket of goroutines parked in user code, state unknown (debug=1 or pprof dump).",
))

# Where this rule's evidence comes from in the tests: stored fixtures, and the Go
# programs (tests/runtime/goprogs) whose dumps, profiles and traces the tests take live.
FIXTURES = (
    "tests/fixtures/dumps/leaky-t1.debug1.txt",
)
