"""A Markdown summary sized for a pull-request comment.

GitHub renders raw HTML and link syntax inside comments, so every piece of
text that comes from the scanned code (paths, messages) is HTML-escaped and
has its Markdown punctuation backslash-escaped: a finding must not be able to
inject markup into the comment.  Control characters are shown as ``\\xNN``
(the same file is often printed in a CI log).  Rule ids link to their page
only when ``docs-url`` is configured.  The first line is a hidden marker so a bot
can find and update its previous comment instead of adding a new one."""

from __future__ import annotations

import html
import re
from collections import Counter

from steadygo import docs_pages, scorecard
from steadygo.findings import Layer, Severity
from steadygo.report import Reporter, RunReport
from steadygo.discovery import printable_name
from steadygo.textsafe import escape_control

MARKER = "<!-- steadygo:report -->"
MAX_ROWS = 50
# Link and image syntax cannot form without brackets, so escaping these is enough.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
ICON = {Severity.ERROR: "🔴", Severity.WARNING: "🟠", Severity.INFO: "🔵"}


def md(text: str) -> str:
    """Inline-safe Markdown for untrusted text: one line, escaped."""
    one_line = escape_control(printable_name(" ".join(text.split())))
    return _MD_SPECIAL.sub(r"\\\1", html.escape(one_line, quote=False))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class MarkdownReporter(Reporter):
    name = "markdown"

    def render(self, report: RunReport) -> str:
        res = report.result
        active = res.active
        sev = Counter(f.severity for f in active)
        failing = report.exit_code == 1
        verdict = "❌ fails" if failing else ("⚠️ could not complete" if report.exit_code == 2 else "✅ passes")
        out = [MARKER, f"## steadygo: {_plural(len(active), 'finding')} — {verdict}", ""]
        counts = ", ".join(f"{sev.get(s, 0)} {s.label}" for s in (Severity.ERROR, Severity.WARNING, Severity.INFO))
        read = md(report.scope) if report.scope else _plural(res.files, 'file')
        out.append(f"{counts} (fail-on: `{report.config.fail_on.label}`) in {read}.")
        if report.new_from_rev:
            out.append(f"Only lines changed since `{md(report.new_from_rev)}` are reported.")
        for note in report.notes:
            out.append(f"{md(note)}")
        cards = scorecard.build(res, report.config, scorecard.inputs_for(report))
        tot = scorecard.totals(cards)
        out.append(f"Breakpoints: {tot.get(scorecard.FAILING, 0)} failing, {tot.get(scorecard.COVERED, 0)} covered, "
                   f"{tot.get(scorecard.NOTHING, 0)} nothing to check, {tot.get(scorecard.NOT_CHECKED, 0)} not checked.")
        suppressed = len(res.findings) - len(active)
        if suppressed:
            out.append(f"{_plural(suppressed, 'suppressed finding')} not shown.")
        out.append("")
        if active:
            layers = Counter(f.layer for f in active)
            out.append("| layer | " + " | ".join(l.value for l in Layer) + " |")
            out.append("|---|" + "---:|" * len(Layer))
            out.append("| findings | " + " | ".join(str(layers.get(l, 0)) for l in Layer) + " |")
            out.append("")
            out.append("| | rule | location | message |")
            out.append("|---|---|---|---|")
            ordered = sorted(active, key=lambda f: (-f.severity, f.sort_key))
            for f in ordered[:MAX_ROWS]:
                url = docs_pages.rule_url(report.config, f.rule_id)
                rid = f"[{md(f.rule_id)}]({url})" if url else md(f.rule_id)
                loc = f"{f.path}:{f.line}" if f.line > 0 else f.path
                live = f" **{f.live.verdict} live** by {md(f.live.by)}" if f.live is not None else ""
                out.append(f"| {ICON[f.severity]} {f.severity.label} | {rid} {md(f.rule_name)} "
                           f"| {md(loc)} | {md(f.message)}{live} |")
            if len(ordered) > MAX_ROWS:
                out.append("")
                out.append(f"…and {len(ordered) - MAX_ROWS} more; see the full report.")
            out.append("")
        if res.diagnostics:
            out.append("<details><summary>" + _plural(len(res.diagnostics), "input problem") + "</summary>")
            out.append("")
            for d in res.diagnostics:
                out.append(f"- {md(d.line())}")
            out.append("")
            out.append("</details>")
            out.append("")
        return "\n".join(out).rstrip("\n") + "\n"
