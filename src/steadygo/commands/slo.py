"""``steadygo slo``: SLO spec -> Prometheus burn-rate rules (generate, init,
explain, check).  The work lives in ``steadygo.slo``; this module is argument
handling and output only."""

from __future__ import annotations

import argparse
import json
import os
import sys

from steadygo.errors import UserError
from steadygo.fsutil import write_atomic
from steadygo.slo import explain, promtool, rules, sources
from steadygo.slo.starter import STARTER


_SPEC_HELP = ("spec files: steadygo's own, sloth prometheus/v1, sloth PrometheusServiceLevel or OpenSLO SLO "
              "(detected by version/apiVersion); SLO names must be unique per service across them")


def _load(paths: list[str]):
    return sources.load_all(paths)


def _source_names(paths: list[str]) -> str:
    return ", ".join(os.path.basename(p) for p in paths)


def add_parser(subparsers, name: str) -> argparse.ArgumentParser:
    p = subparsers.add_parser(name, help="SLO burn-rate alerting: spec -> Prometheus rules",
                              description="Generate multi-window, multi-burn-rate SLO alerts for Prometheus.")
    sub = p.add_subparsers(dest="slo_command", metavar="SUBCOMMAND")

    g = sub.add_parser("generate", help="write Prometheus rule groups for a spec")
    g.add_argument("spec", metavar="SPEC", nargs="+", help=_SPEC_HELP)
    g.add_argument("-o", "--output", metavar="FILE", help="write here (atomically) instead of stdout")
    g.add_argument("--no-promtool", action="store_true", help="skip validation with promtool even if it is installed")
    g.set_defaults(_slo=_generate)

    i = sub.add_parser("init", help="write a commented starter spec")
    i.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    i.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    i.set_defaults(_slo=_init)

    e = sub.add_parser("explain", help="table of burn rates, windows, budget used and time to detection")
    e.add_argument("spec", metavar="SPEC", nargs="+", help=_SPEC_HELP)
    e.add_argument("--format", choices=("text", "json"), default="text")
    e.set_defaults(_slo=_explain)

    c = sub.add_parser("check", help="generate in memory and run `promtool check rules` on the result")
    c.add_argument("spec", metavar="SPEC", nargs="+", help=_SPEC_HELP)
    c.set_defaults(_slo=_check)
    p.set_defaults(_slo_parser=p)
    return p


def run(args) -> int:
    handler = getattr(args, "_slo", None)
    if handler is None:
        args._slo_parser.print_help(sys.stderr)
        return 2
    return handler(args)


def _generate(args) -> int:
    s = _load(args.spec)
    text = rules.render(s, _source_names(args.spec))
    # Validate before writing, so a rejected spec never replaces good rules.
    if not args.no_promtool:
        tool = promtool.find()
        if tool:
            promtool.validate(s, args.spec[0], text, tool)
        else:
            print("steadygo: note: promtool not found; generated rules were not validated", file=sys.stderr)
    for row in explain.rows(s):
        if row.ttd_outage_s is None:
            print(
                f"steadygo: warning: {row.slo}: the {row.rung} alert ({row.burn_rate}x) needs an error ratio "
                f"above {format((row.threshold * 100).normalize(), 'f')}% and can never fire; "
                f"set it to off under alerts or raise the objective",
                file=sys.stderr,
            )
    if args.output:
        _write(args.output, text)
    else:
        sys.stdout.write(text)
    return 0


def _init(args) -> int:
    if not args.output:
        sys.stdout.write(STARTER)
        return 0
    if os.path.exists(args.output) and not args.force:
        raise UserError(f"{args.output} exists; use --force to overwrite it")
    _write(args.output, STARTER)
    return 0


def _write(path: str, text: str) -> None:
    # Like `check`: a missing directory, a read-only file system, a directory
    # in the way or a full disk is one line naming the file, exit 2.
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise UserError(f"{path}: cannot write: {exc.strerror or exc}") from None


def _explain(args) -> int:
    s = _load(args.spec)
    if args.format == "json":
        json.dump(explain.render_json(s), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(explain.render_text(s))
    return 0


def _check(args) -> int:
    s = _load(args.spec)
    tool = promtool.find()
    if not tool:
        raise UserError("promtool not found on PATH (Debian package: prometheus)")
    text = rules.render(s, _source_names(args.spec))
    promtool.validate(s, args.spec[0], text, tool)
    groups = rules.rule_groups(s)["groups"]
    n_rules = sum(len(g["rules"]) for g in groups)
    print(f"{', '.join(args.spec)}: {n_rules} rules in {len(groups)} groups pass promtool check rules")
    return 0
