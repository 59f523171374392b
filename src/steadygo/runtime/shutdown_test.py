"""``steadygo shutdown-test``: start the service, load it, send SIGTERM while
requests are in flight, and measure what a rolling deploy would see.

The sequence is bounded at every step: readiness is awaited at most
``ready_timeout``; the load runs at most ``duration`` (and ``requests``);
after SIGTERM the service gets ``grace_period`` seconds to exit, then its
group is killed with SIGKILL, as the kubelet does.  During the drain the
readiness URL and the load listener are polled, to tell whether readiness
failed while the listener still accepted connections.  Times in the result
are seconds after SIGTERM."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

from steadygo.errors import UserError
from steadygo.findings import Finding
from steadygo.runtime import shutdown_load
from steadygo.runtime.child import Child, exit_description, signal_name, sigterm_as_interrupt, wait_exit
from steadygo.runtime.shutdown_load import Load, Target

CHECKED_RULES = ("SG981", "SG982", "SG983", "SG984")
POLL = 0.05  # seconds between drain samples: small next to any drain worth measuring
PROBE_TIMEOUT = 0.5
# The load is one thread per worker: a bound keeps thread start-up from
# eating the --signal-after and --duration it is measured against.
MAX_CONCURRENCY = 64
MAX_REQUESTS = 10_000


@dataclass(frozen=True)
class Settings:
    argv: list[str]
    env: dict[str, str]
    url: str
    load_path: str
    ready_url: str
    concurrency: int
    requests: int
    duration: float
    signal_after: float
    grace_period: float
    ready_timeout: float
    request_timeout: float
    pprof_url: str | None = None  # a goroutine dump endpoint (debug=1) for SG985
    goroutine_slack: int = 2


@dataclass
class Drain:
    ready_failed_at: float | None = None  # first non-2xx answer of the readiness URL
    ready_status: int | None = None
    ready_unanswered_at: float | None = None  # first time it did not answer at all
    listener_closed_at: float | None = None  # first refused connection on the load listener
    exited_at: float | None = None
    returncode: int | None = None
    killed: bool = False  # still running at the end of the grace period
    # The last goroutine count read once every load request had ended, and when.
    goroutines_last: int | None = None
    goroutines_at: float | None = None


def measure(s: Settings) -> dict:
    """Run the test; the JSON-ready evidence (without checked_rules)."""
    load_target = Target.parse(s.url.rstrip("/") + "/" + s.load_path.lstrip("/"), "--url")
    ready_target = Target.parse(s.ready_url, "--ready-url")
    pprof_target = Target.parse(_debug1(s.pprof_url), "--pprof-url") if s.pprof_url else None
    with sigterm_as_interrupt():
        child = Child(s.argv, s.env)
        try:
            ready_after = _await_ready(child, ready_target, s)
            before_load = shutdown_load.goroutine_count(pprof_target, PROBE_TIMEOUT) if pprof_target else None
            load = Load(load_target, s.concurrency, s.requests, s.duration, s.request_timeout,
                        alive=lambda: child.poll() is None)
            load.start()
            _sleep_unless_exited(child, s.signal_after)
            signalled = time.monotonic()
            early = child.poll()
            if early is not None:
                raise UserError(f"{s.argv[0]}: exited ({exit_description(early)}) under load, before SIGTERM"
                                + _said(child))
            child.sigterm()
            drain = _watch_drain(child, load, load_target, ready_target, signalled, s.grace_period,
                                 pprof_target if before_load is not None else None)
            # The child has exited: as a container ends when its PID 1 does,
            # whatever it started goes now, before the in-flight requests
            # are awaited (a shell wrapper's server would finish them).
            child.kill_group()
            load.stop.set()
            load.join(s.request_timeout + 1.0)
            outcomes = load.snapshot()
        finally:
            child.close()
    ev = _evidence(s, ready_after, signalled, drain, outcomes, load_target)
    if s.pprof_url:
        ev["goroutines"] = {"url": s.pprof_url, "before_load": before_load, "last_at_exit": drain.goroutines_last,
                            "read_at": _r(drain.goroutines_at), "slack": s.goroutine_slack,
                            "measured": before_load is not None and drain.goroutines_last is not None}
    return ev


def _debug1(url: str) -> str:
    """The goroutine endpoint as a debug=1 text dump (its first line holds the total)."""
    return url if "debug=" in url else url + ("&" if "?" in url else "?") + "debug=1"


def checked_rules(ev: dict) -> list[str]:
    """SG985 is evaluated only when the goroutine count could be read both
    before the load and once every request had ended."""
    return list(CHECKED_RULES) + (["SG985"] if ev.get("goroutines", {}).get("measured") else [])


def _said(child: Child) -> str:
    line = child.last_output_line()
    return f"; its last output: {line}" if line else ""


def _await_ready(child: Child, ready: Target, s: Settings) -> float:
    began = time.monotonic()
    while True:
        rc = child.poll()
        if rc is not None:
            raise UserError(f"{s.argv[0]}: exited at once ({exit_description(rc)}) before {s.ready_url} answered 2xx"
                            + _said(child))
        status = shutdown_load.status_of(ready, PROBE_TIMEOUT)
        if status is not None and 200 <= status < 300:
            return time.monotonic() - began
        if time.monotonic() - began >= s.ready_timeout:
            seen = f"it answered {status}" if status is not None else "nothing answered"
            raise UserError(f"{s.ready_url}: not ready within {s.ready_timeout:g} s ({seen}); {s.argv[0]} was stopped")
        time.sleep(0.1)


def _sleep_unless_exited(child: Child, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end and child.poll() is None:
        time.sleep(0.02)


def _watch_drain(child: Child, load: Load, load_target: Target, ready: Target, signalled: float,
                 grace: float, pprof: Target | None) -> Drain:
    d = Drain()
    while True:
        now = time.monotonic() - signalled
        rc = child.poll()
        if rc is not None:
            d.exited_at, d.returncode = now, rc
            break
        if now >= grace:
            # The kubelet's SIGKILL at the end of terminationGracePeriodSeconds.
            child.kill_group()
            d.returncode = wait_exit(child, 5.0)
            d.exited_at, d.killed = time.monotonic() - signalled, True
            break
        if d.ready_failed_at is None:
            status = shutdown_load.status_of(ready, PROBE_TIMEOUT)
            t = time.monotonic() - signalled
            if status is None:
                d.ready_unanswered_at = d.ready_unanswered_at if d.ready_unanswered_at is not None else t
            elif not 200 <= status < 300:
                d.ready_failed_at, d.ready_status = t, status
                load.stop.set()  # a load balancer stops sending new requests here
        if pprof is not None and load.all_ended():
            # Read only once no request is running: a handler still serving
            # is not a goroutine left behind.
            n = shutdown_load.goroutine_count(pprof, PROBE_TIMEOUT)
            if n is not None and child.poll() is None:
                d.goroutines_last, d.goroutines_at = n, time.monotonic() - signalled
        if d.listener_closed_at is None:
            if shutdown_load.accepts(load_target.host, load_target.port, PROBE_TIMEOUT) is False:
                d.listener_closed_at = time.monotonic() - signalled
        time.sleep(POLL)
    if d.listener_closed_at is None:
        d.listener_closed_at = d.exited_at  # the listener went with the process
    return d


def _evidence(s: Settings, ready_after: float, signalled: float, d: Drain, outcomes, load_target: Target) -> dict:
    by_result = Counter(o.result for o in outcomes)
    failed = sum(n for r, n in by_result.items() if r != "completed")
    in_flight = sum(1 for o in outcomes if o.started < signalled < o.ended)
    failed_in_flight = sum(1 for o in outcomes if o.started < signalled < o.ended and o.result != "completed")
    rc = d.returncode
    exit_info = {
        "code": rc if rc is not None and rc >= 0 else None,
        "signal": signal_name(-rc) if rc is not None and rc < 0 else None,
        "seconds_after_sigterm": round(d.exited_at, 3) if d.exited_at is not None else None,
        "killed_after_grace_period": d.killed,
        "description": exit_description(rc) if rc is not None else "did not exit",
    }
    ready_ok = d.ready_failed_at is not None and (d.listener_closed_at is None or d.ready_failed_at < d.listener_closed_at)
    ev = {
        "command": "shutdown-test",
        "target": s.url,
        "command_line": list(s.argv),
        "load": {"url": f"http://{load_target.host}:{load_target.port}{load_target.path}",
                 "concurrency": s.concurrency, "max_requests": s.requests, "max_duration": s.duration,
                 "signal_after": s.signal_after, "request_timeout": s.request_timeout},
        "ready_after_seconds": round(ready_after, 3),
        "requests": {"sent": len(outcomes), "completed": by_result.get("completed", 0), "failed": failed,
                     "by_result": dict(sorted(by_result.items())), "in_flight_at_sigterm": in_flight,
                     "failed_in_flight_at_sigterm": failed_in_flight,
                     "sent_after_sigterm": sum(1 for o in outcomes if o.started >= signalled)},
        "readiness": {"url": s.ready_url, "failed_at": _r(d.ready_failed_at), "status": d.ready_status,
                      "unanswered_at": _r(d.ready_unanswered_at), "listener_closed_at": _r(d.listener_closed_at),
                      "failed_before_listener_closed": ready_ok},
        "exit": exit_info,
        "grace_period": s.grace_period,
    }
    ev["drops_requests_in_rolling_deploy"] = bool(failed or not ready_ok or _drain_too_long(ev) or _unhandled(ev))
    return ev


def _r(x: float | None) -> float | None:
    return round(x, 3) if x is not None else None


def _drain_too_long(ev: dict) -> bool:
    ex = ev["exit"]
    return ex["killed_after_grace_period"] or (ex["seconds_after_sigterm"] or 0) > ev["grace_period"]


def _unhandled(ev: dict) -> bool:
    ex = ev["exit"]
    return not ex["killed_after_grace_period"] and (ex["signal"] is not None or (ex["code"] or 0) != 0)


def findings(ev: dict) -> list[Finding]:
    from steadygo.evidence.rules.sg9_runtime import (sg981_requests_failed_during_shutdown as sg981,
                                                      sg982_readiness_not_failed_before_listener_closed as sg982,
                                                      sg983_drain_longer_than_grace_period as sg983,
                                                      sg984_sigterm_not_handled as sg984,
                                                      sg985_goroutines_left_at_exit as sg985)

    out: list[Finding] = []
    target, req, rd, ex = ev["target"], ev["requests"], ev["readiness"], ev["exit"]
    if req["failed"]:
        kinds = ", ".join(f"{n} {r}" for r, n in req["by_result"].items() if r != "completed")
        out.append(sg981.finding(target, req["failed"], req["sent"], kinds, req["in_flight_at_sigterm"]))
    if not rd["failed_before_listener_closed"]:
        closed = rd["listener_closed_at"]
        if rd["failed_at"] is None:
            detail = (f"it never answered non-2xx; the listener closed {closed:.2f} s after SIGTERM"
                      if closed is not None else "it never answered non-2xx")
        else:
            detail = (f"it answered {rd['status']} {rd['failed_at']:.2f} s after SIGTERM, the listener closed at "
                      f"{closed:.2f} s")
        out.append(sg982.finding(target, rd["url"], detail))
    if _drain_too_long(ev):
        out.append(sg983.finding(target, ex["seconds_after_sigterm"] or 0.0, ev["grace_period"],
                                 ex["killed_after_grace_period"]))
    if _unhandled(ev):
        when = ex["seconds_after_sigterm"]
        how = ex["description"] + (f" {when:.2f} s after SIGTERM" if when is not None else "")
        if req["failed_in_flight_at_sigterm"]:
            how += f", {req['failed_in_flight_at_sigterm']} in-flight request(s) cut off"
        out.append(sg984.finding(target, how))
    g = ev.get("goroutines")
    if g and g["measured"] and g["last_at_exit"] > g["before_load"] + g["slack"]:
        out.append(sg985.finding(target, g["last_at_exit"], g["before_load"], g["read_at"]))
    return out
