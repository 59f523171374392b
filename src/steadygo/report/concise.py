"""One line per finding, for terminals, editors and grep:
``path:line:col: SG101 error message``; then the count.  No colour, no
snippet; control characters escaped like every human-readable report."""

from __future__ import annotations

from steadygo.discovery import printable_name
from steadygo.report import Reporter, RunReport, ordered, statistics
from steadygo.textsafe import escape_control


class ConciseReporter(Reporter):
    name = "concise"

    def render(self, report: RunReport) -> str:
        res = report.result
        shown = res.findings if report.show_suppressed else res.active
        out = []
        for f in ordered(shown, report.config.sort):
            where = f.path if f.line <= 0 else (f"{f.path}:{f.line}:{f.col}" if f.col > 0 else f"{f.path}:{f.line}")
            tag = " (suppressed)" if f.suppressed else ""
            # the whole line: a name that is not UTF-8 can be in the message too
            live = f" [{f.live.verdict} live by {f.live.by}]" if f.live is not None else ""
            out.append(escape_control(printable_name(f"{where}: {f.rule_id} {f.severity.label}{tag} {f.message}{live}")))
        if report.config.statistics:
            out += statistics(res.active)
        n = len(res.active)
        out.append(f"{n} finding{'s' if n != 1 else ''}")
        return "\n".join(out) + "\n"
