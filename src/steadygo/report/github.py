"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice``
line per active finding, which Actions turns into annotations on the diff.

Escaping follows the runner's rules: in the message, '%', CR and LF are
percent-encoded; in properties, ':' and ',' are too, or a path containing
them would end the property early.  Other control characters are shown as
``\\xNN``: the log viewer renders escape sequences, and a file name or
message from the scanned code must not be able to write to it."""

from __future__ import annotations

import os

from steadygo.findings import Severity
from steadygo.report import Reporter, RunReport
from steadygo.discovery import printable_name
from steadygo.textsafe import escape_control

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return escape_control(printable_name(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def repo_path(path: str, base: str) -> str:
    """Annotations attach to repository paths; when steadygo runs in a
    subdirectory of the checkout, re-root the path at GITHUB_WORKSPACE."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if not workspace or os.path.isabs(path):
        return path
    full = os.path.normpath(os.path.join(base, path))
    rel = os.path.relpath(full, os.path.abspath(workspace))
    return path if rel.startswith("..") else rel.replace(os.sep, "/")


class GithubReporter(Reporter):
    name = "github"

    def render(self, report: RunReport) -> str:
        lines = []
        for f in report.result.active:
            props = [f"file={escape_property(repo_path(f.path, report.base))}"]
            if f.line > 0:
                props.append(f"line={f.line}")
                if f.end_line > f.line:
                    props.append(f"endLine={f.end_line}")
                if f.col > 0:
                    props.append(f"col={f.col}")
                    # endColumn is only meaningful on a single-line range.
                    if f.end_col > f.col and f.end_line in (0, f.line):
                        props.append(f"endColumn={f.end_col}")
            props.append(f"title={escape_property(f'{f.rule_id} {f.rule_name}')}")
            lines.append(f"::{COMMAND[f.severity]} {','.join(props)}::{escape_data(f.message)}")
        for d in report.result.diagnostics:
            level = "error" if d.level == "error" else "warning"
            lines.append(f"::{level} file={escape_property(d.path)},title=steadygo input::{escape_data(d.message)}")
        return "".join(line + "\n" for line in lines)
