"""`steadygo goroutines DUMP` / `steadygo goroutines BASE NEW`: diagnose a
goroutine dump, or the growth between two dumps taken at different times."""

from __future__ import annotations

import argparse

from rich.table import Table

from steadygo.runtime import command, goroutines, leaks, options, srclink
from steadygo.runtime.display import cell, safe

CHECKED_RULES = tuple(f"SG9{n:02d}" for n in range(1, 11))  # SG901-SG910


def checked_rules(dump, diffed: bool, found) -> list[str]:
    """The rules this run really evaluated (``check --evidence`` reads a
    checked rule without a finding as a live pass): SG901 needs the GC's
    goroutineleak profile, SG906 a second dump; any rule that reported was
    evaluated, whatever the input."""
    skip = set()
    if dump.profile != "goroutineleak":
        skip.add("SG901")
    if not diffed:
        skip.add("SG906")
    skip -= {f.rule_id for f in found}
    return [r for r in CHECKED_RULES if r not in skip]


def add_parser(subparsers, name: str) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        name, help="diagnose goroutine dumps (debug=1, debug=2, goroutineleak, pprof) and their growth",
        usage="%(prog)s [options] DUMP\n       %(prog)s [options] BASE NEW",
        description="Bucket goroutines by stack and creation site, rank leak suspects, and diff two dumps. "
                    "One DUMP is diagnosed; with BASE then NEW (an earlier and a later dump of the same "
                    "process) NEW is diagnosed and its growth over BASE reported. Each is a file, '-' for "
                    "standard input, or a live /debug/pprof/goroutine URL.")
    p.add_argument("dump", metavar="DUMP", help="the dump to diagnose, or BASE when NEW follows")
    p.add_argument("dump2", metavar="NEW", nargs="?", help="a later dump of the same process: report growth over BASE")
    p.add_argument("--min-count", type=options.count, default=leaks.DEFAULT_MIN_COUNT, metavar="N",
                   help=f"smallest bucket called a suspect (default: {leaks.DEFAULT_MIN_COUNT})")
    options.add_common(p, src=True, growth=True)
    return p


def run(args) -> int:
    options.require_two_inputs_for_growth(args, two_inputs=args.dump2 is not None)
    rt = command.start(args)
    first = goroutines.load(args.dump, max_bytes=args.max_bytes, timeout=args.timeout)
    second = goroutines.load(args.dump2, max_bytes=args.max_bytes, timeout=args.timeout) if args.dump2 else None
    current = second or first
    tree = srclink.SourceTree(args.src) if args.src else None
    module = tree.module if tree else None
    analysis = leaks.analyse(current, module=module, min_count=args.min_count)
    if tree is not None:
        srclink.link_suspects(analysis, tree)
    dd = leaks.diff(first, second) if second is not None else None
    findings = leaks.findings(analysis, top=args.top)
    if dd is not None:
        findings += leaks.growth_findings(dd, args.fail_if_growth, min_growth=args.min_count, top=args.top)
    evidence = {"command": "goroutines", "checked_rules": checked_rules(current, dd is not None, findings),
                **goroutines.report_data(analysis, dd, top=args.top)}
    grew = dd is not None and args.fail_if_growth is not None and any(g.delta > args.fail_if_growth for g in dd.by_site)
    inputs = [args.dump] + ([args.dump2] if args.dump2 else [])
    return command.finish(rt, evidence=evidence, findings=findings, inputs=inputs,
                          scope=f"{len(inputs)} goroutine dump{'s' if len(inputs) != 1 else ''}",
                          draw=lambda console: _render(console, analysis, dd, args.top), grew_too_much=grew)


def _render(console, analysis: leaks.Analysis, dd, top: int) -> None:
    d = analysis.dump
    title = f"{d.source}: {d.total:,} goroutines in {len(d.buckets):,} stacks ({d.format}"
    title += ", goroutineleak profile)" if d.profile == "goroutineleak" else ")"
    console.print(safe(title), style="bold", markup=False)
    if d.truncated:
        console.print(f"truncated: {d.truncated_note}", style="yellow", markup=False)
    for h in d.header[:3]:
        console.print(f"header: {safe(h)}", style="red", markup=False)
    for w in d.warnings:
        console.print(f"warning: {safe(w)}", style="yellow", markup=False)

    states = Table(title="States", title_justify="left", show_edge=False)
    states.add_column("state")
    states.add_column("goroutines", justify="right")
    for s, n in analysis.states.most_common(top):
        states.add_row(cell(s), f"{n:,}")
    console.print(states)

    t = Table(title="Top stacks", title_justify="left", show_edge=False)
    for col, j in (("count", "right"), ("state", "left"), ("wait", "left"), ("top frame", "left"),
                   ("created by", "left"), ("line", "right")):
        t.add_column(col, justify=j)
    for b in d.buckets[:top]:
        lo, hi = b.wait_range()
        wait = "" if hi == 0 else (f"{lo}m" if lo == hi else f"{lo}-{hi}m")
        tf = b.top_user_frame(analysis.module) or b.top_frame
        t.add_row(f"{b.count:,}", cell(b.state), wait, cell(tf.func if tf else "?"),
                  cell(b.created_by.func if b.created_by else ""), str(b.first_line or ""))
    console.print(t)

    if analysis.sites and d.format == "debug2":
        st = Table(title="Creation sites", title_justify="left", show_edge=False)
        st.add_column("goroutines", justify="right")
        st.add_column("stacks", justify="right")
        st.add_column("site")
        for s in analysis.sites[:top]:
            st.add_row(f"{s.count:,}", str(len(s.buckets)), cell(s.key))
        console.print(st)

    if analysis.suspects:
        console.print("Leak suspects, ranked (proven leaks first):", style="bold", markup=False)
        for i, s in enumerate(analysis.suspects[:top], 1):
            tag = "LEAK" if s.definite else "suspect"
            console.print(f" {i}. [{tag}] {safe(s.message)}", markup=False)
            if s.source_link:
                console.print(f"    source: {safe(s.source_link)}", markup=False)
            for sf in s.static:
                console.print(safe(f"    static: {sf.rule_id} {sf.path}:{sf.line} {sf.message}"), markup=False)
    else:
        console.print("No leak suspects.", markup=False)

    if dd is not None:
        g = Table(title=f"Growth {dd.before.total:,} \u2192 {dd.after.total:,} ({dd.total_delta:+,})",
                  title_justify="left", show_edge=False)
        g.add_column("delta", justify="right")
        g.add_column("before", justify="right")
        g.add_column("after", justify="right")
        g.add_column("creation site")
        for row in dd.by_site[:top]:
            g.add_row(f"{row.delta:+,}", f"{row.before:,}", f"{row.after:,}", cell(row.key))
        console.print(g)
