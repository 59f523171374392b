"""`steadygo chaos --listen HOST:PORT --upstream HOST:PORT`: a bounded
fault-injecting TCP proxy; point a service's dependency at it, drive the
service, and read what its client did (SG991 hung calls, SG992 retry storms)."""

from __future__ import annotations

import argparse
import math
import sys

from rich.table import Table

from steadygo.durations import parse_duration
from steadygo.errors import UserError
from steadygo.runtime import chaos_proxy, chaos_report, command, options
from steadygo.runtime.display import cell, safe


def span(text: str) -> float:
    """A time as Go writes it (2s, 250ms, 1m) or a bare number of seconds."""
    try:
        value = float(text)
    except ValueError:
        try:
            value = parse_duration(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    if not math.isfinite(value) or not 0 <= value <= options.MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time between 0 and 24h")
    return value


def rate(text: str) -> float:
    value = options.finite(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a fraction between 0 and 1")
    return value


def add_parser(subparsers, name: str) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        name, help="fault-injecting TCP proxy: prove a client's timeouts and retries",
        description="Listens on --listen and forwards to --upstream, injecting latency, resets and a blackhole; "
                    "ends after --duration (or on Ctrl-C) and reports per client what it did: calls that hung "
                    "past --hang-bound (no timeout), calls given up early (a timeout), retries.")
    p.add_argument("--listen", required=True, metavar="HOST:PORT", help="where the proxy listens, e.g. 127.0.0.1:9000")
    p.add_argument("--upstream", required=True, metavar="HOST:PORT", help="the real dependency")
    p.add_argument("--latency", type=span, default=0.0, metavar="D",
                   help="hold each request of a client this long before passing it on, e.g. 2s (default: 0)")
    p.add_argument("--jitter", type=span, default=0.0, metavar="D", help="latency varies by up to +-D (default: 0)")
    p.add_argument("--reset-rate", type=rate, default=0.0, metavar="P",
                   help="fraction of connections reset (RST) when the client first sends (default: 0)")
    p.add_argument("--blackhole-after", type=options.count, metavar="N",
                   help="after N connections, accept the rest and never answer them")
    p.add_argument("--duration", type=span, default=60.0, metavar="D", help="end after this long (default: 60s)")
    p.add_argument("--max-connections", type=options.bounded_count(chaos_proxy.MAX_CONNECTIONS), default=100,
                   metavar="N", help="open connections at most; more are reset at once (default: 100; at most "
                                     f"{chaos_proxy.MAX_CONNECTIONS:,})")
    p.add_argument("--hang-bound", type=span, default=10.0, metavar="D",
                   help="a client waiting for an answer longer than this has no timeout (default: 10s; below --duration)")
    p.add_argument("--retry-window", type=span, default=1.0, metavar="D",
                   help="a reconnect this soon after a failed connection counts as a retry (default: 1s)")
    p.add_argument("--max-retries", type=options.count, default=3, metavar="N",
                   help="more retries in a row than this is a retry storm (default: 3)")
    p.add_argument("--seed", type=options.count, metavar="N", help="seed of the fault dice, for a repeatable run")
    options.add_common(p)
    return p


def run(args) -> int:
    options.require_two_inputs_for_growth(args, two_inputs=False)
    if args.duration <= 0:
        raise UserError("--duration must be above 0")
    if args.hang_bound >= args.duration:
        raise UserError(f"--hang-bound {args.hang_bound:g} s must be shorter than --duration {args.duration:g} s: "
                        "a call cannot be seen hanging past a bound the run never reaches")
    chaos_proxy.fit_open_files(args.max_connections)
    listen = chaos_proxy.parse_hostport(args.listen, "--listen")
    upstream = chaos_proxy.parse_hostport(args.upstream, "--upstream")
    rt = command.start(args)
    chaos_proxy.check_upstream(*upstream)
    faults = chaos_proxy.Faults(latency=args.latency, jitter=args.jitter, reset_rate=args.reset_rate,
                                blackhole_after=args.blackhole_after, seed=args.seed)
    proxy = chaos_proxy.Proxy(listen, upstream, faults, args.duration, args.max_connections)

    def listening(addr: str) -> None:
        # Said on stderr so a script (and the tests) know when to start the client.
        print(f"steadygo chaos: listening on {addr}, forwarding to {args.upstream} for {args.duration:g} s",
              file=sys.stderr, flush=True)

    proxy.run(listening)
    bounds = chaos_report.Bounds(args.hang_bound, args.retry_window, args.max_retries)
    ended = proxy.ended if proxy.ended is not None else proxy.now()
    ev = {
        "command": "chaos", "target": args.upstream, "listen": proxy.bound_address,
        "checked_rules": list(chaos_report.CHECKED_RULES),
        "faults": {"latency": args.latency, "jitter": args.jitter, "reset_rate": args.reset_rate,
                   "blackhole_after": args.blackhole_after, "seed": args.seed},
        "bounds": {"hang_bound": args.hang_bound, "retry_window": args.retry_window, "max_retries": args.max_retries},
        "duration": round(ended, 3), "connections_total": len(proxy.conns),
        "sources": chaos_report.analyse(proxy.conns, ended, bounds),
        "connections": chaos_report.connection_rows(proxy.conns, ended),
    }
    found = chaos_report.findings(ev)

    def render(console) -> None:
        console.print(safe(f"chaos {ev['listen']} -> {args.upstream}: {len(proxy.conns)} connections in "
                           f"{ended:.1f} s"), style="bold", markup=False)
        if not ev["sources"]:
            return
        table = Table(show_edge=False)
        for col in ("client", "conns", "answered", "gave up (after)", "hung", "longest wait", "retries", "resets"):
            table.add_column(col, justify="left" if col == "client" else "right")
        for src, s in ev["sources"].items():
            g = s["gave_up_after"]
            gave = f"{s['gave_up']} ({g['min']:.1f}-{g['max']:.1f} s)" if g else "0"
            table.add_row(cell(src), str(s["connections"]), str(s["answered"]), gave, str(s["hung_past_bound"]),
                          f"{s['longest_wait']:.1f} s", str(s["retries"]), str(s["reset_by_proxy"]))
        console.print(table)

    return command.finish(rt, evidence=ev, findings=found, inputs=[args.upstream], scope="1 chaos run", draw=render)
