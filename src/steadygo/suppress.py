"""Inline suppressions: ``//steadygo:ignore SG101 -- reason`` (this line or the
line above) and ``//steadygo:ignore-file SG101 -- reason``.

Applying them is a processor step, after path excludes and before baselines.
A suppression that matches nothing, names an unknown rule, or gives no reason
is itself reported (info) so stale ones get cleaned up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from steadygo import nolint, registry
from steadygo.findings import Finding
from steadygo.redact import redact

_MARK = "steadygo:ignore"
_RE = re.compile(r"(?://|#)\s*steadygo:ignore(?P<file>-file)?(?:\s+(?P<rules>[^\n]*?))?\s*(?:--\s*(?P<reason>[^\n]*))?$")


@dataclass
class Suppression:
    line: int  # line the comment is on
    whole_file: bool
    rules: list[str]  # ids, resolved; unknown names kept verbatim in ``unknown``
    unknown: list[str]
    reason: str
    standalone: bool  # the comment is alone on its line, so it covers the next line
    used: set[str] = field(default_factory=set)
    # A golangci-lint ``//nolint`` (steadygo.nolint): it serves golangci-lint
    # too, so an unused one or one without a reason is not steadygo's to report.
    from_nolint: bool = False


def parse_suppressions(lines: list[str]) -> list[Suppression]:
    out: list[Suppression] = []
    for i, raw in enumerate(lines, start=1):
        if "//nolint" in raw:
            hit = nolint.parse(raw)
            if hit is not None:
                start = raw.find("//nolint")
                out.append(Suppression(line=i, whole_file=False, rules=hit[0], unknown=[], reason=hit[1],
                                       standalone=raw[:start].strip() == "", from_nolint=True))
        if _MARK not in raw:
            continue
        pos = raw.find("//")
        hashpos = raw.find("#")
        start = pos if pos >= 0 else hashpos
        if start < 0:
            continue
        m = _RE.search(raw[start:])
        if m is None:
            continue
        names = [n for n in re.split(r"[,\s]+", (m.group("rules") or "").strip()) if n]
        ids, unknown = [], []
        for n in names:
            rule = registry.lookup(n)
            (ids.append(rule.meta.id) if rule else unknown.append(n))
        out.append(
            Suppression(
                line=i,
                whole_file=bool(m.group("file")),
                rules=ids,
                unknown=unknown,
                reason=(m.group("reason") or "").strip(),
                standalone=raw[:start].strip() == "",
            )
        )
    return out


def apply(findings: list[Finding], sups: list[Suppression]) -> list[Finding]:
    if not sups:
        return findings
    by_line: dict[int, list[Suppression]] = {}
    file_level: list[Suppression] = []
    for s in sups:
        if s.whole_file:
            file_level.append(s)
            continue
        by_line.setdefault(s.line, []).append(s)
        if s.standalone:
            by_line.setdefault(s.line + 1, []).append(s)
    out = []
    for f in findings:
        hit = None
        for s in file_level + by_line.get(f.line, []):
            if f.rule_id in s.rules:
                hit = s
                break
        if hit is not None:
            hit.used.add(f.rule_id)
            out.append(f.with_(suppressed=f"inline: {hit.reason}" if hit.reason else "inline"))
        else:
            out.append(f)
    return out


def hygiene(sups: list[Suppression], enabled: set[str]) -> list[tuple[int, str, str]]:
    """(line, rule id, message) for suppressions that need attention."""
    out = []
    for s in sups:
        if s.from_nolint:
            continue
        kind = "ignore-file" if s.whole_file else "ignore"
        if not s.rules and not s.unknown:
            out.append((s.line, "SG001", f"steadygo:{kind} names no rule; name the rule it is for"))
        for u in s.unknown:
            out.append((s.line, "SG001", f"steadygo:{kind} names unknown rule {u!r}"))
        for rid in s.rules:
            if rid in enabled and rid not in s.used:
                out.append((s.line, "SG001", f"steadygo:{kind} {rid} suppresses nothing here; remove it"))
        if (s.rules or s.unknown) and not s.reason:
            out.append((s.line, "SG002", f"steadygo:{kind} has no reason; add '-- why this is safe'"))
    return out


@dataclass
class FileSuppressions:
    """One file's ``steadygo:ignore`` comments, as the engine found them, with
    the text of their lines (for the hygiene findings' snippets).  Plain data:
    it travels from the workers and through the cache."""

    path: str
    items: list[Suppression]
    lines: dict[int, str]

    def apply(self, findings: list[Finding], enabled) -> list[Finding]:
        from steadygo.golang.rules.sg0_engine import SUPPRESSION_WITHOUT_REASON, UNUSED_SUPPRESSION

        sups = [Suppression(s.line, s.whole_file, list(s.rules), list(s.unknown), s.reason, s.standalone,
                            from_nolint=s.from_nolint) for s in self.items]
        out = apply(findings, sups)
        for line, rid, msg in hygiene(sups, enabled):
            rule = UNUSED_SUPPRESSION if rid == UNUSED_SUPPRESSION.meta.id else SUPPRESSION_WITHOUT_REASON
            if rule.meta.id in enabled:
                meta = rule.meta
                out.append(Finding(meta.id, meta.name, meta.severity, meta.layer, self.path, line, 1, msg,
                                   snippet=redact(self.lines.get(line, "").strip()), breakpoint=meta.breakpoint))
        return out

    def to_dict(self) -> dict:
        return {"path": self.path, "lines": {str(k): v for k, v in self.lines.items()},
                "items": [[s.line, s.whole_file, s.rules, s.unknown, s.reason, s.standalone, s.from_nolint]
                          for s in self.items]}

    @classmethod
    def from_dict(cls, d: dict) -> "FileSuppressions":
        items = []
        for line, whole, rules, unknown, reason, standalone, from_nolint in d["items"]:
            if not (isinstance(line, int) and isinstance(reason, str) and all(isinstance(r, str) for r in rules + unknown)):
                raise ValueError("malformed suppression")
            items.append(Suppression(line, bool(whole), list(rules), list(unknown), reason, bool(standalone),
                                     from_nolint=bool(from_nolint)))
        return cls(str(d["path"]), items, {int(k): str(v) for k, v in d["lines"].items()})


def file_suppressions(path: str, lines: list[str]) -> FileSuppressions | None:
    sups = parse_suppressions(lines)
    if not sups:
        return None
    return FileSuppressions(path, sups, {s.line: lines[s.line - 1] for s in sups})
