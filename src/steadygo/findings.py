"""The finding model shared by every layer: code, build, deploy and runtime.

Findings are frozen so processors (suppression, baseline, overrides) build new
ones instead of mutating what a rule produced.
"""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass, field, replace
from typing import Iterable


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use info, warning or error)") from None

    @property
    def label(self) -> str:
        return self.name.lower()


class Layer(str, enum.Enum):
    CODE = "code"
    BUILD = "build"
    DEPLOY = "deploy"
    RUNTIME = "runtime"


@dataclass(frozen=True)
class Finding:
    rule_id: str
    rule_name: str
    severity: Severity
    layer: Layer
    path: str  # relative to the scan root when possible, '/'-separated
    line: int  # 1-based
    col: int  # 1-based
    message: str
    end_line: int = 0
    end_col: int = 0
    snippet: str = ""  # the source line(s), already redacted where secrets are involved
    breakpoint: str = ""
    fingerprint: str = ""
    # Set by the suppression / baseline processors; suppressed findings stay in
    # the result so SARIF can record them, but they never fail a run.
    suppressed: str | None = None
    extra: tuple[tuple[str, str], ...] = field(default=())

    def with_(self, **changes) -> "Finding":
        return replace(self, **changes)

    @property
    def sort_key(self):
        return (self.path, self.line, self.col, self.rule_id, self.message)


_SPACE = re.compile(r"\s+")


def normalise_snippet(snippet: str) -> str:
    return _SPACE.sub(" ", snippet).strip()


def assign_fingerprints(findings: Iterable[Finding]) -> list[Finding]:
    """Line-independent fingerprints: rule, path, normalised snippet, plus an
    occurrence index so two identical lines in one file stay distinct.

    Moving code up or down (edits above the line) keeps the fingerprint; changing
    the offending line itself, or the file's name, gives a new one.
    """
    out: list[Finding] = []
    seen: dict[str, int] = {}
    for f in sorted(findings, key=lambda f: f.sort_key):
        basis = "\x00".join((f.rule_id, f.path, normalise_snippet(f.snippet) or f.message))
        digest = hashlib.sha256(basis.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        index = seen.get(digest, 0)
        seen[digest] = index + 1
        out.append(f.with_(fingerprint=f"{digest}:{index}"))
    return out


def exit_code(findings: Iterable[Finding], fail_on: Severity, exit_zero: bool = False) -> int:
    """The exit code every command derives from its findings: ``1`` when an
    unsuppressed finding is at or above ``fail_on``, ``0`` otherwise or with
    ``exit_zero`` (report-only runs).  Usage and input errors (``2``) never
    reach here: they are raised before there are findings to judge."""
    if exit_zero:
        return 0
    return 1 if any(f.severity >= fail_on and not f.suppressed for f in findings) else 0
