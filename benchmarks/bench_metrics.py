"""Benchmark: `steadygo metrics` against `promtool check metrics` on one
generated 200,000-series exposition, in one run, side by side.

    PYTHONPATH=src python benchmarks/bench_metrics.py [--series N] [--runs R]

The exposition mixes what a busy Go service exposes: counters and gauges with
three labels (an instance address, a numeric user id, a path with an id, so
SG944 has real work), and request-latency histograms with 12 buckets over 50
label sets.  Each tool runs R times, interleaved, as its own child process;
the table gives the median wall time, the child's CPU time (user + system:
the fair figure on a shared, loaded machine) and its peak RSS (from wait4).
Not a timed test: figures go to benchmarks/METRICS.md by hand."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BUCKETS = ("0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf")


def exposition(series: int) -> str:
    out: list[str] = []
    fam = made = 0
    while made < series:
        name = f"app_family_{fam}"
        if fam % 4 == 3:
            out.append(f"# HELP {name}_seconds Request latency.\n# TYPE {name}_seconds histogram\n")
            for i in range(50):
                lab = f'method="GET",route="/api/v{i}/items",code="200"'
                for n, le in enumerate(BUCKETS, 1):
                    out.append(f'{name}_seconds_bucket{{{lab},le="{le}"}} {3 * n}\n')
                out.append(f"{name}_seconds_sum{{{lab}}} 12.5\n{name}_seconds_count{{{lab}}} {3 * len(BUCKETS)}\n")
                made += len(BUCKETS) + 2
        else:
            typ, suffix = ("counter", "_total") if fam % 4 == 0 else ("gauge", "")
            out.append(f"# HELP {name}{suffix} Something.\n# TYPE {name}{suffix} {typ}\n")
            for i in range(1000):
                out.append(f'{name}{suffix}{{instance="10.0.{i // 250}.{i % 250}:9090",user_id="{i * 7919}",'
                           f'path="/users/{i}"}} {i}.5\n')
                made += 1
        fam += 1
    return "".join(out)


def measure(argv: list[str], stdin_path: str | None = None) -> tuple[float, float, float, int]:
    """(wall s, CPU s, peak RSS MiB, exit code) of one child run."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        start = time.monotonic()
        proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
    finally:
        if stdin_path:
            stdin.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--series", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    promtool = shutil.which("promtool")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "metrics.prom")
        text = exposition(args.series)
        with open(path, "w") as fh:
            fh.write(text)
        lines = text.count("\n")
        print(f"exposition: {lines:,} lines, {len(text) / 2**20:.1f} MiB, load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} CPUs")
        tools = {"steadygo metrics": ([sys.executable, "-m", "steadygo", "metrics", path, "--isolated", "--exit-zero",
                                       "--format", "json", "-o", os.devnull], None)}
        if promtool:
            tools["promtool check metrics"] = ([promtool, "check", "metrics"], path)
        results: dict[str, list[tuple[float, float, float, int]]] = {k: [] for k in tools}
        for _ in range(args.runs):
            for name, (argv, stdin) in tools.items():
                results[name].append(measure(argv, stdin))
    print(f"{'tool':<24} {'wall s (median)':>16} {'CPU s (median)':>15} {'peak RSS MiB':>13} {'exit':>5}")
    for name, runs in results.items():
        print(f"{name:<24} {statistics.median(r[0] for r in runs):>16.2f} {statistics.median(r[1] for r in runs):>15.2f} "
              f"{max(r[2] for r in runs):>13.0f} {runs[-1][3]:>5}")
    if len(results) == 2:
        s, p = results.values()
        print(f"ratio steadygo/promtool: wall {statistics.median(r[0] for r in s) / statistics.median(r[0] for r in p):.2f}, "
              f"CPU {statistics.median(r[1] for r in s) / statistics.median(r[1] for r in p):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
