"""Human report: grouped by file, the offending line shown, a summary by layer
and severity.  Colour only when writing to a terminal."""

from __future__ import annotations

import io
from collections import Counter, defaultdict

from steadygo.findings import Severity
from steadygo.report import Reporter, RunReport, ordered, statistics
from steadygo.discovery import printable_name
from steadygo.textsafe import escape_control

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
_LINK_EXTRAS = {"source": "source", "static_finding": "static finding"}


def _location(f) -> str:
    # Runtime evidence has no column (col 0) and file-level findings no line.
    if f.line <= 0:
        return f.path
    return f"{f.path}:{f.line}:{f.col}" if f.col > 0 else f"{f.path}:{f.line}"


class TextReporter(Reporter):
    name = "text"

    def render(self, report: RunReport) -> str:
        from rich.console import Console
        from rich.markup import escape as escape_markup

        def escape(text: str) -> str:
            # Rich markup first, then escape sequences from scanned names and code.
            return escape_markup(escape_control(printable_name(text)))

        buf = io.StringIO()
        buf.write(report.preamble)  # a runtime command's own summary (tables, verdicts) comes first
        con = Console(file=buf, force_terminal=report.color, no_color=not report.color, width=120,
                      highlight=False, soft_wrap=True, emoji=False)
        res = report.result
        shown = res.findings if report.show_suppressed else res.active
        by_file = defaultdict(list)
        for f in ordered(shown, report.config.sort):
            by_file[f.path].append(f)
        # files in the order of their first finding: by path, or worst first with --sort severity
        for path in by_file:
            con.print(f"[bold]{escape(path)}[/bold]")
            for f in by_file[path]:
                sev = _STYLE[f.severity]
                tag = " (suppressed)" if f.suppressed else ""
                con.print(
                    f"  {escape(_location(f))}: [{sev}]{escape(f.rule_id)}[/{sev}] "
                    f"[{sev}]{f.severity.label}[/{sev}]{tag} {escape(f.message)} [dim]({escape(f.rule_name)})[/dim]"
                )
                if f.snippet and f.line > 0:
                    con.print(f"    [dim]{f.line:>5} |[/dim] {escape(f.snippet)}")
                if f.live is not None:  # check --evidence
                    style = "bold green" if f.live.verdict == "proved" else "magenta"
                    con.print(f"    [{style}]{escape(f.live.describe())}[/{style}]")
                # Runtime evidence linked to the source tree (--src).
                for key, value in f.extra:
                    if key in _LINK_EXTRAS:
                        con.print(f"    {_LINK_EXTRAS[key]}: {escape(value)}")
                for rpath, rline, rmsg in f.related:
                    where = f"{rpath}:{rline}" if rline > 0 else rpath
                    con.print(f"    [dim]joins {escape(where)}[/dim]" + (f" [dim]({escape(rmsg)})[/dim]" if rmsg else ""))
            con.print()
        for d in res.diagnostics:
            con.print(f"[magenta]{escape(d.line())}[/magenta]")
        if res.diagnostics:
            con.print()
        for note in report.notes:
            con.print(escape(note))
        if report.config.statistics and res.active:
            for line in statistics(res.active):
                con.print(escape(line))
        active = res.active
        sev = Counter(f.severity for f in active)
        layer = Counter(f.layer.value for f in active)
        parts = [f"{sev.get(s, 0)} {s.label}" for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)]
        layers = ", ".join(f"{k} {v}" for k, v in sorted(layer.items())) or "none"
        suppressed = len(res.findings) - len(active)
        con.print(
            f"[bold]{len(active)} finding{'s' if len(active) != 1 else ''}[/bold] ({', '.join(parts)}; by layer: {layers})"
            + (f" in {escape(report.scope)}" if report.scope else f" in {res.files} files, {res.lines} lines")
            + (f", {res.artifacts} build/deploy file{'s' if res.artifacts != 1 else ''}" if res.artifacts else "")
            + f", {res.seconds:.2f}s"
            + (f" ({res.cached_packages} of {res.packages} packages from cache)" if res.cached_packages else "")
            + (f"; {suppressed} suppressed" if suppressed else "")
            + (f"; {len(res.diagnostics)} input problem{'s' if len(res.diagnostics) != 1 else ''}" if res.diagnostics else "")
        )
        if not report.scope:  # a check run: say what the code showed, and what had nothing to judge
            for line in understood(res):
                con.print(escape(line))
        if report.exit_code == 1:
            con.print(f"Failing: findings at or above '{report.config.fail_on.label}'.")
        return buf.getvalue()


def understood(res) -> list[str]:
    """The inventory lines of a check run: one per module with Go code, and
    one per kind of subject the enabled rules found nothing of."""
    from steadygo import inventory

    invs = inventory.of_result(res)
    lines = [f"understood: {inv.line()}" for inv in invs]
    nothing: dict[str, list[str]] = {}
    active = {f.rule_id for f in res.active}
    for rule_id in sorted(res.enabled_rules):
        why = inventory.subject_missing(rule_id, invs)
        if why and rule_id not in active:
            nothing.setdefault(why, []).append(rule_id)
    for why, ids in nothing.items():
        lines.append(f"{why} ({', '.join(ids)} had nothing to judge)")
    return lines
