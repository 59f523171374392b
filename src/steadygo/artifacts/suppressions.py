"""Suppressions for build and deploy findings.

Inline comments work as in Go (``steadygo.suppress``): ``# steadygo:ignore
SG702 -- reason`` on the line or alone on the line above, and
``# steadygo:ignore-file``.  A Kubernetes object can also carry the annotation
``steadygo.dev/ignore: "SG808=single instance by design,SG805=limits from the LimitRange"``,
which covers every finding inside that object's document.  Suppressions that
suppress nothing, name unknown rules or give no reason are reported like Go's
(SG001/SG002).
"""

from __future__ import annotations

import re

from steadygo import registry, suppress
from steadygo.artifacts.facts import ArtifactFacts, ObjectSpan
from steadygo.findings import Finding
from steadygo.golang.rules.sg0_engine import SUPPRESSION_WITHOUT_REASON, UNUSED_SUPPRESSION
from steadygo.redact import redact

_PAIR = re.compile(r"\s*([^=,\s]+)\s*(?:=\s*([^,]*))?")


def apply(findings: list[Finding], facts: ArtifactFacts, lines: dict[str, list[str]],
          enabled: set[str]) -> list[Finding]:
    by_path: dict[str, list[Finding]] = {}
    for f in findings:
        by_path.setdefault(f.path, []).append(f)
    out: list[Finding] = []
    spans: dict[str, list[ObjectSpan]] = {}
    for span in facts.manifests.objects:
        if span.ignore is not None:
            spans.setdefault(span.path, []).append(span)
    # one search of each file's text in C: the marker cannot span lines
    marked = {p for p, text in lines.items() if "steadygo:ignore" in "\n".join(text)}
    for path in sorted(set(by_path) | marked | set(spans)):
        found = by_path.get(path, [])
        source = lines.get(path, [])
        if path in marked:
            sups = suppress.parse_suppressions(source)
            found = suppress.apply(found, sups)
            for line, rid, msg in suppress.hygiene(sups, enabled):
                if rid in enabled:
                    found.append(_hygiene(rid, path, line, msg, source))
        for span in spans.get(path, ()):
            found = _annotation(found, span, enabled, source)
        out.extend(found)
    return out


def _annotation(found: list[Finding], span: ObjectSpan, enabled: set[str], source: list[str]) -> list[Finding]:
    reasons: dict[str, str] = {}
    line = span.ignore_line or span.line
    extra: list[Finding] = []
    for m in _PAIR.finditer(span.ignore or ""):
        name, reason = m.group(1), (m.group(2) or "").strip()
        rule = registry.lookup(name)
        if rule is None:
            extra.append(_hygiene("SG001", span.path, line, f"{span.kind} {span.name}: steadygo.dev/ignore names "
                                                           f"unknown rule {name!r}", source))
            continue
        reasons[rule.meta.id] = reason
        if not reason:
            extra.append(_hygiene("SG002", span.path, line, f"{span.kind} {span.name}: steadygo.dev/ignore "
                                                           f"{rule.meta.id} has no reason; write {rule.meta.id}=why",
                                  source))
    used: set[str] = set()
    out = []
    for f in found:
        if f.rule_id in reasons and span.line <= f.line <= span.end_line and f.suppressed is None:
            used.add(f.rule_id)
            reason = reasons[f.rule_id]
            out.append(f.with_(suppressed=f"annotation: {reason}" if reason else "annotation"))
        else:
            out.append(f)
    for rid in reasons:
        if rid in enabled and rid not in used:
            extra.append(_hygiene("SG001", span.path, line, f"{span.kind} {span.name}: steadygo.dev/ignore {rid} "
                                                           "suppresses nothing here; remove it", source))
    return out + [e for e in extra if e.rule_id in enabled]


def _hygiene(rule_id: str, path: str, line: int, message: str, source: list[str]) -> Finding:
    rule = UNUSED_SUPPRESSION if rule_id == UNUSED_SUPPRESSION.meta.id else SUPPRESSION_WITHOUT_REASON
    meta = rule.meta
    snippet = source[line - 1].strip() if 0 < line <= len(source) else ""
    return Finding(meta.id, meta.name, meta.severity, meta.layer, path, line, 1, message,
                   snippet=redact(snippet), breakpoint=meta.breakpoint)
