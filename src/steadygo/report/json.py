"""Machine-readable report.  Schema documented in docs/json-format.md; bump
SCHEMA_VERSION on any incompatible change."""

from __future__ import annotations

import json
import re
from collections import Counter

from steadygo import __version__
from steadygo.findings import finding_to_dict
from steadygo.report import Reporter, RunReport

SCHEMA_VERSION = 1
# json.dumps escapes C0 controls but, with ensure_ascii=False, writes DEL and
# the C1 controls as they are (0x9b is a one-byte CSI to some terminals, and
# people do `cat report.json`); and it writes lone surrogates, which no UTF-8
# writer accepts.  The same \uXXXX escapes keep the JSON identical in meaning.
_RAW_IN_JSON = re.compile("[\x7f-\x9f\ud800-\udfff]")


def dumps(doc) -> str:
    """Indented JSON, UTF-8 kept readable, every control character escaped."""
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def summary(report: RunReport) -> dict:
    res = report.result
    active = res.active
    return {
        "files": res.files,
        "lines": res.lines,
        "packages": res.packages,
        "findings": len(active),
        "suppressed": len(res.findings) - len(active),
        "by_severity": dict(sorted(Counter(f.severity.label for f in active).items())),
        "by_layer": dict(sorted(Counter(f.layer.value for f in active).items())),
        "by_rule": dict(sorted(Counter(f.rule_id for f in active).items())),
        "seconds": round(res.seconds, 3),
    }


class JsonReporter(Reporter):
    name = "json"

    def render(self, report: RunReport) -> str:
        res = report.result
        doc = {
            "schema": "steadygo-report",
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "steadygo", "version": __version__},
            "fail_on": report.config.fail_on.label,
            "exit_code": report.exit_code,
            "summary": summary(report),
            "findings": [finding_to_dict(f) for f in res.findings],
            "diagnostics": [{"path": d.path, "message": d.message, "level": d.level} for d in res.diagnostics],
            "notes": report.notes,
        }
        if report.evidence is not None:
            # What a runtime command saw besides its findings (docs/json-format.md).
            doc["evidence"] = report.evidence
        return dumps(doc)
