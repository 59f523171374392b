"""Helpers shared by the runtime tests (not fixtures)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
GOPROGS = HERE / "goprogs"
FIXTURES = HERE.parent / "fixtures"

# Request counts: the assertions in the tests are exact, derived from these.
EXPORT_FIRST = 10  # /export before the first dump
EXPORT_SECOND = 15  # /export between the first and second dump
SUBSCRIBE = 15
EACH_OTHER = 12  # /poll, /select, /lock, /outbound
STORE_N = 300
RETAIN_BODIES = 4  # POST /retain with a 1 MiB body each, a 16-byte prefix kept
BUFFERS = 4  # GET /buffer?kb=1024, each buffer kept


def go_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    cache = os.environ.get("STEADYGO_TEST_GOCACHE") or os.path.join(tempfile.gettempdir(), "steadygo-test-gocache")
    env.update(GOCACHE=cache, GOPATH=str(tmp / "gopath"), GOFLAGS="-mod=mod", GOTOOLCHAIN="local",
               GOPROXY="off", CGO_ENABLED=env.get("CGO_ENABLED", "1"))
    env.pop("GOROOT", None)
    return env


def cli(argv: list[str]) -> int:
    """Run steadygo's real CLI entry point in-process."""
    from steadygo import cli as cli_mod

    return cli_mod.main(argv)


def source_line(path: Path, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing needle: tests derive expected
    line numbers from the Go source instead of hard-coding them."""
    seen = 0
    for i, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return i
    raise AssertionError(f"{needle!r} not found in {path}")


def run_gcload(gobuild, tmp: Path, mode: str, env_extra: dict[str, str]) -> Path:
    exe = gobuild("gcload")
    log = tmp / f"gc-{mode}.log"
    env = dict(os.environ, GODEBUG="gctrace=1", **env_extra)
    with open(log, "wb") as fh:
        subprocess.run([str(exe), "-mode", mode], stdout=subprocess.DEVNULL, stderr=fh, env=env, timeout=60, check=True)
    return log
