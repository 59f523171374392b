"""``--new-from-rev REV``: keep only findings on lines changed since a git revision.

The comparison is the working tree against REV (so uncommitted edits count as
changed, which is what a pre-commit hook wants), plus untracked files, which
are new in their entirety.  Paths from git are relative to the repository top;
findings are relative to the scan base, so both are mapped to absolute paths.
"""

from __future__ import annotations

import os
import re
import subprocess

from steadygo.errors import UserError
from steadygo.findings import Finding

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
WHOLE_FILE = None  # marker: every line of the file is new


def _git(args: list[str], cwd: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "-c", "core.quotePath=false", *args], cwd=cwd, capture_output=True,
                              text=True, encoding="utf-8", errors="surrogateescape")
    except FileNotFoundError:
        raise UserError("--new-from-rev needs git, and git is not installed") from None


def _unquote(path: str) -> str:
    # git still C-quotes names with control characters or quotes even with
    # core.quotePath=false.
    if len(path) >= 2 and path[0] == '"' and path[-1] == '"':
        body = path[1:-1]
        raw = body.encode("latin-1", "backslashreplace").decode("unicode_escape")
        return raw.encode("latin-1", "surrogateescape").decode("utf-8", "surrogateescape")
    return path


def parse_diff(text: str) -> dict[str, set[int]]:
    """Lines added or changed in the new side of a ``--unified=0`` diff, by
    path (relative to the repository top)."""
    changed: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in text.splitlines():
        if line.startswith("+++ "):
            target = line[4:].rstrip("\t")
            if target == "/dev/null":
                current = None  # deleted file: nothing can be reported there
                continue
            target = _unquote(target)
            if target.startswith("b/"):
                target = target[2:]
            current = changed.setdefault(target, set())
            continue
        if current is None:
            continue
        m = _HUNK.match(line)
        if m:
            start = int(m.group(1))
            count = 1 if m.group(2) is None else int(m.group(2))
            current.update(range(start, start + count))
    return changed


class ChangedLines:
    def __init__(self, top: str, lines: dict[str, set[int] | None]):
        self.top = top
        self.lines = lines  # abs path -> set of new line numbers, or None for a whole new file

    def keeps(self, f: Finding, base: str) -> bool:
        """``base`` must already be a real path (see ``filter``)."""
        path = os.path.normpath(os.path.join(base, f.path))
        if path not in self.lines:
            return False
        changed = self.lines[path]
        if changed is WHOLE_FILE:
            return True
        if f.line <= 0:
            return bool(changed)  # a file-level finding counts when the file was touched
        end = max(f.end_line, f.line)
        return any(n in changed for n in range(f.line, end + 1))

    def filter(self, findings: list[Finding], base: str) -> list[Finding]:
        # git reports real paths; resolve the base once so a symlinked
        # checkout (or /tmp -> /private/tmp) still lines up.
        real = os.path.realpath(base)
        return [f for f in findings if self.keeps(f, real)]


def since(rev: str, cwd: str) -> ChangedLines:
    """Changed lines between REV and the working tree of the repository
    containing ``cwd``.  Every failure is one line naming what to do."""
    if not rev or rev.startswith("-"):
        raise UserError(f"--new-from-rev: {rev!r} is not a revision")
    top = _git(["rev-parse", "--show-toplevel"], cwd)
    if top.returncode != 0:
        raise UserError(f"--new-from-rev: {os.path.abspath(cwd)} is not inside a git repository")
    root = os.path.realpath(top.stdout.strip())
    found = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], root)
    if found.returncode != 0:
        shallow = _git(["rev-parse", "--is-shallow-repository"], root).stdout.strip() == "true"
        hint = (" (this is a shallow clone: fetch more history, e.g. actions/checkout with fetch-depth: 0, "
                "or 'git fetch --deepen=50 origin')") if shallow else ""
        raise UserError(f"--new-from-rev: revision {rev!r} not found in this repository{hint}")
    sha = found.stdout.strip()
    # -M: git's default rename detection (50 % similar), so a moved file counts
    # only its edited lines, not every line as new
    diff = _git(["diff", "--no-ext-diff", "--no-color", "-M", "--unified=0",
                 "--src-prefix=a/", "--dst-prefix=b/", sha, "--"], root)
    if diff.returncode != 0:
        msg = (diff.stderr.strip().splitlines() or ["git diff failed"])[-1]
        raise UserError(f"--new-from-rev: git diff against {rev!r} failed: {msg}")
    lines: dict[str, set[int] | None] = {}
    for rel, nums in parse_diff(diff.stdout).items():
        lines[os.path.normpath(os.path.join(root, rel))] = nums
    untracked = _git(["ls-files", "-z", "--others", "--exclude-standard"], root)
    if untracked.returncode == 0:
        for rel in untracked.stdout.split("\0"):
            if rel:
                lines[os.path.normpath(os.path.join(root, rel))] = WHOLE_FILE
    return ChangedLines(root, lines)
