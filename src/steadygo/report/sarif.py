"""SARIF 2.1.0, shaped for GitHub code scanning.

Choices that matter for code scanning:
- the driver declares every registered rule, not only the ones that fired, so
  a rule that ran and found nothing can close its old alerts;
- ``ruleId`` is the rule id (SG101); ``help`` carries the rule's whole doc
  page, and ``helpUri`` is set only when the user configured ``docs-url``
  (steadygo has no public site to point at);
- locations are relative URIs under ``%SRCROOT%`` (run from the repository
  root in CI so they match the repository's paths);
- suppressed findings stay in with a ``suppressions`` entry: inline comments
  are ``inSource``, baseline matches are ``external``;
- ``partialFingerprints`` carries our line-independent fingerprint so alerts
  follow code that moves.
"""

from __future__ import annotations

import os
import pathlib
from urllib.parse import quote

from steadygo import __version__, docs_pages, registry
from steadygo.discovery import printable_name
from steadygo.findings import Finding, Severity
from steadygo.report import Reporter, RunReport
from steadygo.report.json import dumps

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "steadygo/v1"
SRCROOT = "%SRCROOT%"

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# GitHub reads problem.severity to rank non-security alerts.
PROBLEM_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "recommendation"}


def _rule_descriptor(rule, config) -> dict:
    m = rule.meta
    page = docs_pages.page(m.id)
    full = docs_pages.section(page, "## What it does") if page else ""
    if not full:
        full = f"{m.summary} Breakpoint: {m.breakpoint}"
    help_md = page or f"# {m.id}: {m.name}\n\n{m.summary}\n\nBreakpoint: {m.breakpoint}\n"
    desc = {
        "id": m.id,
        "name": m.name,
        "shortDescription": {"text": m.summary},
        "fullDescription": {"text": full},
        "help": {"text": help_md, "markdown": help_md},
    }
    url = docs_pages.rule_url(config, m.id)
    if url:
        desc["helpUri"] = url
    desc["defaultConfiguration"] = {"level": LEVEL[m.severity], "enabled": True}
    desc["properties"] = {
        "tags": ["steadygo", m.layer.value, f"family/{m.id[:3]}"] + (["preview"] if m.status == "preview" else []),
        "problem.severity": PROBLEM_SEVERITY[m.severity],
        "precision": "medium" if m.status == "preview" else "high",
        "breakpoint": m.breakpoint,
    }
    return desc


def artifact_location(path: str) -> dict:
    """Relative paths become percent-encoded URIs under %SRCROOT%; a path
    outside the scan base (shown absolute) becomes a file: URI."""
    path = printable_name(path)  # a URI is percent-encoded UTF-8: no lone surrogates
    if os.path.isabs(path):
        return {"uri": pathlib.Path(path).as_uri()}
    return {"uri": quote(path.replace(os.sep, "/"), safe="/-._~"), "uriBaseId": SRCROOT}


def _suppressions(f: Finding, baseline_path: str | None) -> list[dict]:
    if f.suppressed is None:
        return []
    if f.suppressed == "baseline":
        return [{"kind": "external", "status": "accepted",
                 "justification": f"in baseline {baseline_path}" if baseline_path else "in baseline"}]
    reason = f.suppressed.partition(":")[2].strip()
    sup = {"kind": "inSource", "status": "accepted"}
    if reason:
        sup["justification"] = reason
    return [sup]


class _CodePointColumns:
    """Findings count columns in bytes (Go's convention, see
    docs/json-format.md); this run declares ``unicodeCodePoints``, so a
    column on a line with non-ASCII text is converted by reading that line.
    When the file cannot be read (gone since the scan) the byte column
    stands: it is exact on the ASCII lines that are the great majority."""

    def __init__(self, base: str):
        self.base = base
        self._lines: dict[str, list[bytes] | None] = {}

    def _line(self, path: str, line: int) -> bytes | None:
        if path not in self._lines:
            full = path if os.path.isabs(path) else os.path.join(self.base, path)
            try:
                with open(full, "rb") as fh:
                    self._lines[path] = fh.read().split(b"\n")
            except OSError:
                self._lines[path] = None
        lines = self._lines[path]
        if lines is None or not 1 <= line <= len(lines):
            return None
        return lines[line - 1]

    def convert(self, path: str, line: int, byte_col: int) -> int:
        raw = self._line(path, line)
        if raw is None or raw.isascii():
            return byte_col
        return len(raw[: byte_col - 1].decode("utf-8", "replace")) + 1


def _fix(f: Finding, columns: "_CodePointColumns") -> dict:
    """SARIF 2.1.0 fix: one artifactChange of replacements (deletedRegion +
    insertedContent), regions in the run's code-point columns."""
    def region(line: int, col: int) -> tuple[int, int]:
        return line, columns.convert(f.path, line, col)

    replacements = []
    for e in f.fix.edits:
        sl, sc = region(e.start_line, e.start_col)
        el, ec = region(e.end_line, e.end_col)
        replacements.append({"deletedRegion": {"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec},
                             "insertedContent": {"text": e.text}})
    return {"description": {"text": f.fix.description},
            "artifactChanges": [{"artifactLocation": artifact_location(f.path), "replacements": replacements}]}


def _result(f: Finding, rule_index: dict[str, int], baseline_path: str | None, with_baseline: bool,
            columns: _CodePointColumns) -> dict:
    res: dict = {"ruleId": f.rule_id}
    if f.rule_id in rule_index:
        res["ruleIndex"] = rule_index[f.rule_id]
    res["level"] = LEVEL[f.severity]
    res["message"] = {"text": f.message}
    phys: dict = {"artifactLocation": artifact_location(f.path)}
    if f.line > 0:
        region: dict = {"startLine": f.line}
        col = columns.convert(f.path, f.line, f.col) if f.col > 0 else 0
        if col > 0:
            region["startColumn"] = col
        if f.end_line >= f.line:
            region["endLine"] = f.end_line
            end_col = columns.convert(f.path, f.end_line, f.end_col) if f.end_col > 0 else 0
            if end_col > 0 and (f.end_line > f.line or end_col > col):
                region["endColumn"] = end_col
        if f.snippet:
            region["snippet"] = {"text": f.snippet}
        phys["region"] = region
    res["locations"] = [{"physicalLocation": phys}]
    if f.related:  # a cross-artifact finding names every file it joins
        res["relatedLocations"] = [
            {"id": i, "message": {"text": msg or path},
             "physicalLocation": {"artifactLocation": artifact_location(path),
                                  **({"region": {"startLine": line}} if line > 0 else {})}}
            for i, (path, line, msg) in enumerate(f.related, 1)]
    if f.fix is not None and f.fix.edits:
        res["fixes"] = [_fix(f, columns)]
    if f.fingerprint:
        res["partialFingerprints"] = {FINGERPRINT_KEY: f.fingerprint}
    sups = _suppressions(f, baseline_path)
    if sups:
        res["suppressions"] = sups
    if with_baseline:
        res["baselineState"] = "unchanged" if f.suppressed == "baseline" else "new"
    props = {"layer": f.layer.value}
    if f.breakpoint:
        props["breakpoint"] = f.breakpoint
    if f.live is not None:  # check --evidence: proved or contradicted by a live run (docs/evidence.md)
        props["live"] = f.live.to_dict()
    res["properties"] = props
    return res


def _descriptor_from_finding(f: Finding) -> dict:
    """Runtime evidence can carry rules this build does not register; code
    scanning wants every ruleId declared, so declare it from the finding."""
    text = f.rule_name or f.rule_id
    return {
        "id": f.rule_id,
        "name": text,
        "shortDescription": {"text": text},
        "fullDescription": {"text": f.breakpoint or text},
        "defaultConfiguration": {"level": LEVEL[f.severity], "enabled": True},
        "properties": {"tags": ["steadygo", f.layer.value, f"family/{f.rule_id[:3]}"]},
    }


def document(report: RunReport) -> dict:
    registered = list(registry.all_rules())
    descriptors = [_rule_descriptor(r, report.config) for r in registered]
    rule_index = {r.meta.id: i for i, r in enumerate(registered)}
    for f in report.result.findings:
        if f.rule_id not in rule_index:
            rule_index[f.rule_id] = len(descriptors)
            descriptors.append(_descriptor_from_finding(f))
    baseline = report.baseline
    baseline_path = getattr(baseline, "path", None)
    res = report.result
    notifications = [
        {
            "level": "error" if d.level == "error" else "warning",
            "message": {"text": d.message},
            "locations": [{"physicalLocation": {"artifactLocation": artifact_location(d.path)}}],
        }
        for d in res.diagnostics
    ]
    invocation: dict = {"executionSuccessful": report.exit_code != 2, "exitCode": report.exit_code}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    base_uri = pathlib.Path(os.path.abspath(report.base)).as_uri().rstrip("/") + "/"
    columns = _CodePointColumns(report.base)
    run = {
        "tool": {
            "driver": {
                "name": "steadygo",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": descriptors,
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": base_uri}},
        "invocations": [invocation],
        "results": [_result(f, rule_index, baseline_path, baseline is not None, columns) for f in res.findings],
        "columnKind": "unicodeCodePoints",
        "properties": {"failOn": report.config.fail_on.label},
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


class SarifReporter(Reporter):
    name = "sarif"

    def render(self, report: RunReport) -> str:
        return dumps(document(report))
