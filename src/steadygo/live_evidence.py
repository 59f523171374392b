"""One verdict: ``check --evidence FILE`` joins what a live run saw with what
the code says (docs/evidence.md).

An evidence file is the JSON report of a runtime command (``probe``,
``shutdown-test``, ``chaos``, ``goroutines``, ``heap``, ``gctrace``,
``memstats``, ``metrics``): check's report shape plus an ``evidence`` object
naming the ``command``, the ``target`` or ``source`` it looked at and the
``checked_rules`` it really evaluated.  Each live rule declares in
``RuleMeta.proves`` the static rules a finding of it confirms.  Then, for a
static finding of rule R:

- *proved*: a live finding of a rule L with R in L.proves; when the live
  finding names source lines (``code_location`` extras: a goroutine's
  creation site, a heap allocation site) one of them must be the static
  finding's line (or a line it joins); when it only has a URL, the rule alone
  matches and the verdict says so.
- *contradicted*: not proved, and some evidence file checked such an L and
  found nothing.  The finding stays (the live run may never have taken the
  code path); it is marked.

A proved finding is raised one severity level: what the code suggested, the
running service did.  The join knows nothing about any particular command,
so evidence of live rules added later joins without a change here.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache

from steadygo.errors import UserError
from steadygo.findings import CODE_LOCATION, Finding, Layer, LiveVerdict, Severity

_HOW_TO = "write it with a runtime command's JSON report, e.g. 'steadygo goroutines URL --format json=FILE'"


@dataclass(frozen=True)
class EvidenceFile:
    path: str
    command: str
    target: str  # the URL or file the live run looked at
    checked: frozenset[str]
    findings: tuple[Finding, ...]
    doc: dict  # the evidence as ``report.evidence.load`` reads it, for the HTML report to draw


def load(path: str) -> EvidenceFile:
    """One evidence file, validated; anything unusable is a ``UserError``
    naming the file (exit 2), never a traceback."""
    from steadygo.report import evidence as report_evidence

    return from_report(report_evidence.read_json(path, "evidence"), path)


def from_report(report, path: str) -> EvidenceFile:
    """The evidence of a parsed runtime command report (``check --evidence``,
    and ``--runtime`` given such a report)."""
    from steadygo.report import evidence as report_evidence

    if not report_evidence.is_live_report(report):
        raise UserError(f"{path}: not steadygo evidence (no \"evidence\" object naming its \"command\"); {_HOW_TO}")
    ev = report["evidence"]
    checked = ev.get("checked_rules")
    if not isinstance(checked, list) or not all(isinstance(r, str) for r in checked):
        raise UserError(f"{path}: evidence \"checked_rules\" must be a list of rule ids")
    target = ev.get("target", ev.get("source", ""))
    if not isinstance(target, str):
        raise UserError(f"{path}: evidence \"target\"/\"source\" must be a URL or file name")
    doc = report_evidence.from_json(report, path)  # the findings, read back and checked finding by finding
    if target and "source" not in ev:
        doc["source"] = target  # the HTML report heads the evidence with what it looked at, not the file
    found = tuple(report_evidence.findings(doc))
    return EvidenceFile(path=path, command=ev["command"], target=target or path, checked=frozenset(checked),
                        findings=found, doc=doc)


def live_findings(files: list[EvidenceFile]) -> list[Finding]:
    """Every live finding once: the same evidence given twice, or two files
    of one run, repeat fingerprints (the runtime command assigned them)."""
    seen: set = set()
    out = []
    for ef in files:
        for f in ef.findings:
            key = f.fingerprint or (f.rule_id, f.path, f.line, f.message)
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


@dataclass
class Join:
    """The ``live`` processor of the pipeline (``pipeline.live_join``)."""

    files: list[EvidenceFile]
    base: str  # the directory static finding paths are relative to
    proves: dict[str, tuple[str, ...]]  # live rule id -> static rule ids (RuleMeta.proves)

    @classmethod
    def of(cls, files: list[EvidenceFile], base: str) -> "Join":
        from steadygo import registry

        proves = {r.id: tuple(r.meta.proves) for r in registry.all_rules() if r.meta.proves}
        return cls(files=files, base=base, proves=proves)

    def __call__(self, findings: list[Finding]) -> list[Finding]:
        return [self.judge(f) if f.layer != Layer.RUNTIME else f for f in findings]

    def judge(self, f: Finding) -> Finding:
        verdict = self._proof(f) or self._contradiction(f)
        if verdict is None:
            return f
        if verdict.verdict == "proved":
            return f.with_(live=verdict, severity=Severity(min(f.severity + 1, Severity.ERROR)))
        return f.with_(live=verdict)

    def _proof(self, f: Finding) -> LiveVerdict | None:
        by_rule = None
        for ef in self.files:
            for lf in ef.findings:
                if f.rule_id not in self.proves.get(lf.rule_id, ()):
                    continue
                locations = [v for k, v in lf.extra if k == CODE_LOCATION]
                if not locations:
                    by_rule = by_rule or LiveVerdict("proved", lf.rule_id, ef.path, lf.message, "rule",
                                                     ef.command, ef.target)
                elif any(self._at(loc, f) for loc in locations):
                    return LiveVerdict("proved", lf.rule_id, ef.path, lf.message, "location", ef.command,
                                       ef.target)
        return by_rule

    def _contradiction(self, f: Finding) -> LiveVerdict | None:
        for ef in self.files:
            reported = {lf.rule_id for lf in ef.findings}
            for rule in sorted(ef.checked):
                if f.rule_id in self.proves.get(rule, ()) and rule not in reported:
                    return LiveVerdict("contradicted", rule, ef.path, f"{ef.command} checked {rule} on {ef.target} "
                                       f"and found nothing", "rule", ef.command, ef.target)
        return None

    def _at(self, location: str, f: Finding) -> bool:
        """Whether FILE:LINE (the build machine's path) is the static
        finding's line, or a line its ``related`` places name."""
        file, _, line = location.rpartition(":")
        # isdigit() alone lets '²' through to int(); evidence can carry any text
        if not (0 < len(line) <= 9 and line.isascii() and line.isdigit()):
            return False
        n = int(line)
        places = [(f.path, f.line)] + [(p, ln) for p, ln, _ in f.related]
        return any(ln == n and same_source_file(file, p, self.base) for p, ln in places)


def same_source_file(live_file: str, static_path: str, base: str) -> bool:
    """A frame's file against a static finding's path.  An absolute frame
    path (the build machine's checkout) matches when it ends with the file's
    path inside its module; a -trimpath path (module path, maybe @version,
    then the file) must name the same module."""
    live = live_file.replace("\\", "/")
    static = static_path.replace("\\", "/")
    if live == static:
        return True
    full = os.path.normpath(os.path.join(base, static_path))
    root, module_path = _module_of(os.path.dirname(full))
    rel = static.removeprefix("./") if root is None else os.path.relpath(full, root).replace(os.sep, "/")
    if live.startswith("/") or _DRIVE.match(live):
        return live.endswith("/" + rel)
    if module_path:
        return _VERSION.sub("", live) == f"{module_path}/{rel}"
    return live == rel or live.endswith("/" + rel)


_DRIVE = re.compile(r"^[A-Za-z]:/")
_VERSION = re.compile(r"@[^/]+")  # module cache: github.com/acme/api@v1.2.3/x.go


@lru_cache(maxsize=1024)
def _module_of(d: str) -> tuple[str | None, str]:
    """The closest directory at or above ``d`` with a go.mod, and its module path."""
    from steadygo.golang import gomod

    probe = d
    while True:
        path = os.path.join(probe, "go.mod")
        if os.path.isfile(path):
            try:
                with open(path, encoding="utf-8", errors="replace") as fh:
                    return probe, gomod.parse(fh.read()).module or ""
            except (OSError, ValueError):
                return probe, ""
        parent = os.path.dirname(probe)
        if parent == probe:
            return None, ""
        probe = parent


__all__ = ["EvidenceFile", "Join", "load", "live_findings", "same_source_file"]
