"""``steadygo baseline create``: record today's findings so ``check --baseline``
reports only new ones."""

from __future__ import annotations

import os
import sys

from steadygo import baseline as baseline_mod
from steadygo.commands.check import add_scan_options, load_config
from steadygo.engine import scan
from steadygo.errors import UserError


def add_parser(sub, name):
    p = sub.add_parser(name, help="record current findings as a baseline",
                       description="Manage the baseline of known findings that 'check --baseline FILE' hides.")
    actions = p.add_subparsers(dest="baseline_action", metavar="ACTION")
    create = actions.add_parser(
        "create", help="scan and write every current finding to the baseline file",
        description="Scan like 'steadygo check' and write every unsuppressed finding to the baseline file "
                    "(overwriting it). Use the same selection options as the check that will read it. "
                    "Exit codes: 0 written, 2 usage, config or write error.")
    add_scan_options(create)
    create.add_argument("-o", "--output", default=baseline_mod.DEFAULT_PATH, metavar="FILE",
                        help=f"baseline file to write (default: {baseline_mod.DEFAULT_PATH})")
    return p


def run(args) -> int:
    if getattr(args, "baseline_action", None) != "create":
        raise UserError("baseline: say what to do: 'steadygo baseline create [-o FILE] [PATH...]'")
    cfg = load_config(args)
    out = args.output
    directory = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(directory):
        raise UserError(f"{out}: cannot write baseline: directory {directory} does not exist")
    result = scan(args.paths, cfg, use_cache=not args.no_cache, jobs=args.jobs, base=os.getcwd())
    for d in result.diagnostics:
        print(f"steadygo: {d.level}: {d.line()}", file=sys.stderr)
    if any(d.level == "error" for d in result.diagnostics):
        return 2
    bl = baseline_mod.from_findings(result.findings, out)
    baseline_mod.save(bl, out)
    n = len(bl.entries)
    print(f"wrote {out}: {n} finding{'s' if n != 1 else ''} recorded")
    return 0
