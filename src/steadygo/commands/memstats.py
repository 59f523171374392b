"""`steadygo memstats URL_OR_JSON`: heap in use against GOMEMLIMIT and the
container limit, from expvar /debug/vars or MemStats JSON."""

from __future__ import annotations

import argparse

from steadygo.runtime import command, memstats, options
from steadygo.runtime.display import safe

CHECKED_RULES = ("SG931", "SG932")


def add_parser(subparsers, name: str) -> argparse.ArgumentParser:
    p = subparsers.add_parser(name, help="compare expvar memstats with GOMEMLIMIT and the container limit",
                              description="URL_OR_JSON is a live /debug/vars URL, a saved JSON file, or '-'.")
    p.add_argument("source", metavar="URL_OR_JSON")
    p.add_argument("--memory-limit", type=options.size, metavar="BYTES", help="the service's GOMEMLIMIT")
    p.add_argument("--container-limit", type=options.size, metavar="BYTES", help="the container's memory limit")
    p.add_argument("--gc-cpu-max", type=options.finite, default=0.10, metavar="FRACTION",
                   help="GCCPUFraction above this is reported (default: 0.10)")
    options.add_common(p)
    return p


def run(args) -> int:
    options.require_two_inputs_for_growth(args, two_inputs=False)
    rt = command.start(args)
    ms = memstats.load(args.source, args.max_bytes, args.timeout)
    findings = memstats.findings(ms, args.memory_limit, args.container_limit, gc_cpu_max=args.gc_cpu_max)
    s = memstats.summary(ms)
    # SG931 needs a limit to compare against; without one it was not checked.
    checked = [r for r in CHECKED_RULES if r != "SG931" or args.memory_limit or args.container_limit]
    data = {"command": "memstats", "checked_rules": checked, "source": args.source, "summary": s,
            "cmdline": ms.cmdline, "limits": {"memory_limit": args.memory_limit, "container_limit": args.container_limit}}

    def render(console) -> None:
        mib = lambda v: f"{(v or 0) / 2**20:,.1f} MiB"  # noqa: E731
        console.print(safe(f"{args.source}: {' '.join(ms.cmdline)}".rstrip(": ")), style="bold", markup=False)
        console.print(f"heap in use {mib(s['heap_inuse'])}, allocated {mib(s['heap_alloc'])}, next GC at "
                      f"{mib(s['next_gc'])}; runtime total {mib(s['runtime_total'])} (Sys {mib(s['sys'])}, released "
                      f"{mib(s['heap_released'])})", markup=False)
        console.print(f"{s['num_gc']:,} GC cycles ({s['num_forced_gc']:,} forced), GC CPU {s['gc_cpu_fraction']:.2%}, "
                      f"max recent pause {s['max_recent_pause_ns'] / 1e6:.3f} ms", markup=False)
        for name, v in (("GOMEMLIMIT", args.memory_limit), ("container limit", args.container_limit)):
            if v:
                console.print(f"{name} {mib(v)}: {s['runtime_total'] / v:.0%} used", markup=False)

    return command.finish(rt, evidence=data, findings=findings, inputs=[args.source], scope="1 memstats document",
                          draw=render)
