"""``steadygo ledger [PATH]``: the breakpoint ledger (``// BP-07: <title>``
markers and the tests that reference them)."""

from __future__ import annotations

import json
import os
import sys

from steadygo import ledger
from steadygo.errors import UserError
from steadygo.fsutil import write_atomic


def add_parser(sub, name):
    p = sub.add_parser(
        name, help="list '// BP-07: title' breakpoint markers and the tests that reference them",
        description="List the known breakpoints marked in Go code with '// BP-NN: <title>' comments, where they "
                    "are, and which _test.go files reference each id. Exit codes: 0 listed, 1 --require-tests "
                    "and a breakpoint has no test, 2 usage or input error.")
    p.add_argument("path", nargs="?", default=".", help="directory or file to search (default: .)")
    p.add_argument("--format", choices=("text", "json", "mermaid"), default="text",
                   help="text (default), json, or mermaid (a status graph for Markdown)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of standard output")
    p.add_argument("--require-tests", action="store_true", help="exit 1 when a marked breakpoint has no test referencing it")
    return p


def run(args) -> int:
    if not os.path.exists(args.path):
        raise UserError(f"{args.path}: no such file or directory")
    bps = ledger.collect(args.path)
    if args.format == "json":
        out = json.dumps(ledger.to_dict(bps), indent=2, ensure_ascii=False) + "\n"
    elif args.format == "mermaid":
        out = ledger.mermaid(bps)
    else:
        out = ledger.text(bps)
    if args.output:
        try:
            write_atomic(args.output, out)
        except OSError as exc:
            raise UserError(f"{args.output}: cannot write ledger: {exc.strerror or exc}") from None
    else:
        sys.stdout.write(out)
    untested = [bp.id for bp in bps if not bp.tested]
    if args.require_tests and untested:
        print(f"steadygo: {len(untested)} breakpoint{'s' if len(untested) != 1 else ''} without a test: "
              f"{', '.join(untested)}", file=sys.stderr)
        return 1
    return 0
