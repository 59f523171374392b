"""`steadygo probe URL`: check a running service from outside: health
endpoints (SG951-SG954), its metrics (SG941-SG946), pprof and expvar on the
public address (SG961, SG962), and, when asked, slow clients and an idle
keep-alive connection (SG971, SG972) and a goroutine-leak burst (SG906,
SG901).  Only the URL the user names is contacted, and all of it within
--timeout."""

from __future__ import annotations

import argparse
import sys

from rich.table import Table

from steadygo.live import health, leak_burst, probe, session, slow_clients
from steadygo.runtime import command, options
from steadygo.runtime.display import cell, safe


_bounded = options.bounded_count


def add_parser(subparsers, name: str) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        name, help="probe a running service: health, metrics, pprof/expvar exposure, slow clients, leak burst",
        description="URL is the base of a service you run or are allowed to test (http://127.0.0.1:8080). "
                    "Every request is bounded in count, bytes (--max-bytes) and time (--timeout, for the "
                    "whole probe).")
    p.add_argument("url", metavar="URL")
    p.add_argument("--metrics-path", default="/metrics", metavar="PATH", help="Prometheus exposition (default: /metrics)")
    p.add_argument("--health-path", action="append", metavar="PATH",
                   help="a liveness or readiness path (repeatable; a path with 'ready' in it is readiness); "
                        "default: try " + " ".join(health.CANDIDATES))
    p.add_argument("--health-latency", type=options.seconds, default=1.0, metavar="SECONDS",
                   help="a health answer slower than this is reported (default: 1, a Kubernetes probe's timeout)")
    p.add_argument("--pprof-path", default="/debug/pprof/", metavar="PATH",
                   help="where net/http/pprof would answer (default: /debug/pprof/)")
    p.add_argument("--slo-latency", type=options.seconds, metavar="SECONDS",
                   help="latency SLO threshold for the histogram bucket check (SG946)")
    p.add_argument("--slow-clients", type=_bounded(slow_clients.MAX_CLIENTS), nargs="?", const=slow_clients.DEFAULT_CLIENTS, default=0,
                   metavar="N", help=f"open N (default {slow_clients.DEFAULT_CLIENTS}) connections that send "
                   "their headers a byte at a time, and one idle keep-alive connection: does the server cut them?")
    p.add_argument("--hold", type=options.seconds, default=slow_clients.DEFAULT_HOLD, metavar="SECONDS",
                   help="how long a slow or idle connection is held before the server counts as not cutting it "
                        f"(default: {slow_clients.DEFAULT_HOLD:g}; within --timeout)")
    p.add_argument("--leak-burst", metavar="PATH",
                   help="goroutine dump, a burst of GET PATH, a settle wait, a second dump: growth by creation site")
    p.add_argument("--requests", type=_bounded(leak_burst.MAX_REQUESTS), default=leak_burst.DEFAULT_REQUESTS,
                   metavar="N", help=f"requests in the burst (default: {leak_burst.DEFAULT_REQUESTS})")
    p.add_argument("--concurrency", type=_bounded(leak_burst.MAX_CONCURRENCY),
                   default=leak_burst.DEFAULT_CONCURRENCY, metavar="C",
                   help=f"requests in flight at once (default: {leak_burst.DEFAULT_CONCURRENCY})")
    p.add_argument("--settle", type=options.seconds, default=leak_burst.DEFAULT_SETTLE, metavar="SECONDS",
                   help=f"wait after the burst before the second dump (default: {leak_burst.DEFAULT_SETTLE:g})")
    p.add_argument("--pprof-url", metavar="URL",
                   help="pprof base on an admin listener (http://127.0.0.1:6060/debug/pprof/) for --leak-burst")
    options.add_common(p)
    return p


def run(args) -> int:
    options.require_two_inputs_for_growth(args, two_inputs=False)
    if args.pprof_url is not None:
        session.check_target(args.pprof_url)
    rt = command.start(args)
    plan = probe.Plan(url=args.url, timeout=args.timeout, max_bytes=args.max_bytes, metrics_path=args.metrics_path,
                      health_paths=tuple(args.health_path or ()), health_latency=args.health_latency,
                      pprof_path=args.pprof_path, slo_latency=args.slo_latency, clients=args.slow_clients,
                      hold=args.hold, leak_path=args.leak_burst, pprof_url=args.pprof_url, requests=args.requests,
                      concurrency=args.concurrency, settle=args.settle, top=args.top)
    res = probe.run(plan)
    evidence = {"command": "probe", "target": args.url, "checked_rules": res.checked, "not_checked": res.skipped + res.errors,
                "seconds": round(res.seconds, 3), **res.evidence}
    for reason in res.errors:
        sys.stderr.write(f"steadygo: error: {safe(reason)}\n")
    code = command.finish(rt, evidence=evidence, findings=res.findings, inputs=[args.url], scope="1 live service",
                          draw=lambda console: _render(console, res))
    # An answer that could not be used (over the byte cap, malformed, a
    # redirect off the host) is bad input: the report is complete, the run
    # still says so.
    return 2 if res.errors else code


def _render(console, res: probe.ProbeResult) -> None:
    console.print(safe(f"{res.target}: probed in {res.seconds:.1f} s; live rules evaluated: "
                       f"{', '.join(res.checked) or 'none'}"), style="bold", markup=False)
    ev = res.evidence
    if ev.get("health"):
        t = Table(title="health", title_justify="left", show_edge=False)
        for col, j in (("path", "left"), ("status", "right"), ("seconds", "right"), ("bytes", "right")):
            t.add_column(col, justify=j)
        for row in ev["health"]:
            t.add_row(cell(row["path"]), str(row["status"]), f"{row['seconds']:.3f}", f"{row['bytes']:,}")
        console.print(t)
    if "metrics" in ev:
        m = ev["metrics"]
        console.print(safe(f"metrics: {m['families']:,} families, {m['series']:,} series ({m['format']})"),
                      markup=False)
    for key, label in (("pprof", "pprof"), ("expvar", "expvar")):
        if key in ev:
            e = ev[key]
            extra = f", {e['goroutines']:,} goroutines" if e.get("goroutines") is not None else ""
            state = "reachable" if e["reachable"] else f"not reachable (HTTP {e['status']})"
            console.print(safe(f"{label}: {state}{extra}"), markup=False)
    if "slow_clients" in ev:
        s = ev["slow_clients"]
        cuts = ", ".join(f"{x:g} s" for x in s["cut_after_seconds"]) or "none"
        console.print(f"slow clients: {s['opened']} opened, cut after {cuts}; {s['held']} held for "
                      f"{s['bound_seconds']:g} s", markup=False)
    if "idle_connection" in ev:
        i = ev["idle_connection"]
        closed = f"closed after {i['closed_after_seconds']:g} s idle" if i["closed_after_seconds"] is not None \
            else f"still open after {i['bound_seconds']:g} s"
        console.print(f"idle keep-alive connection: {closed}", markup=False)
    if "leak_burst" in ev:
        lb = ev["leak_burst"]
        console.print(safe(f"leak burst {lb['path']}: {lb['requests']} requests, goroutines "
                           f"{lb['goroutines_before']:,} \u2192 {lb['goroutines_after']:,}"), markup=False)
    for reason in res.skipped + res.errors:
        console.print(safe(f"not checked: {reason}"), style="yellow", markup=False)
