"""Parse ``GODEBUG=gctrace=1`` output and judge it (SG921-SG924).

Each cycle is one line (Go 1.19+ adds stacks and globals; 1.26+ may add
"(checking for goroutine leaks)" after the CPU percentage):

    gc 4 @67.451s 0%: 0.064+0.26+0.002 ms clock, 0.12+0.15/0.041/0.16+0.005 ms cpu,
       18->21->21 MB, 21 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)

Lines that are not gctrace (the service's own logs share stderr) are skipped
and counted, never fatal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from steadygo.errors import UserError
from steadygo.findings import Finding
from steadygo.evidence.rules.sg9_runtime import (sg921_gc_thrash as sg921, sg922_gc_live_heap_growing as sg922,
                                                 sg923_gc_forced_cycles as sg923,
                                                 sg924_gc_long_stop_the_world as sg924)

# Numbers are bounded: a float with two dots ("1.2.3") or a 400-digit MB value
# does not match, so such a line is skipped and counted instead of failing
# float() or overflowing the trend arithmetic.  [0-9], not \d, which also
# matches other scripts' digits.
_I = r"([0-9]{1,15})(?![0-9])"
_F = r"([0-9]{1,15}(?:\.[0-9]{1,15})?)(?![0-9.])"
_LINE = re.compile(
    rf"gc {_I} @{_F}s {_I}%(?: \(([^)]*)\))?: "
    rf"{_F}\+{_F}\+{_F} ms clock, "
    rf"{_F}\+{_F}/{_F}/{_F}\+{_F} ms cpu, "
    rf"{_I}->{_I}->{_I} MB, {_I} MB goal"
    rf"(?:, {_I} MB stacks)?(?:, {_I} MB globals)?"
    rf"(?:, {_I} P)?( \(forced\))?")


@dataclass(frozen=True)
class Cycle:
    n: int
    at: float  # seconds since start
    cpu_pct: int  # share of CPU spent in GC since start
    note: str
    stw_sweep_ms: float
    concurrent_ms: float
    stw_mark_ms: float
    cpu_assist_ms: float
    cpu_background_ms: float
    cpu_idle_ms: float
    heap_start_mb: int
    heap_end_mb: int
    heap_live_mb: int
    goal_mb: int
    stacks_mb: int | None
    globals_mb: int | None
    procs: int | None
    forced: bool
    line: int

    @property
    def stw_ms(self) -> float:
        return self.stw_sweep_ms + self.stw_mark_ms


@dataclass
class Trace:
    source: str
    cycles: list[Cycle] = field(default_factory=list)
    skipped: int = 0

    def intervals_ms(self) -> list[float]:
        c = self.cycles
        return [(c[i].at - c[i - 1].at) * 1000.0 for i in range(1, len(c))]


def parse(text: str, source: str = "<gctrace>") -> Trace:
    tr = Trace(source=source)
    for i, line in enumerate(text.splitlines(), 1):
        pos = line.find("gc ")
        m = _LINE.search(line, pos) if pos >= 0 else None
        if m is None:
            if line.strip():
                tr.skipped += 1
            continue
        g = m.groups()
        tr.cycles.append(Cycle(
            n=int(g[0]), at=float(g[1]), cpu_pct=int(g[2]), note=g[3] or "",
            stw_sweep_ms=float(g[4]), concurrent_ms=float(g[5]), stw_mark_ms=float(g[6]),
            cpu_assist_ms=float(g[8]), cpu_background_ms=float(g[9]), cpu_idle_ms=float(g[10]),
            heap_start_mb=int(g[12]), heap_end_mb=int(g[13]), heap_live_mb=int(g[14]), goal_mb=int(g[15]),
            stacks_mb=int(g[16]) if g[16] else None, globals_mb=int(g[17]) if g[17] else None,
            procs=int(g[18]) if g[18] else None, forced=bool(g[19]), line=i))
    if not tr.cycles:
        raise UserError(f"{source}: no gctrace lines found (run the service with GODEBUG=gctrace=1 and capture stderr)")
    return tr


def load(source: str, max_bytes: int, timeout: float) -> Trace:
    from steadygo.runtime import fetch

    art = fetch.read_artifact(source, max_bytes=max_bytes, timeout=timeout)
    return parse(art.data.decode("utf-8", errors="replace"), source)


@dataclass
class Summary:
    cycles: int
    forced: int
    span_s: float
    interval_ms_median: float | None
    interval_ms_min: float | None
    max_stw_ms: float
    max_stw_line: int
    mean_concurrent_ms: float
    cpu_pct_last: int
    live_first_mb: int
    live_last_mb: int
    live_max_mb: int
    goal_last_mb: int
    slope_mb_per_min: float | None


def _median(xs: list[float]) -> float:
    s = sorted(xs)
    return s[len(s) // 2]


def _slope(points: list[tuple[float, float]]) -> float | None:
    n = len(points)
    if n < 2:
        return None
    mx = sum(p[0] for p in points) / n
    my = sum(p[1] for p in points) / n
    var = sum((p[0] - mx) ** 2 for p in points)
    if var == 0:
        return None
    return sum((p[0] - mx) * (p[1] - my) for p in points) / var


def summarise(tr: Trace) -> Summary:
    c = tr.cycles
    iv = tr.intervals_ms()
    worst = max(c, key=lambda x: x.stw_ms)
    slope = _slope([(x.at, x.heap_live_mb) for x in c])
    return Summary(
        cycles=len(c), forced=sum(1 for x in c if x.forced), span_s=c[-1].at - c[0].at,
        interval_ms_median=_median(iv) if iv else None, interval_ms_min=min(iv) if iv else None,
        max_stw_ms=worst.stw_ms, max_stw_line=worst.line,
        mean_concurrent_ms=sum(x.concurrent_ms for x in c) / len(c), cpu_pct_last=c[-1].cpu_pct,
        live_first_mb=c[0].heap_live_mb, live_last_mb=c[-1].heap_live_mb,
        live_max_mb=max(x.heap_live_mb for x in c), goal_last_mb=c[-1].goal_mb,
        slope_mb_per_min=slope * 60.0 if slope is not None else None)


@dataclass
class Thresholds:
    thrash_interval_ms: float = 50.0  # GC more often than this ...
    thrash_cycles: int = 5  # ... for this many cycles in a row ...
    near: float = 0.9  # ... while live heap >= near x goal (or x memory limit)
    memory_limit_mb: float | None = None
    stw_ms: float = 10.0
    growth_min_cycles: int = 5


def findings(tr: Trace, th: Thresholds = Thresholds()) -> list[Finding]:
    out: list[Finding] = []
    c = tr.cycles
    # GC thrash: a run of closely spaced cycles with the live heap pinned near
    # the goal (with GOMEMLIMIT the goal is capped at the limit) or the limit.
    run_start = None
    best: tuple[int, int] | None = None
    for i in range(1, len(c)):
        gap = (c[i].at - c[i - 1].at) * 1000.0
        ceiling = th.memory_limit_mb if th.memory_limit_mb else c[i].goal_mb
        near = ceiling > 0 and c[i].heap_live_mb >= th.near * ceiling
        if gap <= th.thrash_interval_ms and near and not c[i].forced:
            if run_start is None:
                run_start = i - 1
            if best is None or (i - run_start) > (best[1] - best[0]):
                best = (run_start, i)
        else:
            run_start = None
    if best is not None and best[1] - best[0] + 1 >= th.thrash_cycles:
        a, b = c[best[0]], c[best[1]]
        n = best[1] - best[0] + 1
        every = (b.at - a.at) * 1000.0 / max(n - 1, 1)
        ceiling = f"{th.memory_limit_mb:g} MB memory limit" if th.memory_limit_mb else f"{b.goal_mb} MB goal"
        out.append(sg921.finding(tr.source, a.line, n, a.n, b.n, every, b.heap_live_mb, ceiling, b.cpu_pct))
    if len(c) >= th.growth_min_cycles:
        third = max(len(c) // 3, 1)
        first_max = max(x.heap_live_mb for x in c[:third])
        last_min = min(x.heap_live_mb for x in c[-third:])
        s = summarise(tr)
        if last_min > first_max and s.slope_mb_per_min and s.slope_mb_per_min > 0:
            out.append(sg922.finding(tr.source, c[0].line, c[0].heap_live_mb, c[-1].heap_live_mb, c[-1].at - c[0].at,
                                     s.slope_mb_per_min))
    forced = [x for x in c if x.forced]
    if forced:
        out.append(sg923.finding(tr.source, forced[0].line, len(forced), len(c)))
    worst = max(c, key=lambda x: x.stw_ms)
    if worst.stw_ms > th.stw_ms:
        out.append(sg924.finding(tr.source, worst.line, worst.n, worst.stw_ms, worst.stw_sweep_ms, worst.stw_mark_ms))
    return out

