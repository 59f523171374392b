"""What the runtime commands share: common options, rendering to text or JSON,
writing with ``-o`` and turning findings into an exit code."""

from __future__ import annotations

import argparse
import io
import json
import sys

from rich.console import Console

from steadygo.findings import Finding, Severity
from steadygo.fsutil import write_atomic
from steadygo.runtime import fetch


def add_common(p: argparse.ArgumentParser, src: bool = False, growth: bool = False) -> None:
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of standard output")
    p.add_argument("--top", type=int, default=10, metavar="N", help="rows per table (default: 10)")
    p.add_argument("--max-bytes", type=_size, default=fetch.DEFAULT_MAX_BYTES, metavar="BYTES",
                   help="refuse inputs larger than this (default: 256M; suffixes K, M, G)")
    p.add_argument("--timeout", type=float, default=fetch.DEFAULT_TIMEOUT, metavar="SECONDS",
                   help="time budget for a live URL (default: 30)")
    if src:
        p.add_argument("--src", metavar="DIR", help="source tree of the service, to link frames to code and static findings")
    if growth:
        p.add_argument("--fail-if-growth", type=int, metavar="N",
                       help="exit 1 when the second input grew by more than N over the first")


def _size(text: str) -> int:
    t = text.strip().upper()
    mult = 1
    for suffix, m in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if t.endswith(suffix) or t.endswith(suffix + "B") or t.endswith(suffix + "IB"):
            mult = m
            t = t.rstrip("IB").rstrip(suffix)
            break
    try:
        return int(float(t) * mult)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r}") from None


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
                loc = f"{f.path}:{f.line}" if f.line else f.path
                style = {Severity.ERROR: "bold red", Severity.WARNING: "yellow"}.get(f.severity, "cyan")
                console.print(f"{loc}: [{style}]{f.rule_id}[/] {f.message}", markup=True, highlight=False)
                for k, v in f.extra:
                    if k in ("source", "static_finding"):
                        console.print(f"    {k.replace('_', ' ')}: {v}", markup=False)
        out = buf.getvalue()
    if args.output:
        write_atomic(args.output, out)
    else:
        sys.stdout.write(out)
        sys.stdout.flush()


def exit_code(findings: list[Finding]) -> int:
    return 1 if any(f.severity >= Severity.ERROR and not f.suppressed for f in findings) else 0


def human_bytes(n: float) -> str:
    sign = "-" if n < 0 else ""
    n = abs(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{sign}{n:,.0f} {unit}" if unit == "B" else f"{sign}{n:,.1f} {unit}"
        n /= 1024
    return f"{sign}{n:.1f} GiB"
