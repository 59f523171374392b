"""JUnit XML for CI test dashboards: one test case per enabled rule.

A rule fails its test case when it has active findings at or above
``fail-on`` (the same line the exit code draws); lower-severity findings are
listed in ``system-out`` so they are visible without turning the case red."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from steadygo import registry
from steadygo.report import Reporter, RunReport
from steadygo.textsafe import escape_control

# XML 1.0 cannot carry most control characters, even escaped, and CI logs
# render escape sequences: control characters from scanned names and code
# are shown as \xNN (escape_control); the non-characters and lone
# surrogates XML also refuses are dropped.
_INVALID_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    return "\n".join(_INVALID_XML.sub("", escape_control(line)) for line in text.split("\n"))


def _line(f) -> str:
    loc = f"{f.path}:{f.line}:{f.col}" if f.line > 0 else f.path
    return f"{loc}: {f.rule_id} {f.severity.label}: {f.message}"


class JunitReporter(Reporter):
    name = "junit"

    def render(self, report: RunReport) -> str:
        res = report.result
        fail_on = report.config.fail_on
        by_rule = defaultdict(list)
        for f in res.active:
            by_rule[f.rule_id].append(f)
        rule_ids = sorted(set(res.enabled_rules) | set(by_rule))
        failures = 0
        suite = ET.Element("testsuite", name="steadygo")
        for rid in rule_ids:
            rule = registry.lookup(rid)
            found = by_rule.get(rid, [])
            # Findings from runtime evidence may name rules this build does not register.
            name = rule.meta.name if rule else (found[0].rule_name if found else "")
            layer = rule.meta.layer.value if rule else (found[0].layer.value if found else "code")
            case = ET.SubElement(suite, "testcase", classname=f"steadygo.{layer}", name=_clean(f"{rid} {name}".strip()), time="0")
            failing = [f for f in found if f.severity >= fail_on]
            quiet = [f for f in found if f.severity < fail_on]
            if failing:
                failures += 1
                worst = max(f.severity for f in failing)
                msg = f"{len(failing)} finding{'s' if len(failing) != 1 else ''}: {failing[0].message}"
                el = ET.SubElement(case, "failure", message=_clean(msg), type=worst.label)
                el.text = _clean("\n".join(_line(f) for f in failing))
            if quiet:
                out = ET.SubElement(case, "system-out")
                out.text = _clean("\n".join(_line(f) for f in quiet))
        suite.set("tests", str(len(rule_ids)))
        suite.set("failures", str(failures))
        suite.set("errors", str(sum(1 for d in res.diagnostics if d.level == "error")))
        suite.set("skipped", "0")
        suite.set("time", f"{res.seconds:.3f}")
        if res.diagnostics:
            err = ET.SubElement(suite, "system-err")
            err.text = _clean("\n".join(d.line() for d in res.diagnostics))
        root = ET.Element("testsuites", name="steadygo", tests=suite.get("tests"), failures=suite.get("failures"),
                          errors=suite.get("errors"), time=suite.get("time"))
        root.append(suite)
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
