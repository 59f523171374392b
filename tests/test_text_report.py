"""The text report's two writers: plain (files, pipes, NO_COLOR) and rich
(colour on a terminal) lay out the same lines; the plain one must print
exactly what rich prints without colour, for text that rich treats
specially (tabs, wide characters, markup- and emoji-like words)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from steadygo.config import Config
from steadygo.discovery import Diagnostic
from steadygo.findings import Finding, Layer, Severity, assign_fingerprints
from steadygo.report import RunReport
from steadygo.report.text import TextReporter, colour_text, expand_tabs, plain_text, report_lines, rich_text
from steadygo.result import ScanResult

TRICKY = [
    "tab\there and\tthere",
    "\tleading tab",
    "漢字\tafter wide characters\t!",
    "e\u0301\tcombining mark",
    "[bold]not markup[/bold] [dim] [/] [link=x]y",
    ":smile: :warning: :8080:",
    "ends with a backslash \\",
    "ends with two \\\\",
    "a\\[dim]b",
    "trailing spaces   ",
    "x" * 300,
    "wide 漢字 " * 30,
]


def _report(texts: list[str], suppressed: bool = False) -> RunReport:
    findings = []
    for i, text in enumerate(texts, 1):
        findings.append(Finding("SG801", "no-readiness-probe", Severity.WARNING, Layer.DEPLOY, f"k8s/{text}.yaml",
                                i, 1, f"message {text}", snippet=f"snippet {text}",
                                related=((f"Dockerfile{text}", 3, f"why {text}"), ("go.mod", 0, "")),
                                extra=(("source", f"main.go {text}"),),
                                suppressed="baseline" if suppressed and i % 2 else None))
    res = ScanResult(findings=assign_fingerprints(findings), diagnostics=[Diagnostic("bad.yaml", "invalid\tYAML [x]")],
                     files=3, lines=40, artifacts=len(texts), seconds=0.5)
    cfg = Config()
    cfg.statistics = True
    return RunReport(res, cfg, 1, notes=["note\twith tab [b]"], show_suppressed=suppressed, scope="")


def _both(report: RunReport) -> tuple[str, str]:
    return plain_text(report_lines(report)), rich_text(report_lines(report), color=False)


@pytest.mark.parametrize("text", TRICKY)
def test_plain_writer_prints_what_rich_prints_without_colour(text):
    plain, rich = _both(_report([text]))
    assert plain == rich


def test_markup_and_emoji_words_are_printed_as_written():
    out = TextReporter().render(_report([TRICKY[4], TRICKY[5]]))
    assert "[bold]not markup[/bold] [dim] [/] [link=x]y" in out
    assert ":smile: :warning: :8080:" in out


def test_colour_writer_has_the_same_text_under_its_escapes(monkeypatch):
    monkeypatch.setenv("TERM", "xterm-256color")  # rich writes no codes at all for TERM=dumb
    rep = _report(TRICKY, suppressed=True)
    plain = TextReporter().render(rep)
    rep.color = True
    coloured = TextReporter().render(rep)
    assert "\x1b[" in coloured
    assert re.sub("\x1b\\[[0-9;]*m", "", coloured) == plain


def test_expand_tabs_uses_eight_column_stops():
    assert expand_tabs("a\tb") == "a       b"
    assert expand_tabs("1234567\tb") == "1234567 b"
    assert expand_tabs("12345678\tb") == "12345678        b"
    assert expand_tabs("漢\tb") == "漢      b"  # two cells wide


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \t[]/\\:漢\u0301é😀"), max_size=40))
def test_plain_matches_rich_on_any_line(text):
    plain, rich = _both(_report([text]))
    assert plain == rich


@pytest.mark.parametrize("term", ["xterm-256color", "xterm", "dumb"])
def test_colour_writer_prints_what_rich_prints_in_colour(monkeypatch, term):
    monkeypatch.setenv("TERM", term)
    monkeypatch.delenv("COLORTERM", raising=False)
    rep = _report(TRICKY, suppressed=True)
    assert colour_text(report_lines(rep)) == rich_text(report_lines(rep), color=True)
    if term != "dumb":
        assert "\x1b[" in colour_text(report_lines(rep))


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \t[]/\\:漢\u0301é😀"), max_size=30))
def test_colour_writer_matches_rich_on_any_line(text):
    rep = _report([text])
    assert colour_text(report_lines(rep)) == rich_text(report_lines(rep), color=True)


def test_preview_findings_are_counted_as_leads():
    """A run with --preview says how many of its findings come from rules
    not yet precise on real services; a default-only run says nothing."""
    def report(rule_ids):
        findings = [Finding(r, "x", Severity.WARNING, Layer.CODE, "main.go", i, 1, f"message {i}")
                    for i, r in enumerate(rule_ids, 1)]
        res = ScanResult(findings=assign_fingerprints(findings), diagnostics=[], files=1, lines=10, artifacts=0,
                         seconds=0.1)
        return plain_text(report_lines(RunReport(res, Config(), 1, notes=[], show_suppressed=False, scope="")))

    mixed = report(["SG001", "SG106", "SG801"])  # stable, preview (code), preview (deploy)
    assert "2 of these from preview rules, not yet precise on real services" in mixed
    assert "preview rules" not in report(["SG000", "SG001"])
