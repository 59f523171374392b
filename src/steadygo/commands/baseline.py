"""``steadygo baseline create``: record today's findings so ``check --baseline``
reports only new ones."""

from __future__ import annotations

import os
import sys

from steadygo import baseline as baseline_mod
from steadygo.commands.check import add_scan_options
from steadygo.config import Config
from steadygo.engine import scan
from steadygo.errors import UserError


def add_parser(sub, name):
    p = sub.add_parser(name, help="record current findings as a baseline",
                       description="Manage the baseline of known findings that 'check --baseline FILE' hides.")
    actions = p.add_subparsers(dest="_action", metavar="ACTION")
    create = actions.add_parser(
        "create", help="scan and write every current finding to the baseline file",
        description="Scan like 'steadygo check' and write every unsuppressed finding to the baseline file "
                    "(overwriting it). Use the same selection options as the check that will read it. "
                    "Exit codes: 0 written, 2 usage, config or write error.")
    add_scan_options(create)
    # dest "baseline": the same Config.baseline_file that 'check --baseline' reads
    create.add_argument("-o", "--output", dest="baseline", default=baseline_mod.DEFAULT_PATH, metavar="FILE",
                        help=f"baseline file to write (default: {baseline_mod.DEFAULT_PATH})")
    create.set_defaults(_run=create_baseline, _wants_config=True)
    return p


def run(args) -> int:
    """``steadygo baseline`` with no action (``create`` runs ``create_baseline``)."""
    raise UserError("baseline: say what to do: 'steadygo baseline create [-o FILE] [PATH...]'")


def create_baseline(cfg: Config) -> int:
    out = cfg.baseline_file or baseline_mod.DEFAULT_PATH
    directory = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(directory):
        raise UserError(f"{out}: cannot write baseline: directory {directory} does not exist")
    result = scan(cfg.paths, cfg, base=os.getcwd())
    for d in result.diagnostics:
        print(f"steadygo: {d.level}: {d.line()}", file=sys.stderr)
    if any(d.level == "error" for d in result.diagnostics):
        return 2
    bl = baseline_mod.from_findings(result.findings, out)
    baseline_mod.save(bl, out)
    n = len(bl.entries)
    print(f"wrote {out}: {n} finding{'s' if n != 1 else ''} recorded")
    return 0
