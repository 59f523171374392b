"""SG903 goroutines-stuck-in-select: Many goroutines from one creation site wait in a select (or an empty select) that never fires.

Doc: docs/rules/SG903.md.  Evidence: FIXTURES below.

Detection and wording: ``steadygo.runtime.leaks.classify`` (one bucket of
identical stacks becomes a suspect; the message names its state and why
nothing will unblock it), turned into this finding by ``leaks.findings``."""

from __future__ import annotations

from steadygo.findings import Layer, Severity
from steadygo.rulemeta import EvidenceRule, RuleMeta

STUCK_IN_SELECT = EvidenceRule(RuleMeta(
    id="SG903",
    name="goroutines-stuck-in-select",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="goroutine leak",
    summary="Many goroutines from one creation site wait in a select (or an empty select) that never fires.",
))

# Where this rule's evidence comes from in the tests: stored fixtures, and the Go
# programs (tests/runtime/goprogs) whose dumps, profiles and traces the tests take live.
FIXTURES = (
    "tests/runtime/goprogs/leaky",
)
