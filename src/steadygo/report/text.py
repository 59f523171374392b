"""Human report: grouped by file, the offending line shown, a summary by layer
and severity.  Colour only when writing to a terminal.

The report is laid out once, as lines of ``(text, style)`` pieces, and then
written as plain text for a file, a pipe or ``NO_COLOR``, and with colour for
a terminal.  rich costs ~0.7 ms a line (2,400 findings: 1.6 s of a 3 s run):
without colour it adds nothing but tab expansion, which the plain writer does
the same way (8-column stops, measured in terminal cells); with colour the
codes of each style are taken from rich once.  ``tests/test_text_report.py``
holds both writers to rich's own output.  Pieces are never rich markup: a ``[dim]`` or
``:smile:`` in a scanned name or message is printed as written."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterator

from steadygo import registry
from steadygo.findings import Severity
from steadygo.report import Reporter, RunReport, ordered, statistics
from steadygo.discovery import printable_name
from steadygo.textsafe import escape_control

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
_LINK_EXTRAS = {"source": "source", "static_finding": "static finding"}
TAB_SIZE = 8  # rich's default, which the colour writer uses

Line = tuple[tuple[str, "str | None"], ...]


def _location(f) -> str:
    """Where in the file under whose header the finding is listed: the path is
    the header's and not repeated (``--format concise`` prints full
    ``path:line:col`` lines for editors).  Runtime evidence has no column
    (col 0) and file-level findings no line."""
    if f.line <= 0:
        return ""
    return f"{f.line}:{f.col}" if f.col > 0 else f"{f.line}"


def _safe(text: str) -> str:
    # Escape sequences from scanned names and code never reach the terminal.
    return escape_control(printable_name(text))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def report_lines(report: RunReport) -> Iterator[Line]:
    """The report, line by line, each a tuple of ``(text, style or None)``."""
    res = report.result
    shown = res.findings if report.show_suppressed else res.active
    by_file = defaultdict(list)
    for f in ordered(shown, report.config.sort):
        by_file[f.path].append(f)
    # files in the order of their first finding: by path, or worst first with --sort severity
    for path, findings in by_file.items():
        yield ((_safe(path), "bold"),)
        for f in findings:
            sev = _STYLE[f.severity]
            tag = " (suppressed)" if f.suppressed else ""
            where = _location(f)
            yield ((f"  {where}: " if where else "  ", None), (_safe(f.rule_id), sev), (" ", None),
                   (f.severity.label, sev), (f"{tag} {_safe(f.message)} ", None), (f"({_safe(f.rule_name)})", "dim"))
            if f.snippet and f.line > 0:
                yield (("    ", None), (f"{f.line:>5} |", "dim"), (f" {_safe(f.snippet)}", None))
            if f.live is not None:  # check --evidence
                yield (("    ", None), (_safe(f.live.describe()), "bold green" if f.live.verdict == "proved" else "magenta"))
            # Runtime evidence linked to the source tree (--src).
            for key, value in f.extra:
                if key in _LINK_EXTRAS:
                    yield ((f"    {_LINK_EXTRAS[key]}: {_safe(value)}", None),)
            for rpath, rline, rmsg in f.related:
                where = f"{rpath}:{rline}" if rline > 0 else rpath
                because = ((" ", None), (f"({_safe(rmsg)})", "dim")) if rmsg else ()
                yield (("    ", None), (f"joins {_safe(where)}", "dim"), *because)
        yield ()
    for d in res.diagnostics:
        yield ((_safe(d.line()), "magenta"),)
    if res.diagnostics:
        yield ()
    for note in report.notes:
        yield ((_safe(note), None),)
    if report.config.statistics and res.active:
        for line in statistics(res.active):
            yield ((_safe(line), None),)
    yield _summary(report)
    preview = _from_preview_rules(res.active)
    if preview:
        yield ((f"{preview} of these from preview rules, not yet precise on real services "
                "(benchmarks/PRECISION-SERVICES.md): read them as leads to check.", None),)
    if not report.scope:  # a check run: say what the code showed, and what had nothing to judge
        for line in understood(res):
            yield ((_safe(line), None),)
    if report.exit_code == 1:
        yield ((f"Failing: findings at or above '{report.config.fail_on.label}'.", None),)


def _from_preview_rules(findings) -> int:
    status = {}
    for f in findings:
        if f.rule_id not in status:
            rule = registry.lookup(f.rule_id)
            status[f.rule_id] = rule is not None and rule.meta.status == "preview"
    return sum(1 for f in findings if status[f.rule_id])


def understood(res) -> list[str]:
    """The inventory lines of a check run: one per module with Go code, and
    one per kind of subject the enabled rules found nothing of."""
    from steadygo import inventory

    invs = inventory.of_result(res)
    lines = [f"understood: {inv.line()}" for inv in invs]
    nothing: dict[tuple[str, str], list[str]] = {}
    active = {f.rule_id for f in res.active}
    for rule_id in sorted(res.enabled_rules):
        state, why = inventory.subject_state(rule_id, invs)
        if why and rule_id not in active:
            nothing.setdefault((state, why), []).append(rule_id)
    for (state, why), ids in nothing.items():
        if state == "unmodelled":
            lines.append(f"not checked: {why} ({', '.join(ids)} not judged)")
        else:
            lines.append(f"{why} ({', '.join(ids)} had nothing to judge)")
    return lines


def _summary(report: RunReport) -> Line:
    res = report.result
    active = res.active
    sev = Counter(f.severity for f in active)
    layer = Counter(f.layer.value for f in active)
    parts = [f"{sev.get(s, 0)} {s.label}" for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)]
    layers = ", ".join(f"{k} {v}" for k, v in sorted(layer.items())) or "none"
    suppressed = len(res.findings) - len(active)
    rest = (
        f" ({', '.join(parts)}; by layer: {layers})"
        + (f" in {_safe(report.scope)}" if report.scope else f" in {res.files} files, {res.lines} lines")
        + (f", {_plural(res.artifacts, 'build/deploy file')}" if res.artifacts else "")
        + f", {res.seconds:.2f}s"
        + (f" ({res.cached_packages} of {res.packages} packages from cache)" if res.cached_packages else "")
        + (f"; {suppressed} suppressed" if suppressed else "")
        + (f"; {_plural(len(res.diagnostics), 'input problem')}" if res.diagnostics else "")
    )
    return ((_plural(len(active), "finding"), "bold"), (rest, None))


def expand_tabs(line: str) -> str:
    """``line`` with each tab replaced as rich replaces it: by a space, then
    more up to the next multiple of ``TAB_SIZE`` terminal cells."""
    if "\t" not in line:
        return line
    if line.isascii():
        def width(s: str) -> int:
            return len(s)
    else:
        from rich.cells import cell_len as width  # wide characters count two cells, combining marks none
    out, position = [], 0
    *parts, last = line.split("\t")
    for part in parts:
        position += width(part) + 1
        pad = -position % TAB_SIZE
        out.append(part + " " * (1 + pad))
        position += pad
    out.append(last)
    return "".join(out)


def plain_text(lines) -> str:
    return "".join(expand_tabs("".join(text for text, _ in line)) + "\n" for line in lines)


def _console(color: bool, buf):
    from rich.console import Console

    return Console(file=buf, force_terminal=color, no_color=not color, width=120, highlight=False, soft_wrap=True)


def rich_text(lines, color: bool) -> str:
    import io

    from rich.text import Text

    buf = io.StringIO()
    con = _console(color, buf)
    for line in lines:
        con.print(Text.assemble(*line))
    return buf.getvalue()


def colour_text(lines) -> str:
    """What ``rich_text(lines, True)`` prints, at the plain writer's speed:
    rich wraps each styled piece in the escape codes of its style, and the
    codes are taken from rich itself, once per style, for the terminal it
    detects (none for TERM=dumb).  A line whose pieces hold a tab is left to
    rich: where its spaces go depends on the cells before it."""
    import io

    from rich.text import Text

    styles = {*_STYLE.values(), "bold", "dim", "magenta", "bold green"}
    codes = {}
    for style in styles:
        buf = io.StringIO()
        _console(True, buf).print(Text("X", style=style), end="")
        before, _, after = buf.getvalue().partition("X")
        codes[style] = (before, after)
    out = []
    for line in lines:
        if any("\t" in text for text, _ in line) or any(style not in codes for _, style in line if style):
            out.append(rich_text([line], True))
            continue
        for text, style in line:
            if style and text:
                before, after = codes[style]
                out.append(before + text + after)
            else:
                out.append(text)
        out.append("\n")
    return "".join(out)


class TextReporter(Reporter):
    name = "text"

    def render(self, report: RunReport) -> str:
        lines = report_lines(report)
        # a runtime command's own summary (tables, verdicts) comes first
        return report.preamble + (colour_text(lines) if report.color else plain_text(lines))
