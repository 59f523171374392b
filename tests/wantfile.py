"""Inline expectations for fixtures (x/tools analysistest style).

Go:          offending_line() // want "SG101" "SG105"
YAML:        key: value  # want: SG812
Dockerfile:  # want-next: SG702     (on the line before; Dockerfiles allow only whole-line comments)
Header:      //steadygo:config go=1.22 select=SG1,SG0 include-tests
"""

from __future__ import annotations

import re
from collections import Counter

_GO_WANT = re.compile(r"//\s*want\s+((?:\"SG\d{3}\"\s*)+)")
_HASH_WANT = re.compile(r"#\s*want:\s*((?:SG\d{3}[\s,]*)+)")
_WANT_NEXT = re.compile(r"#\s*want-next:\s*((?:SG\d{3}[\s,]*)+)")
_CONFIG = re.compile(r"(?://|#)\s*steadygo:config\s+(.*)$")
_ID = re.compile(r"SG\d{3}")


def expectations(text: str) -> Counter:
    want: Counter = Counter()
    for i, line in enumerate(text.splitlines(), start=1):
        for m in _GO_WANT.finditer(line):
            for rid in _ID.findall(m.group(1)):
                want[(i, rid)] += 1
        for m in _HASH_WANT.finditer(line):
            for rid in _ID.findall(m.group(1)):
                want[(i, rid)] += 1
        for m in _WANT_NEXT.finditer(line):
            for rid in _ID.findall(m.group(1)):
                want[(i + 1, rid)] += 1
    return want


def header_config(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines()[:15]:
        m = _CONFIG.search(line)
        if m:
            for item in m.group(1).split():
                k, _, v = item.partition("=")
                out[k] = v or "true"
    return out


def diff(want: Counter, got: Counter) -> str:
    missing = want - got
    extra = got - want
    lines = []
    for (line, rid), n in sorted(missing.items()):
        lines.append(f"  missing: line {line}: {rid}" + (f" x{n}" if n > 1 else ""))
    for (line, rid), n in sorted(extra.items()):
        lines.append(f"  unexpected: line {line}: {rid}" + (f" x{n}" if n > 1 else ""))
    return "\n".join(lines)
