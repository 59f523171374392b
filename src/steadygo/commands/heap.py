"""`steadygo heap PROFILE` / `steadygo heap BASE NEW`: top allocators of a heap
(or CPU) profile, growth of NEW over an earlier BASE, and known retention
patterns."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone

from rich.table import Table

from steadygo.errors import UserError
from steadygo.runtime import command, heapcheck, options, pprof, srclink
from steadygo.runtime.display import cell, human_bytes, safe

CHECKED_RULES = ("SG911", "SG912", "SG913", "SG914")


def add_parser(subparsers, name: str) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        name, help="rank heap/CPU profile allocators, diff against a base, flag retention patterns",
        usage="%(prog)s [options] PROFILE\n       %(prog)s [options] BASE NEW\n"
              "       %(prog)s [options] NEW --diff BASE",
        description="One PROFILE is ranked; with BASE then NEW (an earlier and a later profile of the same "
                    "process) NEW is ranked and its growth over BASE reported. Each is a pprof protobuf file "
                    "(gzipped or not), '-' or a live /debug/pprof/heap URL.")
    p.add_argument("first", metavar="PROFILE", help="the profile to rank, or BASE when NEW follows")
    p.add_argument("second", metavar="NEW", nargs="?", help="a later profile: report its growth over BASE")
    p.add_argument("--diff", dest="diff_base", metavar="BASE", help="an earlier profile to diff PROFILE against "
                   "(same as giving BASE before it)")
    p.add_argument("--sample", metavar="TYPE",
                   help="sample type to rank (default: inuse_space for heap, the profile's default otherwise)")
    options.add_common(p, src=True, growth=True)
    return p


def _base_and_new(args) -> tuple[str | None, str]:
    """The positional order is BASE then NEW, as in `goroutines`."""
    if args.second is not None:
        if args.diff_base:
            raise UserError("give BASE either as the first of two profiles or with --diff, not both")
        return args.first, args.second
    return args.diff_base, args.first


def _when(time_nanos: int) -> str:
    return datetime.fromtimestamp(time_nanos / 1e9, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def warn_if_reversed(base_src: str, base: pprof.Profile, new_src: str, cur: pprof.Profile) -> None:
    """A swapped BASE and NEW turns growth into shrinkage (and a leak into
    good news); the profiles carry the time they were taken, so say so.
    The diff is still computed in the order given: the user may mean it."""
    b, n = base.pb.time_nanos, cur.pb.time_nanos
    if b and n and n < b:
        print(safe(f"steadygo: warning: NEW {new_src} ({_when(n)}) is older than BASE {base_src} "
                   f"({_when(b)}); growth is computed from BASE to NEW as given, swap them if that "
                   f"is not what you meant"), file=sys.stderr)


def run(args) -> int:
    base_src, new_src = _base_and_new(args)
    options.require_two_inputs_for_growth(args, two_inputs=base_src is not None)
    rt = command.start(args)
    cur = pprof.load(new_src, max_bytes=args.max_bytes, timeout=args.timeout)
    base = pprof.load(base_src, max_bytes=args.max_bytes, timeout=args.timeout) if base_src else None
    if base is not None:
        warn_if_reversed(base_src, base, new_src, cur)
    tree = srclink.SourceTree(args.src) if args.src else None
    types = [t for t, _ in cur.sample_types]
    sample = args.sample or ("inuse_space" if "inuse_space" in types else cur.default_sample_type)
    tables = {}
    for st in ([t for t in ("inuse_space", "inuse_objects", "alloc_space") if t in types] or [sample]):
        tables[st] = pprof.top(cur, st, args.top)
    if sample not in tables:
        tables[sample] = pprof.top(cur, sample, args.top)
    d = pprof.diff(base, cur, sample, n=args.top) if base is not None else None
    findings = heapcheck.findings(new_src, cur, base, sample, tree, d)
    grown = d.cur_total - d.base_total if d else 0
    data = {
        "command": "heap",
        # SG914 (growth by function) is only judged on a diff.
        "checked_rules": [r for r in CHECKED_RULES if r != "SG914" or d is not None],
        "source": new_src,
        "kind": cur.kind,
        "sample_types": [{"type": t, "unit": u} for t, u in cur.sample_types],
        "sample": sample,
        "totals": {t: pprof.total(cur, t) for t in types},
        "top": {st: [r.to_dict() for r in rows] for st, rows in tables.items()},
    }
    if d is not None:
        data["diff"] = {
            "base": base_src, "sample": sample, "unit": d.unit, "base_total": d.base_total,
            "cur_total": d.cur_total, "delta": grown,
            "by_function": [r.to_dict() for r in d.by_function],
            "by_stack": [{"stack": names, "delta": dv, "where": w} for names, dv, w in d.by_stack],
        }

    def render(console) -> None:
        unit = {t: u for t, u in cur.sample_types}
        console.print(f"{safe(new_src)}: {safe(cur.kind)} profile, {len(cur.pb.sample):,} samples", style="bold", markup=False)
        for st, rows in tables.items():
            fmt = human_bytes if unit.get(st) == "bytes" else (lambda v: f"{v:,}")
            t = Table(title=cell(f"Top by {st} (total {fmt(data['totals'][st])})"), title_justify="left",
                      show_edge=False)
            for col, j in (("flat", "right"), ("cum", "right"), ("function", "left"), ("where", "left")):
                t.add_column(col, justify=j)
            for r in rows:
                t.add_row(fmt(r.flat), fmt(r.cum), cell(r.name), cell(r.where))
            console.print(t)
        if d is not None:
            fmt = human_bytes if d.unit == "bytes" else (lambda v: f"{v:,}")
            t = Table(title=cell(f"Growth of {sample} since {base_src}: {fmt(d.base_total)} \u2192 "
                                 f"{fmt(d.cur_total)} ({'+' if grown >= 0 else ''}{fmt(grown)})"),
                      title_justify="left", show_edge=False)
            t.add_column("flat", justify="right")
            t.add_column("cum", justify="right")
            t.add_column("function")
            for r in d.by_function:
                t.add_row(fmt(r.flat), fmt(r.cum), cell(r.name))
            console.print(t)
            console.print("Growth by call stack:", style="bold", markup=False)
            for names, dv, w in d.by_stack[:args.top]:
                console.print(safe(f"  {fmt(dv):>12}  {' <- '.join(names[:6])}{' ...' if len(names) > 6 else ''}"),
                              markup=False)

    grew = d is not None and args.fail_if_growth is not None and grown > args.fail_if_growth
    inputs = ([base_src] if base_src else []) + [new_src]
    return command.finish(rt, evidence=data, findings=findings, inputs=inputs,
                          scope=f"{len(inputs)} profile{'s' if len(inputs) != 1 else ''}", draw=render,
                          grew_too_much=grew)
