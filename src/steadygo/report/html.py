"""The HTML report: one self-contained file for people.

Safety: the page is rendered here, in Python, with every piece of text that
comes from scanned code or evidence passed through ``html.escape`` (and its
control characters shown as ``\\xNN``, so a hidden escape sequence in a file
name is visible).  The one
script only toggles ``hidden`` on elements by their data attributes; it never
builds markup.  A Content-Security-Policy pins the script and the stylesheet
by hash and allows no network at all (``default-src 'none'``), so even an
escaping bug could neither run injected script nor load anything.

Layout: verdict and counts, filters (severity, layer, suppressed), the
breakpoint scorecard by layer, runtime evidence (goroutine bucket chart and
growth diff) when given, then findings grouped by breakpoint and file with
highlighted snippets, then the doc page of every rule those findings name
(embedded: the report links out only to a ``docs-url`` the user configured).
Colours are paired with text and icons and meet WCAG
AA contrast, so no state is told by colour alone.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections import Counter, defaultdict

from steadygo import __version__, docs_pages, registry, scorecard
from steadygo.findings import Finding, Layer, Severity
from steadygo.report import Reporter, RunReport
from steadygo.discovery import printable_name
from steadygo.textsafe import escape_control

SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)
STATE_LABEL = {scorecard.COVERED: "✓ covered", scorecard.FAILING: "✗ failing", scorecard.NOTHING: "○ nothing to check",
               scorecard.NOT_CHECKED: "– not checked"}
CHART_BUCKETS = 12
ORDER = {scorecard.FAILING: 0, scorecard.COVERED: 1, scorecard.NOTHING: 2, scorecard.NOT_CHECKED: 3}
_STATES = (scorecard.FAILING, scorecard.COVERED, scorecard.NOTHING, scorecard.NOT_CHECKED)


def e(text) -> str:
    return html.escape(escape_control(printable_name(str(text))), quote=True)


CSS = """
:root{--fg:#1f2328;--muted:#57606a;--bg:#ffffff;--panel:#f6f8fa;--line:#d0d7de;--link:#0550ae;
--err:#b42318;--warn:#8a4b00;--info:#0b5cad;--ok:#1a7f37;--none:#57606a}
*{box-sizing:border-box}[hidden]{display:none!important}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1180px;margin:0 auto;padding:20px 24px 48px}
h1{font-size:1.6rem;margin:0 0 4px}h2{font-size:1.25rem;margin:32px 0 12px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:1.05rem;margin:18px 0 8px}h4{font-size:.95rem;margin:10px 0 6px;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
a{color:var(--link)}a:focus,input:focus{outline:3px solid #0969da;outline-offset:2px}
.meta{color:var(--muted);margin:0}
dl.audit{display:grid;grid-template-columns:max-content 1fr;gap:0 .8em;margin:.6em 0 0;color:var(--muted);font-size:.9em}dl.audit dt{font-weight:600}dl.audit dd{margin:0;overflow-wrap:anywhere}
.verdict{display:inline-block;font-weight:700;padding:4px 12px;border-radius:6px;color:#fff;margin:10px 0}
.verdict.fail{background:var(--err)}.verdict.pass{background:var(--ok)}.verdict.broken{background:var(--warn)}
.counts{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0;padding:0;list-style:none}
.counts li{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:4px 10px}
.chip{display:inline-block;font-size:.8rem;font-weight:700;padding:1px 8px;border-radius:10px;color:#fff;white-space:nowrap}
.sev-error{background:var(--err)}.sev-warning{background:var(--warn)}.sev-info{background:var(--info)}
.st-covered{background:var(--ok)}.st-failing{background:var(--err)}.st-not-checked{background:var(--none)}.st-nothing-to-check{background:var(--none);font-style:italic}
.chip.live-proved{background:#6f42c1}.chip.live-contradicted{background:#fff;color:#6f42c1;border:1px dashed #6f42c1}
p.live{border-left:3px solid #6f42c1;padding-left:8px}
.chip.sup{background:#fff;color:var(--muted);border:1px solid var(--muted)}
#filters{position:sticky;top:0;z-index:2;background:var(--bg);border-bottom:1px solid var(--line);padding:8px 0;display:flex;flex-wrap:wrap;gap:8px 24px;align-items:center}
#filters fieldset{border:0;margin:0;padding:0;display:flex;gap:12px;align-items:center;flex-wrap:wrap}
#filters legend{float:left;font-weight:700;margin-right:8px}
#filters label{cursor:pointer;white-space:nowrap}#filters input{width:1.05em;height:1.05em;vertical-align:-2px}
#shown{color:var(--muted);margin-left:auto}
.score{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:12px}
.layer{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.layer h3{margin:0 0 8px}.lname{text-transform:capitalize}
.layer h3 .chip{float:right;margin-top:3px}
.fams{list-style:none;margin:6px 0 0;padding:0}.fams li{margin:6px 0}
.bp-table{margin-top:12px}.bp-table summary{cursor:pointer;font-weight:700}
table.bps{width:100%}table.bps caption{text-align:left;color:var(--muted);padding:4px 0}
.why{color:var(--muted);font-size:.85rem}
.rules{color:var(--muted);font-size:.8rem;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.group{margin:0 0 12px}
.bp{border:1px solid var(--line);border-radius:8px;padding:4px 14px 8px;margin:0 0 16px}
.finding{border-left:4px solid var(--line);padding:6px 10px;margin:8px 0;background:var(--panel);border-radius:0 6px 6px 0}
.finding[data-severity=error]{border-left-color:var(--err)}.finding[data-severity=warning]{border-left-color:var(--warn)}
.finding[data-severity=info]{border-left-color:var(--info)}
.finding p{margin:4px 0}.loc{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:var(--muted);font-size:.85rem}
pre{margin:6px 0 2px;padding:8px 10px;background:#fff;border:1px solid var(--line);border-radius:6px;overflow-x:auto;font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.ln{color:var(--muted);user-select:none;margin-right:12px}
.k{color:#8250df;font-weight:600}.s{color:#0a3069}.c{color:#57606a;font-style:italic}.n{color:#0550ae}.f{color:#6639ba}
.chart{width:100%;height:auto;max-width:1100px}
.chart text{font:12px system-ui,sans-serif;fill:#1f2328}.chart .num{font-weight:700}
.bar-user{fill:#0b5cad}.bar-rt{fill:#8c959f}.bar-up{fill:#b42318}.bar-down{fill:#1a7f37}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.legend{color:var(--muted);font-size:.85rem}
footer{margin-top:40px;color:var(--muted);font-size:.85rem}
.rule-doc{border:1px solid var(--line);border-radius:8px;padding:6px 14px;margin:0 0 10px}
.rule-doc summary{cursor:pointer}.rule-doc .doc h4{font-family:inherit;margin:14px 0 4px}
.doc code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9da7b3;--bg:#0d1117;--panel:#161b22;--line:#30363d;--link:#79c0ff}
pre{background:#0d1117}.chart text{fill:#e6edf3}.k{color:#d2a8ff}.s{color:#a5d6ff}.c{color:#8b949e}.n{color:#79c0ff}.f{color:#d2a8ff}
.chip.sup{background:#0d1117}}
"""

# The filter script.  Reads only data attributes and checkbox state; writes
# only ``hidden`` and one text node.
JS = """
(function () {
  var form = document.getElementById('filters');
  if (!form) { return; }
  var findings = Array.prototype.slice.call(document.querySelectorAll('.finding'));
  var groups = Array.prototype.slice.call(document.querySelectorAll('.group'));
  var layers = Array.prototype.slice.call(document.querySelectorAll('.by-layer'));
  var shown = document.getElementById('shown');
  function checked(name) {
    var out = {};
    form.querySelectorAll('input[name="' + name + '"]').forEach(function (i) { out[i.value] = i.checked; });
    return out;
  }
  function apply() {
    var sev = checked('severity'), lay = checked('layer');
    var sup = document.getElementById('show-suppressed').checked;
    var n = 0;
    findings.forEach(function (el) {
      var ok = sev[el.dataset.severity] && lay[el.dataset.layer] && (sup || el.dataset.suppressed !== '1');
      el.hidden = !ok;
      if (ok) { n++; }
    });
    // Innermost groups first, so a breakpoint group sees its file groups' state.
    groups.slice().reverse().forEach(function (g) { g.hidden = !g.querySelector('.finding:not([hidden])'); });
    layers.forEach(function (l) { l.hidden = !lay[l.dataset.layer]; });
    shown.textContent = 'Showing ' + n + ' of ' + findings.length + ' findings';
  }
  form.addEventListener('change', apply);
  apply();
})();
"""

_GO_TOKEN = re.compile(
    r"(?P<c>//[^\n]*|/\*.*?\*/)"
    r"|(?P<s>\"(?:[^\"\\\n]|\\.)*\"?|`[^`]*`?|'(?:[^'\\\n]|\\.)*'?)"
    r"|(?P<n>\b\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?\b|\b0[xX][0-9a-fA-F_]+\b)"
    r"|(?P<w>[A-Za-z_][A-Za-z0-9_]*)",
    re.S,
)
_KEYWORDS = frozenset(
    "break case chan const continue default defer else fallthrough for func go goto if import interface map "
    "package range return select struct switch type var nil true false iota".split()
)


def highlight_go(code: str) -> str:
    """Go source to escaped HTML with token spans.  Unknown text is escaped
    as-is, so a snippet that is not Go (or not valid Go) still shows safely."""
    out, pos = [], 0
    for m in _GO_TOKEN.finditer(code):
        if m.start() > pos:
            out.append(e(code[pos:m.start()]))
        kind = m.lastgroup
        tok = m.group()
        if kind == "w":
            if tok in _KEYWORDS:
                out.append(f'<span class="k">{e(tok)}</span>')
            elif code[m.end():m.end() + 1] == "(":
                out.append(f'<span class="f">{e(tok)}</span>')
            else:
                out.append(e(tok))
        else:
            out.append(f'<span class="{kind}">{e(tok)}</span>')
        pos = m.end()
    out.append(e(code[pos:]))
    return "".join(out)


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _family_title(rule_id: str) -> str:
    for prefix, title, _ in scorecard.FAMILIES:
        if rule_id.startswith(prefix):
            return f"{prefix}xx {title}"
    return "SG0xx Analysis"


class HtmlReporter(Reporter):
    name = "html"

    def render(self, report: RunReport) -> str:
        res = report.result
        inputs = scorecard.inputs_for(report)
        families = scorecard.build(res, report.config, inputs)
        parts = [self._header(report), self._filters(report), self._scorecard(families, inputs.inventories)]
        for n, doc in enumerate(report.runtime, start=1):
            parts.append(self._runtime(doc, n))
        parts.append(self._findings(report))
        parts.append(self._rule_docs(report))
        parts.append(self._diagnostics(report))
        parts.append(f'<footer>steadygo {e(__version__)} · fail-on {e(report.config.fail_on.label)} · '
                     f'{e(f"{res.seconds:.2f}")}s · this file loads nothing from the network.</footer>')
        body = "\n".join(p for p in parts if p)
        csp = (f"default-src 'none'; style-src {_csp_hash(CSS)}; script-src {_csp_hash(JS)}; "
               "img-src data:; base-uri 'none'; form-action 'none'")
        title = "steadygo report"
        if res.roots:
            title += " — " + ", ".join(res.roots)
        return (
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f'<meta http-equiv="Content-Security-Policy" content="{e(csp)}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta name="referrer" content="no-referrer">\n'
            f"<title>{e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n"
            f"<script>{JS}</script>\n</body>\n</html>\n"
        )

    # ------------------------------------------------------------------ parts

    def _header(self, report: RunReport) -> str:
        res = report.result
        active = res.active
        if report.exit_code == 2:
            verdict = '<p class="verdict broken">⚠ Incomplete: some input could not be read</p>'
        elif report.exit_code == 1:
            verdict = (f'<p class="verdict fail">✗ Fails: findings at or above '
                       f'{e(report.config.fail_on.label)}</p>')
        else:
            verdict = '<p class="verdict pass">✓ Passes</p>'
        sev = Counter(f.severity for f in active)
        counts = "".join(f'<li><span class="chip sev-{s.label}">{e(s.label)}</span> {sev.get(s, 0)}</li>' for s in SEVERITIES)
        suppressed = len(res.findings) - len(active)
        roots = ", ".join(res.roots) or "."
        notes = "".join(f'<p class="meta">{e(n)}</p>' for n in report.notes)
        read = e(report.scope) if report.scope else (
            f'{_plural(res.files, "file")}, {_plural(res.lines, "line")}, {_plural(res.packages, "package")}')
        return (
            f"<header><h1>steadygo report</h1>"
            f'<p class="meta">{e(roots)} · {read}</p>{verdict}'
            f'<ul class="counts" aria-label="Findings by severity">{counts}'
            f"<li>{_plural(suppressed, 'suppressed finding')}</li></ul>{notes}{self._audit(report)}</header>"
        )

    @staticmethod
    def _audit(report: RunReport) -> str:
        """Which code, at which revision, when, by what: a report read a week
        later must say what it describes."""
        from steadygo import audit

        a = audit.collect(report.result, report.base)
        rev = "not a git checkout" if a.revision is None else a.revision + (
            " (uncommitted changes)" if a.dirty else "" if a.dirty is False else " (state unknown)")
        rows = [("modules", ", ".join(a.modules) or "none found"), ("revision", rev), ("date", a.when),
                ("steadygo", a.version), ("command", a.command)]
        cells = "".join(f'<dt>{e(k)}</dt><dd class="audit-{k}">{e(v)}</dd>' for k, v in rows)
        return f'<dl class="audit" aria-label="What was audited">{cells}</dl>'


    def _filters(self, report: RunReport) -> str:
        res = report.result
        sev = Counter(f.severity for f in res.findings)
        lay = Counter(f.layer for f in res.findings)
        sev_boxes = "".join(
            f'<label><input type="checkbox" name="severity" value="{s.label}" checked> {e(s.label)} ({sev.get(s, 0)})</label>'
            for s in SEVERITIES)
        lay_boxes = "".join(
            f'<label><input type="checkbox" name="layer" value="{l.value}" checked> {e(l.value)} ({lay.get(l, 0)})</label>'
            for l in Layer)
        return (
            '<form id="filters" aria-label="Filter findings">'
            f"<fieldset><legend>Severity</legend>{sev_boxes}</fieldset>"
            f"<fieldset><legend>Layer</legend>{lay_boxes}</fieldset>"
            '<fieldset><legend>More</legend><label><input type="checkbox" id="show-suppressed" name="suppressed" '
            'value="1"> show suppressed</label></fieldset>'
            '<output id="shown" aria-live="polite"></output></form>'
        )

    def _scorecard(self, families: list[scorecard.Family], inventories: list) -> str:
        """Four layer tiles for the glance, then one row per breakpoint."""
        tot = scorecard.totals(families)
        summary = ", ".join(f"{tot.get(s, 0)} {STATE_LABEL[s].split(' ', 1)[1]}" for s in _STATES)
        tiles, rows = [], []
        for layer in Layer:
            fams = [f for f in families if f.layer is layer]
            states = Counter(r.state for f in fams for r in f.rows)
            state = next((s for s in _STATES[:-1] if states[s]), scorecard.NOT_CHECKED)
            counts = " · ".join(f"{states[s]} {STATE_LABEL[s].split(' ', 1)[1]}" for s in _STATES if states[s])
            fam_lines = "".join(
                f'<li><span class="chip st-{f.state}">{e(STATE_LABEL[f.state])}</span> {e(f.prefix)}xx {e(f.title)}'
                + (f'<br><span class="why">{e(f.reason)}</span>' if f.reason else "") + "</li>"
                for f in fams)
            tiles.append(
                f'<section class="layer by-layer" data-layer="{layer.value}" aria-label="{layer.value} layer">'
                f'<h3><span class="lname">{e(layer.value)}</span> <span class="chip st-{state}">{e(STATE_LABEL[state])}</span></h3>'
                f'<p class="why">{e(counts or "no rules for this layer in this version")}</p><ul class="fams">{fam_lines}</ul></section>')
            for fam in fams:
                for row in sorted(fam.rows, key=lambda r: (ORDER[r.state], r.breakpoint)):
                    ids = ", ".join(r.id for r in row.rules)
                    found = sum(r.findings for r in row.rules)
                    accepted = sum(r.accepted for r in row.rules)
                    counts = str(found) + (f" (+{accepted} accepted)" if accepted else "")
                    why = (f'<br><span class="why">{e(row.reason)}</span>' if row.state == scorecard.NOTHING and row.reason
                           else f'<br><span class="why">not checked: {e(row.reason)}</span>' if row.reason else "")
                    rows.append(
                        f'<tr class="by-layer" data-layer="{layer.value}"{_live_attr(row.live)}><td>'
                        f'<span class="chip st-{row.state}">{e(STATE_LABEL[row.state])}</span>{_live_chip(row)}</td>'
                        f"<td>{e(row.breakpoint)}{why}</td>"
                        f'<td>{e(layer.value)}</td><td>{e(fam.prefix)}xx {e(fam.title)}</td>'
                        f'<td class="rules">{e(ids)}</td><td class="num">{e(counts)}</td></tr>')
        table = ('<table class="bps"><caption>Every breakpoint, by layer and family</caption><thead><tr>'
                 '<th scope="col">state</th><th scope="col">breakpoint</th><th scope="col">layer</th>'
                 '<th scope="col">family</th><th scope="col">rules</th><th scope="col">findings</th></tr></thead>'
                 f"<tbody>{''.join(rows)}</tbody></table>")
        live = Counter(row.live for fam in families for row in fam.rows if row.live)
        if live:
            summary += "; " + ", ".join(f"{live[v]} {LIVE_LABEL[v]}" for v in ("proved", "contradicted") if live[v])
        return (f'<section aria-labelledby="score-h"><h2 id="score-h">Breakpoint scorecard</h2>'
                f'<p class="meta">{e(summary)}. Covered: found and judged fine. Nothing to check: the rule ran '
                f'but what it judges is not in the code (no HTTP server, no metrics). Not checked: the input it '
                f'needs was missing, or the rule was not enabled.</p>{_inventory(inventories)}<div class="score">{"".join(tiles)}</div>'
                f"<details class=\"bp-table\"><summary>All breakpoints ({sum(tot.values())})</summary>{table}</details>"
                "</section>")

    def _runtime(self, doc: dict, n: int) -> str:
        if doc.get("command", "goroutines") != "goroutines":
            return _other_evidence(doc, n)
        buckets = [b for b in doc.get("buckets", []) if isinstance(b, dict)]
        total = doc.get("total", sum(b.get("count", 0) for b in buckets))
        parts = [f'<section aria-labelledby="rt-h-{n}"><h2 id="rt-h-{n}">Runtime evidence: goroutines</h2>',
                 f'<p class="meta">{e(doc.get("source", ""))} · {_plural(_int(total), "goroutine")} in '
                 f'{_plural(_int(doc.get("bucket_count", len(buckets))), "stack")}'
                 + (" · truncated dump: counts are lower bounds" if doc.get("truncated") else "") + "</p>"]
        if buckets:
            parts.append("<h3>Largest goroutine buckets</h3>")
            parts.append(_bucket_chart(buckets[:CHART_BUCKETS]))
            parts.append('<p class="legend">Blue: the top frame is in the service\'s own code; grey: runtime or '
                         'standard library. Bar length is the number of goroutines with that stack.</p>')
        states = doc.get("states")
        if isinstance(states, dict) and states:
            rows = "".join(f'<tr><td>{e(k)}</td><td class="num">{_int(v):,}</td></tr>' for k, v in list(states.items())[:12])
            parts.append(f"<h3>States</h3><table><thead><tr><th>state</th><th>goroutines</th></tr></thead>"
                         f"<tbody>{rows}</tbody></table>")
        suspects = [s for s in doc.get("suspects", []) if isinstance(s, dict)]
        if suspects:
            items = "".join(f"<li><strong>{e(s.get('rule_id', ''))}</strong> {e(s.get('message', ''))}</li>"
                            for s in suspects[:10])
            parts.append(f"<h3>Leak suspects</h3><ol>{items}</ol>")
        diff = doc.get("diff")
        if isinstance(diff, dict):
            parts.append(_diff_part(diff))
        parts.append("</section>")
        return "".join(parts)

    def _findings(self, report: RunReport) -> str:
        res = report.result
        if not res.findings:
            return '<section aria-labelledby="f-h"><h2 id="f-h">Findings</h2><p>No findings.</p></section>'
        by_bp: dict[tuple[str, str], dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
        for f in res.findings:
            by_bp[(f.rule_id[:3], f.breakpoint or f.rule_name)][f.path].append(f)

        def bp_order(key):
            files = by_bp[key]
            worst = max((f.severity for fs in files.values() for f in fs if f.suppressed is None), default=0)
            return (-worst, key)

        out = ['<section aria-labelledby="f-h"><h2 id="f-h">Findings by breakpoint</h2>']
        for key in sorted(by_bp, key=bp_order):
            prefix, text = key
            files = by_bp[key]
            n = sum(len(v) for v in files.values())
            out.append(f'<section class="group bp"><h3>{e(text)} <span class="rules">{e(_family_title(prefix))} · '
                       f"{_plural(n, 'finding')}</span></h3>")
            for path in sorted(files):
                out.append(f'<div class="group"><h4>{e(path)}</h4>')
                for f in files[path]:
                    out.append(_finding_html(f))
                out.append("</div>")
            out.append("</section>")
        out.append("</section>")
        return "".join(out)

    def _rule_docs(self, report: RunReport) -> str:
        """The doc page of each rule the findings name, so the report explains
        itself offline; a finding's rule id links here."""
        ids = sorted({f.rule_id for f in report.result.findings})
        if not ids:
            return ""
        out = ['<section aria-labelledby="r-h"><h2 id="r-h">Rules in this report</h2>']
        for rid in ids:
            rule = registry.lookup(rid)
            page = docs_pages.page(rid)
            name = rule.meta.name if rule else next(f.rule_name for f in report.result.findings if f.rule_id == rid)
            summary = f" — {e(rule.meta.summary)}" if rule else ""
            url = docs_pages.rule_url(report.config, rid)
            link = f'<p><a href="{e(url)}" rel="noreferrer">{e(rid)} in your team\'s docs</a></p>' if url else ""
            body = doc_html(page) if page else "<p>No documentation for this rule in this version of steadygo.</p>"
            out.append(f'<details class="rule-doc" id="{e(_anchor(rid))}"><summary><strong>{e(rid)}</strong> '
                       f'{e(name)}{summary}</summary>{link}<div class="doc">{body}</div></details>')
        out.append("</section>")
        return "".join(out)

    def _diagnostics(self, report: RunReport) -> str:
        diags = report.result.diagnostics
        if not diags:
            return ""
        items = "".join(f"<li>{e(d.level)}: {e(d.line())}</li>" for d in diags)
        return f'<section aria-labelledby="d-h"><h2 id="d-h">Input problems</h2><ul>{items}</ul></section>'


_TITLE = {"gctrace": "GC trace", "memstats": "memstats"}


def _other_evidence(doc: dict, n: int) -> str:
    """Heap, gctrace and memstats evidence: the command's headline numbers as
    a table (the findings section below says what they mean)."""
    command = str(doc.get("command", ""))
    # heap reads CPU and allocs profiles too; the profile says which
    title = f"{doc.get('kind', 'heap')} profile" if command == "heap" else _TITLE.get(command, command)
    parts = [f'<section aria-labelledby="rt-h-{n}"><h2 id="rt-h-{n}">Runtime evidence: '
             f'{e(title)}</h2><p class="meta">{e(doc.get("source", ""))}</p>']
    top = doc.get("top")
    sample = doc.get("sample")
    rows = top.get(sample) if isinstance(top, dict) and isinstance(sample, str) else None
    if isinstance(rows, list) and rows:
        body = "".join(f'<tr><td class="num">{_int(r.get("flat")):,}</td><td class="num">{_int(r.get("cum")):,}</td>'
                       f'<td>{e(r.get("name", ""))}</td><td>{e(r.get("where", ""))}</td></tr>'
                       for r in rows[:12] if isinstance(r, dict))
        parts.append(f"<h3>Top by {e(sample)}</h3><table><thead><tr><th>flat</th><th>cum</th><th>function</th>"
                     f"<th>where</th></tr></thead><tbody>{body}</tbody></table>")
    summary = doc.get("summary")
    if isinstance(summary, dict) and summary:
        body = "".join(f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in list(summary.items())[:40]
                       if not isinstance(v, (dict, list)))
        parts.append(f"<h3>Summary</h3><table><tbody>{body}</tbody></table>")
    parts.append("</section>")
    return "".join(parts)


def _int(v) -> int:
    """A count from runtime evidence for display; anything unusable is 0.
    OverflowError: JSON reads 1e400 as inf."""
    try:
        return int(v)
    except (TypeError, ValueError, OverflowError):
        return 0


def _anchor(rule_id: str) -> str:
    # ids from runtime evidence can hold anything: keep the fragment plain
    return "rule-" + re.sub(r"[^A-Za-z0-9_-]", "_", rule_id)


LIVE_LABEL = {"proved": "proved live", "contradicted": "contradicted live"}


def _live_attr(verdict: str) -> str:
    return f' data-live="{verdict}"' if verdict else ""


def _live_chip(row: scorecard.Row) -> str:
    """check --evidence: the breakpoint a live run confirmed (or found no sign of)."""
    if not row.live:
        return ""
    by = sorted(r.id for r in row.rules if (r.proved if row.live == "proved" else r.contradicted))
    return (f' <span class="chip live-{row.live}" title="{e(", ".join(by))}">{e(LIVE_LABEL[row.live])}</span>')


def _finding_html(f: Finding) -> str:
    sup = f.suppressed is not None
    rid = f'<a href="#{e(_anchor(f.rule_id))}">{e(f.rule_id)}</a>'
    loc = f.path
    if f.line > 0:
        loc += f":{f.line}" + (f":{f.col}" if f.col > 0 else "")
    sup_chip = f' <span class="chip sup">suppressed: {e(f.suppressed)}</span>' if sup else ""
    live = ""
    if f.live is not None:  # check --evidence
        sup_chip += f' <span class="chip live-{f.live.verdict}">{e(LIVE_LABEL[f.live.verdict])}</span>'
        live = f'<p class="live live-{f.live.verdict}">{e(f.live.describe())}</p>'
    snippet = ""
    if f.snippet:
        lines = f.snippet.splitlines() or [f.snippet]
        rows = []
        for i, text in enumerate(lines):
            num = f'<span class="ln">{f.line + i}</span>' if f.line > 0 else ""
            rows.append(num + highlight_go(text))
        snippet = f"<pre><code>{chr(10).join(rows)}</code></pre>"
    hidden = " hidden" if sup else ""
    return (
        f'<article class="finding" data-severity="{f.severity.label}" data-layer="{f.layer.value}" '
        f'data-suppressed="{1 if sup else 0}"{_live_attr(f.live.verdict if f.live else "")}{hidden}>'
        f'<p><span class="chip sev-{f.severity.label}">{e(f.severity.label)}</span> {rid} '
        f"<strong>{e(f.rule_name)}</strong>{sup_chip}</p>"
        f"<p>{e(f.message)}</p>{live}<p class=\"loc\">{e(loc)}</p>{snippet}</article>"
    )


_INLINE_CODE = re.compile(r"`([^`\n]+)`")


def _inline(text: str) -> str:
    out, pos = [], 0
    for m in _INLINE_CODE.finditer(text):
        out.append(e(text[pos:m.start()]))
        out.append(f"<code>{e(m.group(1))}</code>")
        pos = m.end()
    out.append(e(text[pos:]))
    return "".join(out)


def doc_html(page: str) -> str:
    """A rule's Markdown page as HTML, for the subset the pages use: headings,
    paragraphs, bullet lists, fenced code and inline code.  Everything is
    escaped; nothing becomes a link (the report loads and points nowhere)."""
    out: list[str] = []
    para: list[str] = []
    items: list[str] = []
    code: list[str] | None = None
    lang = ""

    def flush():
        if para:
            out.append(f"<p>{_inline(' '.join(para))}</p>")
            para.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for line in page.splitlines():
        if code is not None:
            if line.startswith("```"):
                out.append(_code_block(code, lang))
                code = None
            else:
                code.append(line)
            continue
        if line.startswith("```"):
            flush()
            code, lang = [], line[3:].strip()
        elif line.startswith("# "):
            continue  # the page title: the summary line already names the rule
        elif line.startswith("#"):
            flush()
            out.append(f"<h4>{_inline(line.lstrip('#').strip())}</h4>")
        elif not line.strip():
            flush()
        elif line.startswith(("- ", "* ")):
            if para:
                flush()
            items.append(line[2:].strip())
        elif items and line.startswith(" "):
            items[-1] += " " + line.strip()
        else:
            if items:
                flush()
            para.append(line.strip())
    if code is not None:
        out.append(_code_block(code, lang))
    flush()
    return "".join(out)


def _code_block(lines: list[str], lang: str) -> str:
    body = "\n".join(highlight_go(l) if lang == "go" else e(l) for l in lines)
    return f"<pre><code>{body}</code></pre>"


def _frame_label(b: dict) -> tuple[str, bool]:
    for key in ("top_user_frame", "top_frame", "created_by"):
        fr = b.get(key)
        if isinstance(fr, dict) and fr.get("func"):
            return str(fr["func"]), key == "top_user_frame" or bool(b.get("top_frame_is_user"))
    return str(b.get("first_line") or "(unknown stack)"), False


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else "…" + text[-(n - 1):]


def _bucket_chart(buckets: list[dict]) -> str:
    """Horizontal bars: one per stack bucket, drawn as inline SVG so it needs
    no script and no library."""
    label_w, bar_w, row_h, pad = 430, 520, 26, 8
    peak = max((_int(b.get("count")) for b in buckets), default=0) or 1
    height = pad * 2 + row_h * len(buckets)
    rows = []
    for i, b in enumerate(buckets):
        count = _int(b.get("count"))
        label, user = _frame_label(b)
        state = str(b.get("state") or "")
        wait = b.get("wait_minutes") if isinstance(b.get("wait_minutes"), dict) else {}
        waits = f", waiting {_int(wait.get('min'))}–{_int(wait.get('max'))} min" if wait.get("max") else ""
        y = pad + i * row_h
        w = max(2, round(bar_w * count / peak))
        text = _short(label, 52) + (f" [{state}]" if state else "")
        rows.append(
            f'<g><title>{e(label)}: {count:,} goroutines{e(" " + state if state else "")}{e(waits)}</title>'
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end">{e(text)}</text>'
            f'<rect class="{"bar-user" if user else "bar-rt"}" x="{label_w}" y="{y + 4}" width="{w}" height="{row_h - 8}" rx="2"></rect>'
            f'<text class="num" x="{label_w + w + 6}" y="{y + 17}">{count:,}</text></g>'
        )
    total_w = label_w + bar_w + 80
    return (f'<svg class="chart" role="img" aria-label="Goroutine count per stack bucket" viewBox="0 0 {total_w} {height}" '
            f'width="{total_w}" height="{height}" xmlns="http://www.w3.org/2000/svg">{"".join(rows)}</svg>')


def _diff_part(diff: dict) -> str:
    sites = [g for g in diff.get("by_site", []) if isinstance(g, dict)][:CHART_BUCKETS]
    before = diff.get("before") if isinstance(diff.get("before"), dict) else {}
    after = diff.get("after") if isinstance(diff.get("after"), dict) else {}
    head = (f"<h3>Growth between dumps</h3><p class=\"meta\">{e(before.get('source', 'first dump'))}: "
            f"{_int(before.get('total')):,} → {e(after.get('source', 'second dump'))}: {_int(after.get('total')):,} "
            f"goroutines ({_int(diff.get('total_delta', _int(after.get('total')) - _int(before.get('total')))):+,})</p>")
    if not sites:
        return head
    label_w, bar_w, row_h, pad = 430, 440, 26, 8
    peak = max(abs(_int(g.get("after")) - _int(g.get("before"))) for g in sites) or 1
    mid = label_w + bar_w // 2
    rows = []
    for i, g in enumerate(sites):
        b, a = _int(g.get("before")), _int(g.get("after"))
        delta = a - b
        y = pad + i * row_h
        w = max(2, round((bar_w // 2) * abs(delta) / peak))
        x = mid if delta >= 0 else mid - w
        key = str(g.get("key") or "(unknown site)")
        rows.append(
            f'<g><title>{e(key)}: {b:,} → {a:,} ({delta:+,})</title>'
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end">{e(_short(key, 56))}</text>'
            f'<rect class="{"bar-up" if delta > 0 else "bar-down"}" x="{x}" y="{y + 4}" width="{w}" height="{row_h - 8}" rx="2"></rect>'
            f'<text class="num" x="{label_w + bar_w + 8}" y="{y + 17}">{b:,} → {a:,} ({delta:+,})</text></g>'
        )
    height = pad * 2 + row_h * len(sites)
    total_w = label_w + bar_w + 200
    svg = (f'<svg class="chart" role="img" aria-label="Goroutine growth per creation site" viewBox="0 0 {total_w} {height}" '
           f'width="{total_w}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
           f'<line x1="{mid}" y1="0" x2="{mid}" y2="{height}" stroke="#8c959f"></line>{"".join(rows)}</svg>')
    legend = '<p class="legend">Red bars grew (the leak signal), green shrank; the figures are before → after (change).</p>'
    return head + svg + legend


def _inventory(inventories: list) -> str:
    """What the code showed, per module (steadygo.inventory)."""
    items = "".join(f"<li>{e(inv.line())}</li>" for inv in inventories)
    return f'<ul class="inventory" aria-label="What the code showed">{items}</ul>' if items else ""
