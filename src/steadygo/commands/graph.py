"""``steadygo graph [PATH]``: the module graph of a repository as Mermaid,
DOT or JSON (see ``steadygo.graph`` and docs/graph.md)."""

from __future__ import annotations

import math
import os
import sys

from steadygo.errors import UserError


def add_parser(subparsers, name: str):
    from steadygo.graph.go_command import DEFAULT_TIMEOUT_S
    from steadygo.graph.render import FORMATS

    p = subparsers.add_parser(name, help="the module graph (go mod graph offline, else go.mod files and local replaces)",
                              description="Print the module graph of PATH: from `go mod graph` run offline (never "
                              "downloading) when every module is in the module cache, else from the go.mod files "
                              "under PATH and their local replaces.  The output says which, and why.")
    p.add_argument("path", nargs="?", default=".", metavar="PATH", help="a directory or a go.mod (default: .)")
    p.add_argument("--format", choices=FORMATS, default="mermaid")
    p.add_argument("-o", "--output", metavar="FILE", help="write here (atomically) instead of standard output")
    p.add_argument("--no-go", action="store_true", help="read the go.mod files only; do not run go mod graph")
    p.add_argument("--go-binary", metavar="FILE", help="the go command to run (default: go on PATH)")
    p.add_argument("--timeout", default=str(DEFAULT_TIMEOUT_S), metavar="SECONDS",
                   help=f"time for all go mod graph runs together (default: {DEFAULT_TIMEOUT_S:g})")
    return p


def _timeout(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        v = math.nan
    if not math.isfinite(v) or v <= 0:
        raise UserError(f"--timeout: expected a positive number of seconds, got {text[:40]!r}")
    return v


def run(args) -> int:
    from steadygo.fsutil import write_atomic
    from steadygo.graph.build import build
    from steadygo.graph.render import render

    timeout = _timeout(args.timeout)
    result = build(args.path, base=os.getcwd(), go_binary=args.go_binary, timeout_s=timeout, use_go=not args.no_go)
    text = render(result, args.format)
    if args.output:
        try:
            write_atomic(args.output, text)
        except OSError as exc:
            raise UserError(f"{args.output}: cannot write: {exc.strerror or exc}") from None
    else:
        sys.stdout.write(text)
    return 0
