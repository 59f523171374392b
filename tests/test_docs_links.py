"""Issue 19, "docs links that exist": reports carry the rule's own page and
link out only to a ``docs-url`` the user configured."""

from __future__ import annotations

import html
import json
import re

import jsonschema

from steadygo import docs_pages, registry
from steadygo.config import Config
from steadygo.engine import ScanResult
from steadygo.findings import Finding, Layer, Severity, assign_fingerprints
from steadygo.report import RunReport
from steadygo.report.html import HtmlReporter, doc_html
from steadygo.report.markdown import MarkdownReporter
from steadygo.report.sarif import SarifReporter

from test_report_formats import sarif_schema

TEAM_DOCS = "https://docs.example.internal/steadygo/{id}.html"


def _report(docs_url=None, rule_id="SG101") -> RunReport:
    f = Finding(rule_id, "server-without-any-timeout", Severity.ERROR, Layer.CODE, "main.go", 3, 2, "m",
                snippet="http.ListenAndServe(addr, nil)")
    cfg = Config()
    if docs_url is not None:
        cfg.docs_url = docs_url  # the docs-url setting (config.py gains the field in parallel)
    res = ScanResult(findings=assign_fingerprints([f]), files=1, lines=5, packages=1, enabled_rules=[rule_id], roots=["."])
    return RunReport(res, cfg, 1, base="/nonexistent")


def test_sarif_without_docs_url_embeds_the_page_and_links_nowhere():
    doc = json.loads(SarifReporter().render(_report()))
    jsonschema.validate(doc, sarif_schema())
    driver = doc["runs"][0]["tool"]["driver"]
    assert "informationUri" not in driver
    assert all("helpUri" not in r for r in driver["rules"])
    sg101 = next(r for r in driver["rules"] if r["id"] == "SG101")
    assert sg101["help"] == {"text": docs_pages.page("SG101"), "markdown": docs_pages.page("SG101")}
    assert "https://github.com/steadygo" not in json.dumps(doc)


def test_sarif_with_docs_url_links_every_rule_there():
    doc = json.loads(SarifReporter().render(_report(TEAM_DOCS)))
    jsonschema.validate(doc, sarif_schema())
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    with_page = [r for r in rules if docs_pages.page(r["id"])]
    assert with_page and all(r["helpUri"] == TEAM_DOCS.format(id=r["id"]) for r in with_page)


def test_docs_url_must_be_http_and_is_encoded():
    cfg = Config()
    cfg.docs_url = "javascript:alert(1)//{id}"
    assert docs_pages.rule_url(cfg, "SG101") is None
    cfg.docs_url = 'https://x.example/a b"(c)/{id}'
    assert docs_pages.rule_url(cfg, "SG101") == "https://x.example/a%20b%22%28c%29/SG101"
    assert docs_pages.rule_url(Config(), "SG101") is None
    cfg.docs_url = TEAM_DOCS
    assert docs_pages.rule_url(cfg, "../../etc/passwd") is None  # ids from evidence name no page


def test_html_rule_panel_shows_the_page_and_links_in_page():
    out = HtmlReporter().render(_report())
    assert '<a href="#rule-SG101">SG101</a>' in out
    panel = re.search(r'<details class="rule-doc" id="rule-SG101">.*?</details>', out, re.S).group()
    assert "<h4>What it does</h4>" in panel and "<h4>Known limits</h4>" in panel
    assert html.escape("http.ListenAndServe", quote=True) in panel
    assert "github.com/steadygo" not in out and 'href="http' not in out


def test_html_rule_panel_links_to_the_configured_docs():
    out = HtmlReporter().render(_report(TEAM_DOCS))
    assert f'<a href="{TEAM_DOCS.format(id="SG101")}" rel="noreferrer">' in out


def test_doc_html_escapes_and_renders_the_subset():
    page = ("# T\n\n## What <it> does\nText with `<code>` and <b>tags</b>.\n\n- one\n  more\n- two\n\n"
            "```go\nx := \"<script>\"\n```\n")
    out = doc_html(page)
    assert "<script>" not in out and "<b>" not in out
    assert "<h4>What &lt;it&gt; does</h4>" in out
    assert "<code>&lt;code&gt;</code>" in out
    assert "<ul><li>one more</li><li>two</li></ul>" in out
    assert out.count("<pre><code>") == 1


def test_html_panel_for_a_rule_without_a_page():
    out = HtmlReporter().render(_report(rule_id="SG999"))
    assert 'id="rule-SG999"' in out and "No documentation for this rule" in out


def test_markdown_links_only_with_docs_url():
    plain = MarkdownReporter().render(_report())
    assert "](http" not in plain and "| SG101 server-without-any-timeout |" in plain
    linked = MarkdownReporter().render(_report(TEAM_DOCS))
    assert f"[SG101]({TEAM_DOCS.format(id='SG101')})" in linked


def test_every_registered_rule_page_renders():
    for rule in registry.all_rules():
        page = docs_pages.page(rule.meta.id)
        if page:
            out = doc_html(page)
            assert "<h4>What it does</h4>" in out, rule.meta.id
