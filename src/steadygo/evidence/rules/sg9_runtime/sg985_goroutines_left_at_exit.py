"""SG985 goroutines-left-at-exit: More goroutines were running as the service exited, after every request had ended, than before the load.

Doc: docs/rules/SG985.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

GOROUTINES_LEFT_AT_EXIT = EvidenceRule(RuleMeta(
    id="SG985",
    name="goroutines-left-at-exit",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="Goroutines that outlive the requests that started them pile up for the life of the process and are cut mid-work at exit: memory grows between deploys and their work is lost at each one.",
    summary="More goroutines were running as the service exited, after every request had ended, than before the load.",
    status="preview",
    proves=("SG203",),
))

# Where this rule's evidence comes from in the tests: the fixture services the
# tests build and run live, and the test that drives them.
FIXTURES = (
    "tests/runtime/goprogs/drainleak",
    "tests/runtime/goprogs/liveok",
    "tests/runtime/test_shutdown_test_command.py",
)


def finding(target: str, at_exit: int, before: int, read_at: float | None) -> Finding:
    when = f" {read_at:.2f} s after SIGTERM" if read_at is not None else ""
    msg = (f"{at_exit} goroutines still running{when}, after every request had ended, against {before} before the "
           f"load: {at_exit - before} outlived their requests")
    return evidence_finding(GOROUTINES_LEFT_AT_EXIT, target, 0, msg, identity="goroutines at exit")
