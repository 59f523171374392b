"""Decisions the code's authors recorded for another linter.

``//nolint:errcheck`` (golangci-lint) or ``// #nosec G112`` (gosec) on a line
says a person looked at exactly the hazard a steadygo rule reports there and
chose to keep it; repeating the finding only teaches them to switch steadygo
off.  golangci-lint reads a directive on the line itself or on the line above
(for a statement that starts there); so do these helpers.
"""

from __future__ import annotations

import functools
import re

from steadygo.golang.parse import ancestors


def _lines_around(file, node) -> list[str]:
    line = node.start_point[0]
    lines = file.lines
    return [lines[i] for i in (line, line - 1) if 0 <= i < len(lines)]


@functools.lru_cache(maxsize=None)
def _nolint_pattern(linter: str) -> re.Pattern:
    return re.compile(r"//nolint(?::[\w,-]*\b" + re.escape(linter) + r"\b|\s|$)")


def nolint_for(file, node, linter: str) -> bool:
    """``//nolint:<linter>`` (among others) or a bare ``//nolint``; a directive
    has no space after ``//``."""
    pattern = _nolint_pattern(linter)
    return any(pattern.search(line) for line in _lines_around(file, node))


def nosec_for(file, node, rules: tuple[str, ...]) -> bool:
    """gosec's ``#nosec`` with no rule list, or naming one of ``rules``
    (``// #nosec G112 -- reason``, ``//#nosec G114``)."""
    for line in _lines_around(file, node):
        m = re.search(r"//\s*#nosec\b([^\n]*)", line)
        if m is None:
            continue
        named = re.findall(r"\bG\d{3}\b", m.group(1).split("--")[0])
        if not named or any(r in named for r in rules):
            return True
    return False


def gosec_weighed_server(file, node) -> bool:
    """gosec's G112 (no ReadHeaderTimeout) and G114 (a serve function that
    cannot take timeouts) are the server-timeout hazard: ``//nolint:gosec``
    or ``#nosec G112``/``G114`` on the server's statement means its authors
    weighed this server's timeouts already."""
    stmt = node
    for parent in ancestors(node, root=file.root):  # a long climb costs the depth once (deep trees)
        if parent.type in ("block", "source_file", "statement_list"):
            break
        stmt = parent
    return any(nolint_for(file, n, "gosec") or nosec_for(file, n, ("G112", "G114")) for n in (node, stmt))
