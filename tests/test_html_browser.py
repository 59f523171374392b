"""The HTML report in a real headless browser (Debian chromium driven by
playwright): hostile text in every field stays text, the filters work, and
the page asks the network for nothing.

Set STEADYGO_SCREENSHOT=path.png to keep a screenshot of the full report."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from steadygo.config import Config
from steadygo.discovery import Diagnostic
from steadygo.engine import ScanResult
from steadygo.findings import Finding, Layer, LiveVerdict, Severity, assign_fingerprints
from steadygo.report import RunReport
from steadygo.report.html import HtmlReporter

from reportutil import RUNTIME_JSON

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium not installed")

XSS = '<script>window.__pwned=1</script>'
ATTR = '"><img src=x onerror="window.__pwned=2">'


def hostile_report() -> RunReport:
    def f(rule, sev, layer, path, line, msg, snippet="", suppressed=None, name=None, bp=None):
        return Finding(rule, name or "server-without-any-timeout", sev, layer, path, line, 3, msg, snippet=snippet,
                       breakpoint=bp or "Slow clients hold connections forever.", suppressed=suppressed)

    findings = [
        f("SG101", Severity.ERROR, Layer.CODE, f"cmd/{XSS}/main.go", 12, f"server {XSS} has no timeouts",
          snippet=f'log.Fatal(http.ListenAndServe(":8080", mux)) // {XSS}'),
        f("SG104", Severity.WARNING, Layer.CODE, f"api/{ATTR}.go", 7, "no IdleTimeout " + ATTR,
          snippet='srv := &http.Server{ReadHeaderTimeout: 2 * time.Second} /* `raw` */', name=f"idle-{XSS}"),
        f("SG105", Severity.INFO, Layer.CODE, "client/client.go", 6, "client without timeout",
          snippet="var api = &http.Client{}", bp=f"Upstream hangs {XSS}"),
        f("SG101", Severity.ERROR, Layer.CODE, "debug/debug.go", 9, "suppressed one", suppressed="inline: local only"),
    ]
    runtime = json.loads(open(RUNTIME_JSON, encoding="utf-8").read())
    runtime["buckets"][0]["top_user_frame"]["func"] = f"main.{XSS}"
    runtime["diff"]["by_site"][0]["key"] = f"</svg>{XSS}"
    runtime["source"] = XSS
    runtime_findings = [Finding("SG902", "goroutines-blocked-on-channel", Severity.WARNING, Layer.RUNTIME,
                                "dumps/leaky-t1.debug2.txt", 63, 0, runtime["findings"][0]["message"],
                                breakpoint="goroutine leak")]
    # check --evidence: a live verdict whose message, target and command are hostile too.
    findings[2] = findings[2].with_(live=LiveVerdict("proved", "SG991", f"ev/{XSS}.json", f"upstream hung {ATTR}",
                                                     "rule", f"chaos{XSS}", f"http://127.0.0.1:1/{ATTR}"))
    res = ScanResult(findings=assign_fingerprints(findings + runtime_findings),
                     diagnostics=[Diagnostic(f"bad/{XSS}.go", "cannot read: " + XSS)],
                     files=3, lines=120, packages=3, seconds=0.5,
                     enabled_rules=["SG101", "SG102", "SG103", "SG104", "SG105"], roots=[f"./{XSS}"])
    return RunReport(res, Config(), 1, base="/nonexistent", runtime=[runtime])


@pytest.fixture(scope="module")
def page_and_events(tmp_path_factory):
    out = tmp_path_factory.mktemp("html") / "report.html"
    out.write_text(HtmlReporter().render(hostile_report()), encoding="utf-8")
    events = {"dialogs": [], "requests": [], "console": [], "errors": []}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.on("dialog", lambda d: (events["dialogs"].append(d.message), d.dismiss()))
            page.on("request", lambda r: events["requests"].append(r.url))
            page.on("console", lambda m: events["console"].append(m.text))
            page.on("pageerror", lambda e: events["errors"].append(str(e)))
            page.goto(out.as_uri())
            page.wait_for_load_state("load")
            yield page, events, out
            shot = os.environ.get("STEADYGO_SCREENSHOT")
            if shot:
                page.set_viewport_size({"width": 1366, "height": 768})
                page.screenshot(path=shot, full_page=True)
        finally:
            browser.close()


def visible_findings(page):
    return page.eval_on_selector_all(".finding", "els => els.filter(e => !e.hidden).map(e => e.dataset.severity + '/' + e.dataset.layer)")


def test_nothing_executes(page_and_events):
    page, events, out = page_and_events
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert events["dialogs"] == [] and events["errors"] == []
    assert page.locator("script").count() == 1
    assert page.locator("img").count() == 0
    # The hostile text is there, as text.
    body = page.inner_text("body")
    assert XSS in body and ATTR in body
    assert page.title().endswith(XSS)
    # No request beyond the file itself, and our own script was not blocked by the CSP.
    assert events["requests"] == [out.as_uri()]
    assert not [c for c in events["console"] if "Content Security Policy" in c], events["console"]


def test_filters(page_and_events):
    page, _, _ = page_and_events
    assert sorted(visible_findings(page)) == ["error/code", "info/code", "warning/code", "warning/runtime"]
    assert page.inner_text("#shown") == "Showing 4 of 5 findings"

    page.uncheck("input[name=severity][value=error]")
    assert sorted(visible_findings(page)) == ["info/code", "warning/code", "warning/runtime"]
    page.uncheck("input[name=layer][value=runtime]")
    assert sorted(visible_findings(page)) == ["info/code", "warning/code"]
    assert page.is_hidden(".layer[data-layer=runtime]")
    assert page.inner_text("#shown") == "Showing 2 of 5 findings"
    page.check("#show-suppressed")
    page.check("input[name=severity][value=error]")
    assert sorted(visible_findings(page)) == ["error/code", "error/code", "info/code", "warning/code"]
    page.uncheck("input[name=severity][value=info]")
    page.uncheck("input[name=severity][value=warning]")
    page.uncheck("input[name=severity][value=error]")
    assert visible_findings(page) == []
    # Groups with nothing left to show disappear with their findings.
    assert page.eval_on_selector_all(".group", "els => els.filter(e => !e.hidden).length") == 0
    page.check("input[name=severity][value=error]")
    page.check("input[name=severity][value=warning]")
    page.check("input[name=severity][value=info]")
    page.check("input[name=layer][value=runtime]")
    page.uncheck("#show-suppressed")
    assert page.inner_text("#shown") == "Showing 4 of 5 findings"


def test_scorecard_and_charts(page_and_events):
    page, _, _ = page_and_events
    code = page.inner_text(".layer[data-layer=code]")
    assert "SG1xx HTTP servers, clients and timeouts" in code and "failing" in code
    assert "not checked" in page.inner_text(".layer[data-layer=build]")
    assert "SG9xx Runtime evidence" in page.inner_text(".layer[data-layer=runtime]")
    page.click(".bp-table summary")
    rows = page.locator("table.bps tbody tr")
    assert rows.count() > 0
    assert "failing" in rows.first.inner_text()
    bars = page.locator("svg.chart").first.locator("rect")
    assert bars.count() == len(json.loads(open(RUNTIME_JSON).read())["buckets"][:12])
    widths = [float(bars.nth(i).get_attribute("width")) for i in range(bars.count())]
    assert widths[0] == max(widths) > widths[-1] > 0
    growth = page.locator("svg.chart").nth(1)
    assert "30 → 70 (+40)" in growth.inner_html()


def test_live_verdict_shows_as_text(page_and_events):
    """check --evidence: the proved finding's card and its scorecard row say so, hostile text kept as text."""
    page, _, _ = page_and_events
    card = page.locator("article.finding[data-live=proved]")
    assert card.count() == 1 and "SG105" in card.inner_text()
    assert "proved live" in card.locator(".chip.live-proved").inner_text()
    live = card.locator("p.live").inner_text()
    assert live.startswith(f"proved live by SG991 (chaos{XSS} http://127.0.0.1:1/{ATTR}; matched by rule")
    assert live.endswith(f"upstream hung {ATTR}")
    row = page.locator("table.bps tbody tr[data-live=proved]")
    assert row.count() == 1 and "SG105" in row.inner_text() and "proved live" in row.inner_text()
    assert "1 proved live" in page.inner_text("#score-h + p")


def test_rule_panel_embeds_the_docs_and_links_in_page(page_and_events):
    page, events, out = page_and_events
    page.locator('a[href="#rule-SG101"]').first.click()
    assert page.evaluate("location.hash") == "#rule-SG101"
    page.click("#rule-SG101 summary")
    panel = page.inner_text("#rule-SG101")
    assert "What it does" in panel and "Known limits" in panel
    # The page links nowhere outside itself when no docs-url is configured.
    hrefs = page.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href'))")
    assert hrefs and all(h.startswith("#rule-") for h in hrefs)
    assert events["requests"] == [out.as_uri()]
