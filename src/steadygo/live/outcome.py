"""What one live check hands back to the probe."""

from __future__ import annotations

from dataclasses import dataclass, field

from steadygo.findings import Finding


@dataclass
class Outcome:
    findings: list[Finding] = field(default_factory=list)
    # Rules the check evaluated: listed with no finding, the live check passed.
    checked: list[str] = field(default_factory=list)
    # Why a part could not run ("metrics: <one-line reason>"): its rules are
    # not in ``checked``.
    skipped: list[str] = field(default_factory=list)
    # Parts that could not run because an answer was unusable (over the byte
    # cap, malformed, a redirect off the host, no answer in time), not merely
    # absent: their rules are not in ``checked`` either, and the run exits 2.
    errors: list[str] = field(default_factory=list)
    evidence: dict = field(default_factory=dict)
