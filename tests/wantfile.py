"""Inline expectations for fixtures (x/tools analysistest style).

Go:          offending_line() // want "SG101" "SG105"
             offending_line() // want "SG201:info /new context chain/"   (severity and/or a
                                  message pattern, a Python regex searched in the message)
YAML:        key: value  # want: SG812
go.mod:      require example.com/x v1.0.0  // want: SG711
Dockerfile:  # want-next: SG702     (on the line before; Dockerfiles allow only whole-line comments)
Header:      //steadygo:config go=1.22 select=SG1,SG0 include-tests
"""

from __future__ import annotations

import re
from collections import Counter

_GO_ITEM = r'"SG\d{3}(?::(?:error|warning|info))?(?:\s+/(?:[^"\\]|\\.)*/)?"'
_GO_WANT = re.compile(r"//\s*want\s+((?:" + _GO_ITEM + r"\s*)+)")
_GO_DETAIL = re.compile(r'"(SG\d{3})(?::(error|warning|info))?(?:\s+/((?:[^"\\]|\\.)*)/)?"')
_HASH_WANT = re.compile(r"#\s*want:\s*((?:SG\d{3}[\s,]*)+)")
_SLASH_WANT = re.compile(r"//\s*want:\s*((?:SG\d{3}[\s,]*)+)")  # go.mod: require x v1  // want: SG711
_WANT_NEXT = re.compile(r"#\s*want-next:\s*((?:SG\d{3}[\s,]*)+)")
_CONFIG = re.compile(r"(?://|#)\s*steadygo:config\s+(.*)$")
_ID = re.compile(r"SG\d{3}")


def expectations(text: str) -> Counter:
    want: Counter = Counter()
    for i, line in enumerate(text.splitlines(), start=1):
        for m in _GO_WANT.finditer(line):
            for d in _GO_DETAIL.finditer(m.group(1)):
                want[(i, d.group(1))] += 1
        for m in _SLASH_WANT.finditer(line):
            for rid in _ID.findall(m.group(1)):
                want[(i, rid)] += 1
        for m in _HASH_WANT.finditer(line):
            for rid in _ID.findall(m.group(1)):
                want[(i, rid)] += 1
        for m in _WANT_NEXT.finditer(line):
            for rid in _ID.findall(m.group(1)):
                want[(i + 1, rid)] += 1
    return want


def details(text: str) -> list[tuple[int, str, str | None, str | None]]:
    """(line, rule id, severity, message pattern) of every Go want that says
    more than the id."""
    out = []
    for i, line in enumerate(text.splitlines(), start=1):
        for m in _GO_WANT.finditer(line):
            for d in _GO_DETAIL.finditer(m.group(1)):
                if d.group(2) or d.group(3) is not None:
                    out.append((i, d.group(1), d.group(2), d.group(3)))
    return out


def detail_problems(text: str, findings) -> list[str]:
    """Wants with a severity or message pattern that no finding of that rule
    on that line satisfies (each finding satisfies one want)."""
    problems = []
    pool = list(findings)
    for line, rid, sev, pattern in details(text):
        hit = next((f for f in pool if f.line == line and f.rule_id == rid
                    and (sev is None or f.severity.name.lower() == sev)
                    and (pattern is None or re.search(pattern, f.message))), None)
        if hit is None:
            got = [(f.severity.name.lower(), f.message) for f in pool if f.line == line and f.rule_id == rid]
            problems.append(f"  line {line}: {rid}:{sev or '*'} /{pattern or ''}/ not matched by {got}")
        else:
            pool.remove(hit)
    return problems


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
