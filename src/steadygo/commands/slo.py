"""``steadygo slo``: SLO spec -> Prometheus burn-rate rules (generate, init,
explain, check).  The work lives in ``steadygo.slo``; this module is argument
handling and output only."""

from __future__ import annotations

import argparse
import json
import os
import sys

from steadygo.errors import UserError
from steadygo.fsutil import write_atomic, write_problem
from steadygo.slo import explain, from_code, promtool, rules, scenarios, sources
from steadygo.textsafe import escape_control
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
    i.add_argument("--src", metavar="PATH", action="append",
                   help="draft the SLIs from the metrics the Go code under PATH defines (request counter and its "
                        "status label, latency histogram and its buckets) instead of the generic starter")
    i.set_defaults(_slo=_init)

    e = sub.add_parser("explain", help="table of burn rates, windows, budget used and time to detection")
    e.add_argument("spec", metavar="SPEC", nargs="+", help=_SPEC_HELP)
    e.add_argument("--format", choices=("text", "json"), default="text")
    e.add_argument("--measure", action="store_true",
                   help="also run the `slo test` scenarios with promtool and show the measured detection time")
    e.set_defaults(_slo=_explain)

    c = sub.add_parser("check", help="generate in memory and run `promtool check rules` on the result")
    c.add_argument("spec", metavar="SPEC", nargs="+", help=_SPEC_HELP)
    c.add_argument("--src", metavar="PATH", action="append",
                   help="also check every selector against the metrics the Go code under PATH defines: unknown "
                        "metric or label names (an alert that can never fire) and a latency le that is not a bucket bound")
    c.set_defaults(_slo=_check)

    t = sub.add_parser("test", help="write and run `promtool test rules` scenarios proving when each alert fires")
    t.add_argument("spec", metavar="SPEC", nargs="+", help=_SPEC_HELP)
    t.add_argument("-o", "--output", metavar="FILE",
                   help="keep the test file here, with the rules it tests beside it (see --rules)")
    t.add_argument("--rules", metavar="NAME", default="slo-test-rules.yml",
                   help="file name of the rules the test file loads, beside it (default: %(default)s)")
    t.set_defaults(_slo=_test)
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
    text = STARTER
    if args.src:
        _require_dirs(args.src)
        text, notes = from_code.draft(args.src)
        for note in notes:
            print(f"steadygo: note: {note}", file=sys.stderr)
        if not text:
            raise UserError(f"no request counter or latency histogram found in the Go code under {', '.join(args.src)}; "
                            "run `steadygo slo init` without --src for the generic starter")
    if not args.output:
        sys.stdout.write(text)
        return 0
    if os.path.exists(args.output) and not args.force:
        raise UserError(f"{args.output} exists; use --force to overwrite it")
    _write(args.output, text)
    return 0


def _require_dirs(paths: list[str]) -> None:
    for p in paths:
        if not os.path.exists(p):
            raise UserError(f"{p}: no such file or directory")


def _write(path: str, text: str) -> None:
    # Like `check`: a missing directory, a read-only file system, a directory
    # in the way or a full disk is one line naming the file, exit 2.
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise UserError(f"{path}: cannot write: {exc.strerror or exc}") from None


def _explain(args) -> int:
    s = _load(args.spec)
    measured = _run_scenarios(s, args.spec, "slo-test-rules.yml") if args.measure else None
    if args.format == "json":
        json.dump(explain.render_json(s, measured), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(explain.render_text(s, measured))
    return 0


def _test_files(s, paths: list[str], rules_name: str) -> tuple[str, str]:
    rules_text = rules.render(scenarios.stand_in_specs(s), _source_names(paths) + " (SLIs replaced by slo_test_* stand-ins)")
    return rules_text, scenarios.render_tests(s, rules_name)


def _run_scenarios(s, paths: list[str], rules_name: str) -> dict:
    """Run the scenarios; the measured detection brackets, or UserError."""
    tool = promtool.find()
    if not tool:
        raise UserError("promtool not found on PATH (Debian package: prometheus)")
    rules_text, test_text = _test_files(s, paths, rules_name)
    result = promtool.test_rules({rules_name: rules_text, "slo-test.yml": test_text}, "slo-test.yml", tool)
    if not result.ok:
        raise UserError("the alerts did not fire when predicted; promtool test rules says: "
                        + " | ".join(line.strip() for line in result.output.splitlines() if line.strip())[:2000])
    return scenarios.measured(s)


def _test(args) -> int:
    s = _load(args.spec)
    if os.path.basename(args.rules) != args.rules:
        raise UserError(f"--rules {args.rules}: give a file name; it is written beside the test file")
    targets = [os.path.join(os.path.dirname(args.output) or ".", args.rules), args.output] if args.output else []
    # The scenarios take minutes: a target that cannot be written is said first.
    for target in targets:
        problem = write_problem(target)
        if problem:
            raise UserError(f"{target}: cannot write: {problem}")
    measured = _run_scenarios(s, args.spec, args.rules)
    rules_text, test_text = _test_files(s, args.spec, args.rules)
    for target, text in zip(targets, (rules_text, test_text)):
        _write(target, text)
    n = sum(len(scenarios.scenarios(slo)) for x in s for slo in x.slos)
    print(f"{', '.join(args.spec)}: {n} scenarios pass promtool test rules")
    for (service, slo, rung), (silent, fired) in measured.items():
        print(f"  {service}/{slo} {rung}: a full outage fires it after {explain.bracket(silent, fired)}")
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
    if not args.src:
        return 0
    _require_dirs(args.src)
    problems, notes = from_code.check(s, args.src)
    for note in notes:
        print(f"steadygo: note: {note}", file=sys.stderr)
    for p in problems:
        print(escape_control(p.text()))
    if problems:
        print(f"{len(problems)} selector problem{'s' if len(problems) != 1 else ''} against the code under {', '.join(args.src)}")
        return 1
    print(f"every selector matches the metrics the code under {', '.join(args.src)} defines")
    return 0
