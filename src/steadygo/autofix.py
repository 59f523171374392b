"""Apply (``check --fix``) or show (``check --diff``) the mechanical fixes
the rules attach to their findings.

A fix is all its edits or nothing.  Per file: fixes are taken in source
order, an identical edit two fixes share (the same ``import "errors"``) is
made once, and a fix overlapping one already taken waits for the next run.
A file is never touched when it had a syntax error, when it changed since
the scan, or when the fixed text would not parse; it is written atomically
with its permissions kept.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from dataclasses import dataclass, field

from steadygo.findings import Edit, Finding
from steadygo.fsutil import write_atomic


@dataclass
class FileChange:
    path: str  # as the findings name it (relative to the run's base when possible)
    before: bytes
    after: bytes
    fixed: list[Finding] = field(default_factory=list)


@dataclass
class Plan:
    changes: list[FileChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def fixed(self) -> list[Finding]:
        return [f for c in self.changes for f in c.fixed]


def _overlaps(a: Edit, b: Edit) -> bool:
    if a.start == a.end == b.start == b.end:
        return True  # two insertions at one point: their order would be a guess
    return a.start < b.end and b.start < a.end


def _parses(data: bytes) -> bool:
    from steadygo.golang.parse import parse

    return not parse(data).root_node.has_error


def plan(findings: list[Finding], base: str, digests: dict[str, str] | None = None) -> Plan:
    """The changes the fixes of ``findings`` make.  ``digests``: sha256 of
    each file as scanned, to refuse a file edited since."""
    out = Plan()
    by_path: dict[str, list[Finding]] = {}
    for f in findings:
        if f.fix is not None and f.fix.edits and f.suppressed is None:
            by_path.setdefault(f.path, []).append(f)
    for path in sorted(by_path):
        full = path if os.path.isabs(path) else os.path.join(base, path)
        try:
            with open(full, "rb") as fh:
                before = fh.read()
        except OSError as exc:
            out.notes.append(f"{path}: not fixed: {exc.strerror or exc}")
            continue
        if digests is not None and path in digests and hashlib.sha256(before).hexdigest() != digests[path]:
            out.notes.append(f"{path}: not fixed: it changed since the scan")
            continue
        if not _parses(before):
            out.notes.append(f"{path}: not fixed: the file has syntax errors")
            continue
        taken: list[Edit] = []
        fixed: list[Finding] = []
        for f in sorted(by_path[path], key=lambda f: (min(e.start for e in f.fix.edits), f.sort_key)):
            new = [e for e in f.fix.edits if e not in taken]
            if any(e.end > len(before) for e in f.fix.edits) or any(_overlaps(e, t) for e in new for t in taken):
                continue
            taken.extend(new)
            fixed.append(f)
        after = before
        for e in sorted(taken, key=lambda e: (e.start, e.end), reverse=True):
            after = after[:e.start] + e.text.encode("utf-8") + after[e.end:]
        if not _parses(after):
            out.notes.append(f"{path}: not fixed: the fixed text would not parse (please report this)")
            continue
        if fixed:
            out.changes.append(FileChange(path, before, after, fixed))
    return out


def unified_diff(p: Plan) -> str:
    chunks = []
    for c in p.changes:
        a = c.before.decode("utf-8", "surrogateescape").splitlines(keepends=True)
        b = c.after.decode("utf-8", "surrogateescape").splitlines(keepends=True)
        # a/ and b/ prefixes for a relative path, so `git apply` and `patch -p1`
        # take it from the run's directory; an absolute path stays as it is.
        old, new = (c.path, c.path) if os.path.isabs(c.path) else (f"a/{c.path}", f"b/{c.path}")
        chunks.extend(difflib.unified_diff(a, b, old, new))
    text = "".join(chunks)
    return text if not text or text.endswith("\n") else text + "\n"


def write(p: Plan, base: str) -> list[str]:
    """Write every change; the paths that could not be written, with why."""
    failed = []
    for c in p.changes:
        full = c.path if os.path.isabs(c.path) else os.path.join(base, c.path)
        try:
            mode = os.stat(full).st_mode & 0o7777
            write_atomic(full, c.after)
            os.chmod(full, mode)
        except OSError as exc:
            failed.append(f"{c.path}: not fixed: cannot write: {exc.strerror or exc}")
            c.fixed.clear()
    return failed
