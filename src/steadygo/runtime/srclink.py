"""Tie runtime evidence back to the source tree given with ``--src DIR``.

Frames carry the build machine's absolute paths (/build/app/internal/x.go),
which never match the reader's checkout.  We match by the longest path suffix
shared with a .go file under DIR, and then look up static findings the engine
reports on the same lines.
"""

from __future__ import annotations

import os
from collections import defaultdict

from steadygo.errors import UserError
from steadygo.findings import Finding

_SKIP_DIRS = {".git", "node_modules", "testdata", ".hg"}


class SourceTree:
    def __init__(self, root: str):
        if not os.path.isdir(root):
            raise UserError(f"{root}: --src must be a directory")
        self.root = os.path.abspath(root)
        self.by_base: dict[str, list[str]] = defaultdict(list)
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = [d for d in dirnames if d not in _SKIP_DIRS]
            for fn in filenames:
                if fn.endswith(".go"):
                    rel = os.path.relpath(os.path.join(dirpath, fn), self.root).replace(os.sep, "/")
                    self.by_base[fn].append(rel)
        self.module = _module_path(self.root)
        self._static: dict[tuple[str, int], list[Finding]] | None = None

    def resolve(self, frame_file: str) -> str | None:
        """Path relative to the root for a frame's file, by longest suffix."""
        if not frame_file:
            return None
        path = frame_file.replace("\\", "/")
        base = path.rsplit("/", 1)[-1]
        best = None
        for rel in self.by_base.get(base, ()):
            if path == rel or path.endswith("/" + rel):
                if best is None or len(rel) > len(best):
                    best = rel
        if best is None and self.module and "/" + self.module + "/" in "/" + path:
            # Module-cache style paths: .../github.com/acme/api@v1.2.3/x.go
            tail = path.split(self.module + "/", 1)[1]
            if tail in self.by_base.get(base, ()):
                best = tail
        return best

    def static_findings(self) -> dict[tuple[str, int], list[Finding]]:
        """Static findings by (relpath, line), from the engine when it exists."""
        if self._static is None:
            self._static = {}
            from steadygo import engine  # lazy: the engine pulls in every rule family
            from steadygo.config import Config

            try:
                # base=root makes finding paths relative to the tree, like resolve().
                # Preview rules too: a line the runtime already shows leaking is
                # where a not-yet-default rule's finding is worth reading.
                result = engine.scan([self.root], Config(preview=True), base=self.root)
            except Exception as exc:  # a broken static scan must not lose the runtime report
                raise UserError(f"{self.root}: static scan for --src failed: {exc}") from None
            idx: dict[tuple[str, int], list[Finding]] = defaultdict(list)
            for f in result.findings:
                idx[(f.path.replace(os.sep, "/").lstrip("./"), f.line)].append(f)
            self._static = dict(idx)
        return self._static

    def findings_at(self, rel: str, line: int) -> list[Finding]:
        return self.static_findings().get((rel, line), [])


def _module_path(root: str) -> str | None:
    try:
        with open(os.path.join(root, "go.mod"), encoding="utf-8", errors="replace") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) >= 2 and parts[0] == "module":
                    return parts[1].strip('"')
    except OSError:
        return None
    return None


def link_suspects(analysis, tree: SourceTree) -> None:
    """Fill ``source_link`` and ``static`` on each suspect: the parked user frame
    first, then the creation site."""
    for s in analysis.suspects:
        b = s.bucket
        candidates = []
        top = b.top_user_frame(analysis.module)
        if top is not None:
            candidates.append(top)
        if b.created_by is not None:
            candidates.append(b.created_by)
        links = []
        for fr in candidates:
            rel = tree.resolve(fr.file)
            if rel is None:
                continue
            links.append(f"{rel}:{fr.line}")
            for sf in tree.findings_at(rel, fr.line):
                if sf not in s.static:
                    s.static.append(sf)
        if links:
            s.source_link = ", ".join(dict.fromkeys(links))
