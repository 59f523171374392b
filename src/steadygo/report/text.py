"""Human report: grouped by file, the offending line shown, a summary by layer
and severity.  Colour only when writing to a terminal.

The report is laid out once, as lines of ``(text, style)`` pieces, and then
written one of two ways: with colour through rich, or, for a file, a pipe or
``NO_COLOR``, as the plain text itself.  rich adds nothing without colour and
costs ~0.7 ms a line (2,400 findings: 1.6 s of a 3 s run), so the plain
writer does what rich does to such a line (tabs to 8-column stops, measured
in terminal cells) and nothing else; ``tests/test_text_report.py`` holds the
two to the same output.  Pieces are never rich markup: a ``[dim]`` or
``:smile:`` in a scanned name or message is printed as written."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterator

from steadygo.findings import Severity
from steadygo.report import Reporter, RunReport, ordered, statistics
from steadygo.discovery import printable_name
from steadygo.textsafe import escape_control

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
_LINK_EXTRAS = {"source": "source", "static_finding": "static finding"}
TAB_SIZE = 8  # rich's default, which the colour writer uses

Line = tuple[tuple[str, "str | None"], ...]


def _location(f) -> str:
    # Runtime evidence has no column (col 0) and file-level findings no line.
    if f.line <= 0:
        return f.path
    return f"{f.path}:{f.line}:{f.col}" if f.col > 0 else f"{f.path}:{f.line}"


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
            yield ((f"  {_safe(_location(f))}: ", None), (_safe(f.rule_id), sev), (" ", None),
                   (f.severity.label, sev), (f"{tag} {_safe(f.message)} ", None), (f"({_safe(f.rule_name)})", "dim"))
            if f.snippet and f.line > 0:
                yield (("    ", None), (f"{f.line:>5} |", "dim"), (f" {_safe(f.snippet)}", None))
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
    if report.exit_code == 1:
        yield ((f"Failing: findings at or above '{report.config.fail_on.label}'.", None),)


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


def rich_text(lines, color: bool) -> str:
    import io

    from rich.console import Console
    from rich.text import Text

    buf = io.StringIO()
    con = Console(file=buf, force_terminal=color, no_color=not color, width=120, highlight=False, soft_wrap=True)
    for line in lines:
        con.print(Text.assemble(*line))
    return buf.getvalue()


class TextReporter(Reporter):
    name = "text"

    def render(self, report: RunReport) -> str:
        lines = report_lines(report)
        # a runtime command's own summary (tables, verdicts) comes first
        return report.preamble + (rich_text(lines, True) if report.color else plain_text(lines))
