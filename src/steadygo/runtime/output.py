"""What the runtime commands share: common options, rendering to text or JSON,
writing with ``-o`` and turning findings into an exit code."""

from __future__ import annotations

import argparse
import io
import json
import math
import sys

from rich.console import Console
from rich.markup import escape as rich_escape
from rich.text import Text

from steadygo.errors import UserError
from steadygo import findings as findings_model
from steadygo.findings import Finding, Severity
from steadygo.fsutil import write_atomic
from steadygo.runtime import fetch
from steadygo.textsafe import escape_control


# As in `check`: a warning (a suspect bucket, a rising heap) fails CI unless
# the run says otherwise; --fail-on error keeps the old errors-only gate.
DEFAULT_FAIL_ON = "warning"


def add_common(p: argparse.ArgumentParser, src: bool = False, growth: bool = False) -> None:
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of standard output")
    p.add_argument("--top", type=count, default=10, metavar="N", help="rows per table (default: 10)")
    p.add_argument("--max-bytes", type=_size, default=fetch.DEFAULT_MAX_BYTES, metavar="BYTES",
                   help="refuse inputs larger than this (default: 256M; suffixes K, M, G)")
    p.add_argument("--timeout", type=seconds, default=fetch.DEFAULT_TIMEOUT, metavar="SECONDS",
                   help="time budget for a live URL: connecting, headers and body together (default: 30)")
    if src:
        p.add_argument("--src", metavar="DIR", help="source tree of the service, to link frames to code and static findings")
    p.add_argument("--fail-on", choices=("info", "warning", "error"), default=DEFAULT_FAIL_ON,
                   help=f"lowest severity that fails the run with exit 1 (default: {DEFAULT_FAIL_ON})")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings (report-only runs)")
    # Registered (hidden) on single-input commands too, so giving it there is
    # the one-line usage error of require_two_inputs_for_growth, not
    # argparse's generic "unrecognized arguments" with a usage dump.
    p.add_argument("--fail-if-growth", type=count, metavar="N",
                   help="with BASE and NEW: exit 1 when NEW grew by more than N over BASE" if growth
                   else argparse.SUPPRESS)


def require_two_inputs_for_growth(args, two_inputs: bool) -> None:
    """--fail-if-growth compares two inputs; with one there is nothing to
    compare, and silently ignoring the gate would let a CI job pass that the
    user meant to fail."""
    if args.fail_if_growth is not None and not two_inputs:
        raise UserError("--fail-if-growth needs two inputs (BASE and NEW); only one was given")


# Sizes and times given on the command line: a bad value is a usage error
# (exit 2, one line) here, not an OverflowError or a silent "accept nothing"
# deep in a reader.
MAX_SIZE = 1 << 60  # 1 EiB: beyond any real input or memory limit
MAX_SECONDS = 24 * 3600.0


def _size(text: str) -> int:
    t = text.strip().upper()
    mult = 1
    for suffix, m in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if t.endswith(suffix) or t.endswith(suffix + "B") or t.endswith(suffix + "IB"):
            mult = m
            t = t.rstrip("IB").rstrip(suffix)
            break
    try:
        value = float(t) * mult
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r}") from None
    if not math.isfinite(value) or value < 1 or value > MAX_SIZE:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size between 1 byte and 1 EiB")
    return int(value)


size = _size


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or not 0 < value <= MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time between 0 and {MAX_SECONDS:g} seconds")
    return value


def finite(text: str) -> float:
    """A finite number of 0 or more (thresholds in ms, fractions)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number of 0 or more")
    return value


def count(text: str) -> int:
    try:
        value = int(text.strip()) if len(text) <= 18 else -1
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text[:24]!r} is not a whole number of 0 or more")
    return value


def finding_dict(f: Finding) -> dict:
    return {"rule_id": f.rule_id, "rule_name": f.rule_name, "severity": f.severity.label, "layer": f.layer.value,
            "path": f.path, "line": f.line, "message": f.message, "breakpoint": f.breakpoint,
            "extra": dict(f.extra)}


def emit(args, render_text, data: dict, findings: list[Finding]) -> None:
    """render_text(console) draws the human report; data is the JSON document."""
    if args.format == "json":
        doc = dict(data)
        doc["findings"] = [finding_dict(f) for f in findings]
        out = json.dumps(doc, indent=2, sort_keys=False) + "\n"
    else:
        to_tty = args.output is None and sys.stdout.isatty()
        buf = io.StringIO()
        console = Console(file=buf, force_terminal=to_tty, no_color=not to_tty, width=120 if not to_tty else None,
                          highlight=False, soft_wrap=False)
        render_text(console)
        if findings:
            console.print()
            for f in findings:
                loc = safe(f"{f.path}:{f.line}" if f.line else f.path)
                style = {Severity.ERROR: "bold red", Severity.WARNING: "yellow"}.get(f.severity, "cyan")
                # Markup only around the rule id: the path and message come
                # from the input and are neither markup nor terminal codes.
                console.print(f"{rich_escape(loc)}: [{style}]{f.rule_id}[/] {rich_escape(safe(f.message))}",
                              markup=True, highlight=False)
                for k, v in f.extra:
                    if k in ("source", "static_finding"):
                        console.print(f"    {k.replace('_', ' ')}: {safe(v)}", markup=False)
        out = buf.getvalue()
    if args.output:
        write_report(args.output, out)
    else:
        sys.stdout.write(out)
        sys.stdout.flush()


def safe(text) -> str:
    """Text from a dump, profile or trace, made safe for a terminal."""
    return escape_control(str(text))


def cell(text) -> Text:
    """A table cell or title from the input: no terminal codes, no markup
    (rich reads ``[...]`` in a plain string cell as a style tag)."""
    return Text(safe(text))


def write_report(path: str, text: str) -> None:
    """-o FILE: any OSError (missing directory, read-only file system, a
    directory in the way, a full disk) is one line naming the file."""
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise UserError(f"{path}: cannot write report: {exc.strerror or exc}") from None


def exit_code(args, findings: list[Finding], grew_too_much: bool = False) -> int:
    """--fail-on / --exit-zero decide, through the same function as `check`;
    growth over --fail-if-growth fails the run too, unless --exit-zero."""
    code = findings_model.exit_code(findings, Severity.parse(args.fail_on), args.exit_zero)
    if grew_too_much and not args.exit_zero:
        code = 1
    return code


def human_bytes(n: float) -> str:
    sign = "-" if n < 0 else ""
    n = abs(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{sign}{n:,.0f} {unit}" if unit == "B" else f"{sign}{n:,.1f} {unit}"
        n /= 1024
    return f"{sign}{n:.1f} GiB"
