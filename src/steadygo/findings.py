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
class Edit:
    """Replace bytes [start, end) of the file with ``text``; the line and
    column (1-based, byte columns like Finding's) of both ends are kept for
    SARIF, which addresses regions by line and column."""

    start: int
    end: int
    text: str
    start_line: int
    start_col: int
    end_line: int
    end_col: int


@dataclass(frozen=True)
class Fix:
    """A safe, mechanical fix for one finding: every edit in the finding's
    own file, applied together or not at all."""

    description: str
    edits: tuple[Edit, ...]


@dataclass(frozen=True)
class LiveVerdict:
    """What runtime evidence (``check --evidence``) says about a static
    finding: ``proved`` (a live finding of a rule that declares this one in
    ``proves`` confirms it) or ``contradicted`` (that live rule ran and found
    nothing).  ``matched`` is ``location`` when the live finding named this
    source line, ``rule`` when it only had a URL to point at."""

    verdict: str  # proved | contradicted
    by: str  # the live rule id
    evidence: str  # the evidence file
    message: str  # the live finding's message, or what the live run checked
    matched: str = "rule"  # location | rule
    command: str = ""  # the runtime command that wrote the evidence (probe, goroutines, ...)
    target: str = ""  # the URL or file the live run looked at

    def to_dict(self) -> dict:
        return {"verdict": self.verdict, "by": self.by, "evidence": self.evidence, "message": self.message,
                "matched": self.matched, "command": self.command, "target": self.target}

    def describe(self) -> str:
        """One line for the text-like reports: 'proved live by SG971 (probe http://...)'."""
        where = " ".join(x for x in (self.command, self.target) if x)
        if self.verdict == "proved":
            how = "" if self.matched == "location" else "; matched by rule, the live finding has no source line"
            return f"proved live by {self.by} ({where}{how}): {self.message}"
        return f"contradicted live: {self.message} (the live run may not have taken this path)"


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
    # Other places a cross-artifact finding joins: (path, line, what is there),
    # e.g. the Dockerfile and the Go file beside the manifest it is reported on.
    related: tuple[tuple[str, int, str], ...] = field(default=())
    # A mechanical fix (`check --fix` / `--diff`, SARIF fixes[]); None when
    # the rule has none or this occurrence is not safe to rewrite.
    fix: Fix | None = None
    # Set by the live-evidence join (pipeline.live_join) on static findings only.
    live: LiveVerdict | None = None

    def with_(self, **changes) -> "Finding":
        return replace(self, **changes)

    @property
    def sort_key(self):
        return (self.path, self.line, self.col, self.rule_id, self.message)


_SPACE = re.compile(r"\s+")
# The ``extra`` key a runtime finding's stable identity goes under (see assign_fingerprints).
IDENTITY = "identity"
# The ``extra`` key (repeatable) naming a source line a runtime finding is
# about, as FILE:LINE with the build machine's path: a goroutine's creation
# site or parked frame, a heap allocation site.  ``check --evidence`` matches
# static findings on it (live_evidence).
CODE_LOCATION = "code_location"


def normalise_snippet(snippet: str) -> str:
    return _SPACE.sub(" ", snippet).strip()


def assign_fingerprints(findings: Iterable[Finding]) -> list[Finding]:
    """Line-independent fingerprints: rule, path, normalised snippet, plus an
    occurrence index so two identical lines in one file stay distinct.

    Moving code up or down (edits above the line) keeps the fingerprint; changing
    the offending line itself, or the file's name, gives a new one.  Evidence
    has no source line, and its messages carry counts that change from one
    dump to the next; a runtime rule names what its finding is about (a
    creation site, a function) in the ``identity`` extra, which is hashed
    instead.
    """
    out: list[Finding] = []
    seen: dict[str, int] = {}
    for f in sorted(findings, key=lambda f: f.sort_key):
        identity = next((v for k, v in f.extra if k == IDENTITY), "")
        basis = "\x00".join((f.rule_id, f.path, identity or normalise_snippet(f.snippet) or f.message))
        digest = hashlib.sha256(basis.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        index = seen.get(digest, 0)
        seen[digest] = index + 1
        out.append(f.with_(fingerprint=f"{digest}:{index}"))
    return out


def finding_to_dict(f: Finding) -> dict:
    """The one JSON shape of a finding (cache entries, JSON report, evidence)."""
    return {
        "rule_id": f.rule_id,
        "rule_name": f.rule_name,
        "severity": f.severity.label,
        "layer": f.layer.value,
        "path": f.path,
        "line": f.line,
        "col": f.col,
        "end_line": f.end_line,
        "end_col": f.end_col,
        "message": f.message,
        "snippet": f.snippet,
        "breakpoint": f.breakpoint,
        "fingerprint": f.fingerprint,
        "suppressed": f.suppressed,
        "extra": [list(kv) for kv in f.extra],
        "related": [{"path": p, "line": n, "message": m} for p, n, m in f.related],
        **({"fix": fix_to_dict(f.fix)} if f.fix is not None else {}),
        # Only on static findings that runtime evidence joined, so every other
        # report (and every cache entry) keeps the shape it always had.
        **({"live": f.live.to_dict()} if f.live is not None else {}),
    }


_EDIT_FIELDS = ("start", "end", "start_line", "start_col", "end_line", "end_col")


def fix_to_dict(fix: Fix) -> dict:
    return {"description": fix.description,
            "edits": [{**{k: getattr(e, k) for k in _EDIT_FIELDS}, "text": e.text} for e in fix.edits]}


def fix_from_dict(d) -> Fix:
    if not isinstance(d, dict) or not isinstance(d.get("edits"), list):
        raise ValueError("finding field 'fix' is not a fix")
    edits = []
    for e in d["edits"]:
        if not isinstance(e, dict):
            raise ValueError("a fix edit is not an object")
        edits.append(Edit(text=_str(e, "text"), **{k: _int(e, k) for k in _EDIT_FIELDS}))
    return Fix(_str(d, "description"), tuple(edits))


def _str(d: dict, key: str, default: str | None = None) -> str:
    v = d.get(key, default) if default is not None else d[key]
    if not isinstance(v, str):
        raise ValueError(f"finding field {key!r} is not a string")
    return v


def _int(d: dict, key: str, default: int | None = None) -> int:
    v = d.get(key, default) if default is not None else d[key]
    if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v < 1 << 31:
        raise ValueError(f"finding field {key!r} is not a line or column number")
    return v


def finding_from_dict(d: dict) -> Finding:
    """The inverse of ``finding_to_dict``; raises ValueError (or KeyError) on
    anything that is not a well-formed finding."""
    if not isinstance(d, dict):
        raise ValueError("a finding is not an object")
    suppressed = d.get("suppressed")
    if suppressed is not None and not isinstance(suppressed, str):
        raise ValueError("finding field 'suppressed' is not a string")
    extra = d.get("extra", [])
    if not isinstance(extra, list) or not all(isinstance(kv, list) and len(kv) == 2 and all(isinstance(x, str) for x in kv)
                                              for kv in extra):
        raise ValueError("finding field 'extra' is not a list of pairs")
    related = d.get("related", [])
    if not isinstance(related, list) or not all(isinstance(r, dict) for r in related):
        raise ValueError("finding field 'related' is not a list of locations")
    live = d.get("live")
    if live is not None:
        if not isinstance(live, dict) or live.get("verdict") not in ("proved", "contradicted"):
            raise ValueError("finding field 'live' is not a live verdict")
        live = LiveVerdict(verdict=live["verdict"], by=_str(live, "by"), evidence=_str(live, "evidence", ""),
                           message=_str(live, "message", ""), matched=_str(live, "matched", "rule"),
                           command=_str(live, "command", ""), target=_str(live, "target", ""))
    return Finding(
        rule_id=_str(d, "rule_id"),
        rule_name=_str(d, "rule_name"),
        severity=Severity.parse(_str(d, "severity")),
        layer=Layer(_str(d, "layer")),
        path=_str(d, "path"),
        line=_int(d, "line"),
        col=_int(d, "col"),
        end_line=_int(d, "end_line", 0),
        end_col=_int(d, "end_col", 0),
        message=_str(d, "message"),
        snippet=_str(d, "snippet", ""),
        breakpoint=_str(d, "breakpoint", ""),
        fingerprint=_str(d, "fingerprint", ""),
        suppressed=suppressed,
        extra=tuple(tuple(kv) for kv in extra),
        related=tuple((_str(r, "path"), _int(r, "line"), _str(r, "message", "")) for r in related),
        fix=fix_from_dict(d["fix"]) if d.get("fix") is not None else None,
        live=live,
    )


def exit_code(findings: Iterable[Finding], fail_on: Severity, exit_zero: bool = False) -> int:
    """The exit code every command derives from its findings: ``1`` when an
    unsuppressed finding is at or above ``fail_on``, ``0`` otherwise or with
    ``exit_zero`` (report-only runs).  Usage and input errors (``2``) never
    reach here: they are raised before there are findings to judge."""
    if exit_zero:
        return 0
    return 1 if any(f.severity >= fail_on and not f.suppressed for f in findings) else 0
