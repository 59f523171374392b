"""`steadygo gctrace LOG`: GC frequency, pauses, heap goal vs live heap, and
GC thrash / heap growth verdicts from GODEBUG=gctrace=1 output."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from steadygo.runtime import command, gctrace, options
from steadygo.runtime.display import safe

CHECKED_RULES = ("SG921", "SG922", "SG923", "SG924")


def add_parser(subparsers, name: str) -> argparse.ArgumentParser:
    p = subparsers.add_parser(name, help="judge GODEBUG=gctrace=1 output (GC thrash, pauses, heap trend)",
                              description="LOG is the service's stderr with gctrace lines, '-' for standard input.")
    p.add_argument("log", metavar="LOG")
    p.add_argument("--thrash-interval-ms", type=options.finite, default=50.0, metavar="MS",
                   help="GC more often than this counts towards thrash (default: 50)")
    p.add_argument("--thrash-cycles", type=options.count, default=5, metavar="N",
                   help="consecutive close cycles that make thrash (default: 5)")
    p.add_argument("--memory-limit", type=options.size, metavar="BYTES",
                   help="GOMEMLIMIT or container limit; thrash means live heap near it (default: near the GC goal)")
    p.add_argument("--stw-ms", type=options.finite, default=10.0, metavar="MS",
                   help="stop-the-world longer than this is reported (default: 10)")
    options.add_common(p)
    return p


def run(args) -> int:
    options.require_two_inputs_for_growth(args, two_inputs=False)
    rt = command.start(args)
    tr = gctrace.load(args.log, args.max_bytes, args.timeout)
    th = gctrace.Thresholds(thrash_interval_ms=args.thrash_interval_ms, thrash_cycles=args.thrash_cycles,
                            memory_limit_mb=(args.memory_limit / 2**20 if args.memory_limit else None),
                            stw_ms=args.stw_ms)
    findings = gctrace.findings(tr, th)
    s = gctrace.summarise(tr)
    data = {"command": "gctrace", "checked_rules": list(CHECKED_RULES), "source": args.log, "summary": asdict(s),
            "skipped_lines": tr.skipped, "cycles": [asdict(c) for c in tr.cycles[-args.top:]] if args.top else []}

    def render(console) -> None:
        console.print(f"{safe(args.log)}: {s.cycles} GC cycles over {s.span_s:.1f} s ({s.forced} forced)",
                      style="bold", markup=False)
        if s.interval_ms_median is not None:
            console.print(f"interval between cycles: median {s.interval_ms_median:.1f} ms, min {s.interval_ms_min:.1f} ms",
                          markup=False)
        console.print(f"stop-the-world: max {s.max_stw_ms:.3f} ms (line {s.max_stw_line}); concurrent mark mean "
                      f"{s.mean_concurrent_ms:.2f} ms; GC CPU {s.cpu_pct_last}% since start", markup=False)
        slope = f", trend {s.slope_mb_per_min:+.1f} MB/min" if s.slope_mb_per_min is not None else ""
        console.print(f"live heap: {s.live_first_mb} MB \u2192 {s.live_last_mb} MB (max {s.live_max_mb} MB){slope}; "
                      f"last goal {s.goal_last_mb} MB", markup=False)
        if tr.skipped:
            console.print(f"{tr.skipped} non-gctrace line(s) skipped", style="dim", markup=False)

    return command.finish(rt, evidence=data, findings=findings, inputs=[args.log], scope="1 GC trace", draw=render)
