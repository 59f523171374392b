"""`steadygo shutdown-test [options] -- CMD ARGS...`: start the service, load
it, SIGTERM it with requests in flight, and report what a rolling deploy
would see (SG981-SG984)."""

from __future__ import annotations

import argparse

from steadygo.errors import UserError
from steadygo.runtime import command, options, shutdown_test
from steadygo.runtime.display import safe


def add_parser(subparsers, name: str) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        name, help="start a service, load it, SIGTERM it, and measure what a rolling deploy would drop",
        description="Starts CMD (after --) in its own process group, waits until --ready-url answers 2xx, sends "
                    "bounded load to --url + --load-path, sends SIGTERM after --signal-after seconds, watches the "
                    "drain, and kills the process group at the end whatever happens.")
    p.add_argument("--url", required=True, metavar="URL", help="base URL of the service, e.g. http://127.0.0.1:8080")
    p.add_argument("--load-path", default="/", metavar="PATH",
                   help="path (and query) the load requests, slow enough to be in flight at SIGTERM, e.g. "
                        "/work?ms=800 (default: /)")
    p.add_argument("--ready-url", required=True, metavar="URL",
                   help="readiness endpoint: awaited before the load, polled during the drain")
    p.add_argument("--env", action="append", default=[], metavar="K=V", help="add to the child's environment (repeatable)")
    p.add_argument("--concurrency", type=options.bounded_count(shutdown_test.MAX_CONCURRENCY), default=4, metavar="N",
                   help=f"parallel requests (default: 4; at most {shutdown_test.MAX_CONCURRENCY})")
    p.add_argument("--requests", type=options.bounded_count(shutdown_test.MAX_REQUESTS), default=200, metavar="N",
                   help=f"at most this many load requests in all (default: 200; at most {shutdown_test.MAX_REQUESTS:,})")
    p.add_argument("--duration", type=options.seconds, default=10.0, metavar="SECONDS",
                   help="send load requests for at most this long (default: 10)")
    p.add_argument("--signal-after", type=options.seconds, default=1.0, metavar="SECONDS",
                   help="send SIGTERM this long after the load started (default: 1)")
    p.add_argument("--grace-period", type=options.seconds, default=30.0, metavar="SECONDS",
                   help="Kubernetes terminationGracePeriodSeconds: the service is killed with SIGKILL if it has not "
                        "exited this long after SIGTERM (default: 30)")
    p.add_argument("--ready-timeout", type=options.seconds, default=30.0, metavar="SECONDS",
                   help="give up when --ready-url has not answered 2xx after this long (default: 30)")
    p.add_argument("--request-timeout", type=options.seconds, default=15.0, metavar="SECONDS",
                   help="timeout of each load request (default: 15)")
    p.add_argument("--pprof-url", metavar="URL",
                   help="goroutine dump endpoint (e.g. http://127.0.0.1:6060/debug/pprof/goroutine): its count before "
                        "the load is compared with the last one read after every request ended (SG985)")
    p.add_argument("--goroutine-slack", type=options.count, default=2, metavar="N",
                   help="goroutines more than before the load that are still tolerated at exit (default: 2)")
    options.add_common(p)
    p.add_argument("cmd", nargs=argparse.REMAINDER, metavar="-- CMD ARGS", help="the service to start")
    return p


def _env(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq or not key:
            raise UserError(f"--env {pair!r}: expected K=V")
        out[key] = value
    return out


def run(args) -> int:
    options.require_two_inputs_for_growth(args, two_inputs=False)
    argv = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not argv:
        raise UserError("shutdown-test needs the service command after --, e.g. -- ./server -addr 127.0.0.1:8080")
    rt = command.start(args)
    settings = shutdown_test.Settings(
        argv=argv, env=_env(args.env), url=args.url, load_path=args.load_path, ready_url=args.ready_url,
        concurrency=args.concurrency, requests=args.requests, duration=args.duration, signal_after=args.signal_after,
        grace_period=args.grace_period, ready_timeout=args.ready_timeout, request_timeout=args.request_timeout,
        pprof_url=args.pprof_url, goroutine_slack=args.goroutine_slack)
    ev = shutdown_test.measure(settings)
    ev["checked_rules"] = shutdown_test.checked_rules(ev)
    found = shutdown_test.findings(ev)

    def render(console) -> None:
        req, rd, ex = ev["requests"], ev["readiness"], ev["exit"]
        console.print(safe(f"{' '.join(argv)}: {req['sent']} requests to {ev['load']['url']}, {req['completed']} "
                           f"completed, {req['failed']} failed; {req['in_flight_at_sigterm']} in flight at SIGTERM"),
                      style="bold", markup=False)
        ready = (f"readiness {rd['status']} at {rd['failed_at']:.2f} s" if rd["failed_at"] is not None
                 else "readiness never failed")
        closed = f"listener closed at {rd['listener_closed_at']:.2f} s" if rd["listener_closed_at"] is not None else ""
        after = ex["seconds_after_sigterm"]
        console.print(safe(f"after SIGTERM: {ready}; {closed}; {ex['description']} at {after:.2f} s "
                           f"(grace period {ev['grace_period']:g} s)"), markup=False)
        g = ev.get("goroutines")
        if g:
            console.print(f"goroutines: {g['before_load']} before the load, {g['last_at_exit']} last read before exit"
                          if g["measured"] else f"goroutines: not measured ({g['url']} gave no count)", markup=False)
        verdict = "would drop requests" if ev["drops_requests_in_rolling_deploy"] else "would drop no requests"
        console.print(f"a rolling deploy {verdict}", markup=False)
        if not req["in_flight_at_sigterm"]:
            console.print(f"note: no request was in flight at SIGTERM, so the drain of in-flight requests was not "
                          f"exercised: choose a slower --load-path, or a --signal-after below --duration "
                          f"({ev['load']['signal_after']:g} s vs {ev['load']['max_duration']:g} s)",
                          style="yellow", markup=False)

    return command.finish(rt, evidence=ev, findings=found, inputs=[args.url], scope="1 shutdown", draw=render)
