"""Runtime evidence handed to ``check --evidence FILE`` (or its older name ``--runtime``): the JSON report of a
runtime command (``steadygo goroutines|heap|gctrace|memstats ... --format
json``: check's report shape, its findings in the one finding shape, the
evidence under ``"evidence"``; docs/json-format.md), or the bare goroutine
analysis earlier versions wrote.  The HTML report draws the evidence (bucket
chart and growth diff for goroutines); its findings join the run's findings;
the scorecard counts the runtime rules it covers as checked.

Only the fields the reports use are validated, and loosely: a newer
command may add fields without breaking older reports."""

from __future__ import annotations

import json

from steadygo.discovery import printable_name
from steadygo.errors import UserError
from steadygo.findings import Finding, Layer, Severity, finding_from_dict

# The goroutine analysis emits SG901-SG910; a document may name its rules in
# "checked_rules" instead (heap or gctrace evidence, later versions).
GOROUTINE_RULES = tuple(f"SG9{n:02d}" for n in range(1, 11))


def read_json(path: str, what: str = "runtime evidence"):
    """The parsed JSON of an evidence file; anything unreadable is one
    ``UserError`` naming the file (``what`` names the option's input)."""
    try:
        with open(path, encoding="utf-8-sig") as fh:  # -sig: a BOM from an editor is not an error
            return json.load(fh)
    except FileNotFoundError:
        raise UserError(f"{path}: {what} file not found") from None
    except IsADirectoryError:
        raise UserError(f"{path}: {what} file is a directory") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read {what}: {exc.strerror or exc}") from None
    except RecursionError:
        raise UserError(f"{path}: {what} is not usable JSON: nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: {what} is not JSON (write it with a runtime command's JSON report, e.g. "
                        f"'steadygo goroutines DUMP --format json'): {getattr(exc, 'msg', exc)}") from None


def is_live_report(doc) -> bool:
    """A runtime command's JSON report that names its command: evidence
    ``check`` can join with the code (live_evidence), not only draw."""
    ev = doc.get("evidence") if isinstance(doc, dict) and doc.get("schema") == "steadygo-report" else None
    return isinstance(ev, dict) and isinstance(ev.get("command"), str) and bool(ev["command"])


def load(path: str) -> dict:
    return from_json(read_json(path), path)


def from_json(doc, path: str) -> dict:
    """The evidence of a parsed file (a runtime command's report, or the bare
    goroutine analysis of earlier versions), validated."""
    if isinstance(doc, dict) and doc.get("schema") == "steadygo-report":
        return _from_report(doc, path)
    problem = _problem(doc)
    if problem:
        raise UserError(f"{path}: not a goroutine analysis: {problem}")
    doc = dict(doc)
    doc.setdefault("source", path)
    doc["_path"] = path
    return doc


def _from_report(report: dict, path: str) -> dict:
    """A runtime command's JSON report: its evidence, with the findings read
    back through ``finding_from_dict`` (the shape ``finding_to_dict`` wrote)."""
    ev = report.get("evidence")
    if not isinstance(ev, dict):
        raise UserError(f"{path}: a steadygo report without \"evidence\" (write it with a runtime command, "
                        f"e.g. 'steadygo goroutines DUMP --format json')")
    problem = _problem(ev) if ev.get("command", "goroutines") == "goroutines" else None
    if problem is None and not isinstance(report.get("findings"), list):
        problem = '"findings" must be a list'
    if problem:
        raise UserError(f"{path}: not usable runtime evidence: {problem}")
    found = []
    for i, d in enumerate(report["findings"]):
        try:
            f = finding_from_dict(d)
        except (KeyError, ValueError, TypeError):
            raise UserError(f"{path}: finding {i + 1} is malformed") from None
        found.append(f.with_(rule_id=_text(f.rule_id), rule_name=_text(f.rule_name), path=_text(f.path),
                             message=_text(f.message), breakpoint=_text(f.breakpoint)))
    doc = dict(ev)
    doc.setdefault("source", path)
    doc["_path"] = path
    doc["_findings"] = found
    return doc


def _is_count(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


# Top-level counts the reports print; each may be absent (or null where the
# goroutines command writes null), but a present one must be a count, or a
# "total": 1e400 (JSON gives inf) reaches int() in a reporter.
_COUNTS = ("total", "bucket_count", "declared_total")


def _problem(doc) -> str | None:
    if not isinstance(doc, dict):
        return "expected a JSON object"
    for key in _COUNTS:
        if doc.get(key) is not None and not _is_count(doc[key]):
            return f'"{key}" must be a whole number of 0 or more'
    buckets = doc.get("buckets")
    if not isinstance(buckets, list):
        return 'no "buckets" list'
    for i, b in enumerate(buckets):
        if not isinstance(b, dict) or not _is_count(b.get("count")):
            return f'bucket {i + 1} has no "count"'
    diff = doc.get("diff")
    if diff is not None:
        if not isinstance(diff, dict) or not isinstance(diff.get("by_site", []), list):
            return '"diff" must be an object with a "by_site" list'
        for i, g in enumerate(diff.get("by_site", [])):
            if not isinstance(g, dict) or not all(_is_count(g.get(k)) for k in ("before", "after")):
                return f'diff site {i + 1} needs "before" and "after" counts'
    if not isinstance(doc.get("findings", []), list):
        return '"findings" must be a list'
    return None


def findings(doc: dict) -> list[Finding]:
    if "_findings" in doc:
        return list(doc["_findings"])
    # The bare goroutine analysis of earlier versions: "extra" as an object.
    out = []
    for i, d in enumerate(doc.get("findings", [])):
        try:
            sev = Severity.parse(str(d.get("severity", "warning")))
            layer = Layer(d.get("layer", "runtime"))
            line = int(d.get("line") or 0)
            extra = d.get("extra") or {}
            out.append(Finding(
                rule_id=_text(d["rule_id"]), rule_name=_text(d.get("rule_name", "")), severity=sev, layer=layer,
                path=_text(d.get("path") or doc.get("source", "")), line=max(line, 0), col=0,
                message=_text(d.get("message", "")), breakpoint=_text(d.get("breakpoint", "")),
                extra=tuple((_text(k), _text(v)) for k, v in (extra.items() if isinstance(extra, dict) else [])),
            ))
        except (KeyError, ValueError, TypeError, AttributeError, OverflowError):  # Overflow: "line": 1e400
            raise UserError(f"{doc.get('_path', 'runtime evidence')}: finding {i + 1} is malformed") from None
    return out


def _text(value) -> str:
    # JSON may spell lone surrogates ("\ud800"), which no report could encode.
    return printable_name(str(value))


def checked_rules(doc: dict) -> set[str]:
    named = doc.get("checked_rules")
    if isinstance(named, list):
        return {str(r) for r in named}
    return set(GOROUTINE_RULES)
