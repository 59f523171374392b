"""Baselines: adopt steadygo in an existing codebase without fixing everything first.

A baseline file records the fingerprints of the findings that exist today.
``check --baseline FILE`` then marks those as suppressed (``baseline``) so only
new findings fail the run, and counts the entries that no longer match as
fixed.  Fingerprints ignore line numbers (see ``findings.assign_fingerprints``),
so edits above a finding do not break the match.

The file is JSON, sorted and free of timestamps, so it diffs cleanly in review.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from steadygo import __version__
from steadygo.errors import UserError
from steadygo.findings import Finding
from steadygo.fsutil import write_atomic

SCHEMA = "steadygo-baseline"
VERSION = 1
DEFAULT_PATH = ".steadygo-baseline.json"


@dataclass(frozen=True)
class Entry:
    fingerprint: str
    rule_id: str
    path: str
    line: int  # where it was when the baseline was made; informative only
    message: str


@dataclass
class Baseline:
    path: str
    entries: list[Entry]
    # Filled in by ``apply``: what the last run made of this baseline.
    matched: int = 0
    fixed: list[Entry] = field(default_factory=list)

    def apply(self, findings: list[Finding], enabled_rules: set[str] | None = None, mark: bool = True) -> list[Finding]:
        """Processor step: findings whose fingerprint is in the baseline become
        suppressed (``mark=False``, for --no-suppressions: only counted).
        Entries of rules that did not run are not counted as fixed (a narrower
        ``--select`` must not look like progress)."""
        known = {e.fingerprint: e for e in self.entries}
        seen: set[str] = set()
        out = []
        for f in findings:
            if f.fingerprint in known:
                # Still present (even if an inline comment now suppresses it):
                # not fixed.
                seen.add(f.fingerprint)
                out.append(f.with_(suppressed="baseline") if f.suppressed is None and mark else f)
            else:
                out.append(f)
        self.matched = len(seen)
        self.fixed = [e for e in self.entries if e.fingerprint not in seen
                      and (enabled_rules is None or e.rule_id in enabled_rules)]
        return out

    def summary(self) -> str:
        fixed = len(self.fixed)
        text = (f"baseline {self.path}: {self.matched} known finding{'s' if self.matched != 1 else ''} hidden, "
                f"{fixed} fixed since it was made")
        if fixed:
            text += " (run 'steadygo baseline create' to drop them)"
        return text


def from_findings(findings: list[Finding], path: str = DEFAULT_PATH) -> Baseline:
    entries = [Entry(f.fingerprint, f.rule_id, f.path, f.line, f.message)
               for f in findings if f.suppressed is None and f.fingerprint]
    entries.sort(key=lambda e: (e.path, e.rule_id, e.fingerprint))
    return Baseline(path, entries)


def dumps(baseline: Baseline) -> str:
    doc = {
        "schema": SCHEMA,
        "version": VERSION,
        "tool_version": __version__,
        "entries": [
            {"fingerprint": e.fingerprint, "rule_id": e.rule_id, "path": e.path, "line": e.line, "message": e.message}
            for e in baseline.entries
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def save(baseline: Baseline, path: str) -> None:
    try:
        write_atomic(path, dumps(baseline))
    except OSError as exc:
        raise UserError(f"{path}: cannot write baseline: {exc.strerror or exc}") from None


def load(path: str) -> Baseline:
    """Read and validate a baseline.  Every problem is a one-line UserError
    naming the file: a broken baseline must stop the run, not silently let
    every known finding through (or hide every new one)."""
    try:
        with open(path, encoding="utf-8-sig") as fh:  # -sig: a BOM from an editor is not an error
            text = fh.read()
    except FileNotFoundError:
        raise UserError(f"{path}: baseline file not found (create it with 'steadygo baseline create -o {path}')") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: baseline is not UTF-8 text") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    try:
        doc = json.loads(text)
    except RecursionError:
        raise UserError(f"{path}: baseline is not valid JSON: nested too deeply") from None
    except ValueError as exc:
        raise UserError(f"{path}: baseline is not valid JSON (line {getattr(exc, 'lineno', '?')}): {getattr(exc, 'msg', exc)}") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise UserError(f"{path}: not a steadygo baseline (expected \"schema\": \"{SCHEMA}\")")
    if doc.get("version") != VERSION:
        raise UserError(f"{path}: baseline version {doc.get('version')!r} is not supported (expected {VERSION}); recreate it")
    raw = doc.get("entries")
    if not isinstance(raw, list):
        raise UserError(f"{path}: baseline has no \"entries\" list")
    entries = []
    for i, item in enumerate(raw):
        try:
            fp = item["fingerprint"]
            if not isinstance(fp, str) or not fp:
                raise TypeError
            entries.append(Entry(fp, str(item.get("rule_id", "")), str(item.get("path", "")),
                                 int(item.get("line", 0) or 0), str(item.get("message", ""))))
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError):  # Overflow: "line": 1e400 is inf
            raise UserError(f"{path}: baseline entry {i + 1} is malformed (needs a \"fingerprint\" string)") from None
    return Baseline(path, entries)
