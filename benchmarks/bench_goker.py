"""Recall of the goroutine and lock rules on GoKer goroutine-leak kernels.

The Go toolchain ships ~66 leak kernels distilled from real bugs in
Kubernetes, etcd, gRPC, CockroachDB, Moby and others
($GOROOT/src/runtime/testdata/testgoroutineleakprofile/goker).  Which
goroutine leaks in each kernel is machine-readable in the runtime's own test
(runtime/goroutineleakprofile_test.go, gokerTestCases): one regular
expression per leaking goroutine, naming the function the goroutine was
started with (e.g. ``Cockroach1055\\.func2``, ``(*Stopper_cockroach1462).RunWorker.func1``).

This script runs the selected rules on every kernel file (passed explicitly:
discovery skips testdata/ when walking a tree) and prints how many kernels get
a finding on a leaking goroutine's code (inside that function or a function
of the kernel it calls, or on the go statement that starts it) and how many
findings land elsewhere.  The default selection is the SG2 family and the
lock rules (SG310, SG317-SG319): a leak in these kernels is as often a
goroutine stuck on a mutex as on a channel.

    PYTHONPATH=src python3 benchmarks/bench_goker.py [-v] [--select SG2]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections import Counter

from steadygo.config import Config
from steadygo.engine import scan
from steadygo.golang.parse import FUNC_TYPES, captures, parse, text

_CASE = re.compile(r'make(?:Flaky)?Test\("(\w+)",((?:\s*`[^`]*`,?)*)\s*\)', re.S)
_REGEX = re.compile(r"`([^`]*)`")
_FUNCS_Q = "[(function_declaration) (method_declaration) (func_literal)] @f"
_GO_Q = "(go_statement) @g"


def goroot() -> str:
    return subprocess.run(["go", "env", "GOROOT"], capture_output=True, text=True, check=True).stdout.strip()


def leak_functions(test_src: str) -> dict[str, set[str]]:
    """kernel name -> names of the functions its leaking goroutines run."""
    start = test_src.index("gokerTestCases := []testCase{")
    end = test_src.index("\n\t}\n", start)
    out: dict[str, set[str]] = {}
    for m in _CASE.finditer(test_src[start:end]):
        names = set()
        for rx in _REGEX.findall(m.group(2)):
            fn = re.split(r"\\\(\.\*|\.\*", rx, maxsplit=1)[0]
            names.add(fn.replace("\\", ""))
        out[m.group(1)] = names
    return out


def function_spans(source: bytes) -> dict[str, tuple[int, int]]:
    """Go's runtime names for every function in a file: Name, (*T).M / T.M,
    and closures Outer.funcN / Outer.funcN.M numbered in source order."""
    root = parse(source).root_node
    spans: dict[str, tuple[int, int]] = {}
    names: dict[int, str] = {}
    counters: Counter = Counter()
    funcs = sorted(captures(_FUNCS_Q, root).get("f", []), key=lambda n: (n.start_byte, -n.end_byte))
    for fn in funcs:  # document order, outer before inner: closures are numbered that way
        if fn.type == "function_declaration":
            name = text(fn.child_by_field_name("name"))
        elif fn.type == "method_declaration":
            recv = text(fn.child_by_field_name("receiver")).strip("()").split()[-1]
            m = text(fn.child_by_field_name("name"))
            name = f"({recv}).{m}" if recv.startswith("*") else f"{recv}.{m}"
        else:
            parent = fn.parent
            while parent is not None and parent.type not in FUNC_TYPES:
                parent = parent.parent
            # closures in package-level initialisers belong to the package init
            outer = names.get(parent.id, "init") if parent is not None else "init"
            counters[outer] += 1
            sep = "." if parent is not None and parent.type == "func_literal" else ".func"
            name = f"{outer}{sep}{counters[outer]}"
        names[fn.id] = name
        spans[name] = (fn.start_point[0] + 1, fn.end_point[0] + 1)
    return spans, root


_CALLS_Q = "(call_expression function: [(identifier) (selector_expression)] @f)"


def reachable(spans: dict[str, tuple[int, int]], root, start: set[str], depth: int = 4) -> set[str]:
    """The functions of the file a leaking goroutine runs: its own function
    and, ``depth`` calls deep, the declared functions and methods it calls
    (matched by name: the kernels are one small file each).  Closures are
    only reached by their own name; they run in other goroutines or later."""
    decls = {n: sp for n, sp in spans.items() if ".func" not in n and not n.startswith("init.")}
    by_short: dict[str, list[str]] = {}
    for n in decls:
        by_short.setdefault(n.rsplit(".", 1)[-1], []).append(n)
    calls_at: list[tuple[int, str]] = []
    for f in captures(_CALLS_Q, root).get("f", []):
        name = text(f.child_by_field_name("field")) if f.type == "selector_expression" else text(f)
        calls_at.append((f.start_point[0] + 1, name))
    closures = sorted((sp for n, sp in spans.items() if ".func" in n), key=lambda sp: sp[0])
    seen = set(n for n in start if n in spans)
    frontier = list(seen)
    for _ in range(depth):
        nxt = []
        for n in frontier:
            a, b = spans[n]
            inner = [sp for sp in closures if a < sp[0] and sp[1] <= b and sp != (a, b)]
            for line, name in calls_at:
                if not a <= line <= b or any(c0 <= line <= c1 for c0, c1 in inner):
                    continue
                for target in by_short.get(name, ()):
                    if target not in seen:
                        seen.add(target)
                        nxt.append(target)
        frontier = nxt
    return seen


def go_lines_for(root, fname: str) -> set[int]:
    """Lines of go statements that start a named function (``go s.Serve()``)."""
    last = fname.rsplit(".", 1)[-1]
    out = set()
    for g in captures(_GO_Q, root).get("g", []):
        call = g.named_child(0)
        fn = call.child_by_field_name("function") if call is not None else None
        if fn is not None and fn.type in ("identifier", "selector_expression"):
            if text(fn).rsplit(".", 1)[-1] == last:
                out.add(g.start_point[0] + 1)
    return out


def _kernel_file(kernels_dir: str, name: str) -> str | None:
    path = os.path.join(kernels_dir, name.lower() + ".go")
    if os.path.isfile(path):
        return path
    # the runtime test names one kernel with transposed digits (Moby25348 for
    # moby25384.go); fall back to the file that registers the name
    for f in sorted(os.listdir(kernels_dir)):
        if f.endswith(".go"):
            with open(os.path.join(kernels_dir, f), encoding="utf-8") as fh:
                if f'register("{name}"' in fh.read():
                    return os.path.join(kernels_dir, f)
    return None


LOCK_RULES = "SG310,SG317,SG318,SG319"
DEFAULT_SELECT = "SG2," + LOCK_RULES


def evaluate(select: str = DEFAULT_SELECT):
    """One row per kernel: (name, findings on the leaking goroutines' code,
    findings elsewhere, leaking function names); kernels without a file have
    None for both lists."""
    src = os.path.join(goroot(), "src", "runtime")
    kernels_dir = os.path.join(src, "testdata", "testgoroutineleakprofile", "goker")
    with open(os.path.join(src, "goroutineleakprofile_test.go"), encoding="utf-8") as fh:
        leaks = leak_functions(fh.read())
    cfg = Config(select=select.split(","), preview=True)
    rows = []
    for name in sorted(leaks):
        path = _kernel_file(kernels_dir, name)
        if path is None:
            rows.append((name, None, None, leaks[name]))
            continue
        with open(path, "rb") as fh:
            spans, root = function_spans(fh.read())
        ranges = []
        for fname in reachable(spans, root, leaks[name]):
            ranges.append(spans[fname])
        for fname in leaks[name]:
            ranges.extend((ln, ln) for ln in go_lines_for(root, fname))
        result = scan([path], cfg, use_cache=False, jobs=1, base=kernels_dir)
        hits = [f for f in result.active if any(a <= f.line <= b for a, b in ranges)]
        others = [f for f in result.active if f not in hits]
        rows.append((name, hits, others, leaks[name]))
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-v", "--verbose", action="store_true", help="one line per kernel")
    ap.add_argument("--select", default=DEFAULT_SELECT, help=f"rule selector (default {DEFAULT_SELECT})")
    args = ap.parse_args(argv)

    rows = evaluate(args.select)
    hit_kernels = on_leak = elsewhere = 0
    by_rule_hit: Counter = Counter()
    by_rule_else: Counter = Counter()
    for name, hits, others, leaks in rows:
        if hits is None:
            if args.verbose:
                print(f"  {name:<16} (no kernel file)")
            continue
        on_leak += len(hits)
        elsewhere += len(others)
        by_rule_hit.update(f.rule_id for f in hits)
        by_rule_else.update(f.rule_id for f in others)
        hit_kernels += bool(hits)
        if args.verbose:
            print(f"  {name:<16} {'HIT ' if hits else '    '} on-leak={','.join(f'{f.rule_id}:{f.line}' for f in hits) or '-'}"
                  f"  elsewhere={','.join(f'{f.rule_id}:{f.line}' for f in others) or '-'}  leaks={sorted(leaks)}")
    n = len(rows)
    print(f"GoKer kernels: {n}")
    print(f"kernels with a finding on the leaking goroutine's code: {hit_kernels}/{n} ({100 * hit_kernels / max(n, 1):.0f}%)")
    print(f"findings: {on_leak + elsewhere} total, {on_leak} on leaking goroutines' code, {elsewhere} elsewhere")
    print("on-leak by rule:  " + (", ".join(f"{r}={c}" for r, c in sorted(by_rule_hit.items())) or "-"))
    print("elsewhere by rule: " + (", ".join(f"{r}={c}" for r, c in sorted(by_rule_else.items())) or "-"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
