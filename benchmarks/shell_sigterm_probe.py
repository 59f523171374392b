"""Re-measure the table in docs/rules/SG701.md: which ``sh -c`` forms hand
SIGTERM to the service, per shell.

A tiny Go program that logs its pid and whether SIGTERM reached it is built
with the ``go`` on PATH (or $GO); each shell runs ``SHELL -c FORM`` as PID 1
of a fresh PID namespace (``unshare --pid --fork``, needs root), SIGTERM goes
to PID 1, and the row says whether the Go process got it.  Shells not
installed are skipped (``apt-get install busybox`` for ash).

    python3 benchmarks/shell_sigterm_probe.py
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

PROGRAM = r'''package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	write := func(s string) {
		f, _ := os.OpenFile(os.Getenv("SIGLOG"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		fmt.Fprintln(f, s)
		f.Close()
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM)
	write(fmt.Sprintf("start pid=%d", os.Getpid()))
	select {
	case <-ch:
		write("got SIGTERM")
	case <-time.After(10 * time.Second):
		write("timeout")
	}
}
'''

SHELLS = {"dash": ["dash", "-c"], "bash": ["bash", "-c"], "busybox ash": ["busybox", "sh", "-c"]}
FORMS = ["./bin", "./bin --port 8080", "FOO=1 ./bin", "env FOO=1 ./bin", "echo start >/dev/null; ./bin",
         "cd . && ./bin", "false || ./bin", "set -e; ./bin", "./bin 2>&1", "(./bin)", "if true; then ./bin; fi",
         "./bin; echo done >/dev/null", "./bin | cat", "./bin & wait", "trap 'echo x' INT; ./bin", "exec ./bin"]


def build(workdir: str) -> None:
    with open(os.path.join(workdir, "main.go"), "w") as fh:
        fh.write(PROGRAM)
    with open(os.path.join(workdir, "go.mod"), "w") as fh:
        fh.write("module sigprobe\n\ngo 1.21\n")
    env = {**os.environ, "GOTOOLCHAIN": "local", "GOCACHE": os.path.join(workdir, "cache"), "CGO_ENABLED": "0"}
    subprocess.run([os.environ.get("GO", "go"), "build", "-o", "bin", "."], cwd=workdir, env=env, check=True)


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(x) for x in fh.read().split()]
    except OSError:
        return []


def run(workdir: str, shell: list[str], form: str) -> bool:
    log = os.path.join(workdir, "log")
    if os.path.exists(log):
        os.remove(log)
    p = subprocess.Popen(["unshare", "--pid", "--fork", "--kill-child", *shell, form], cwd=workdir,
                         env={**os.environ, "SIGLOG": log}, start_new_session=True)
    try:
        deadline = time.time() + 5
        while time.time() < deadline and not (os.path.exists(log) and "start" in open(log).read()):
            time.sleep(0.02)
        time.sleep(0.2)
        kids = _children(p.pid)  # the shell, PID 1 of the new namespace
        if kids:
            os.kill(kids[0], signal.SIGTERM)
        time.sleep(1.0)
        return "got SIGTERM" in open(log).read()
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()


def main() -> int:
    shells = {k: v for k, v in SHELLS.items() if shutil.which(v[0])}
    if not shutil.which("unshare") or os.geteuid() != 0:
        print("needs root and unshare(1)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as workdir:
        build(workdir)
        width = max(map(len, FORMS))
        print(f"{'sh -c FORM':{width}}  " + "  ".join(f"{s:11}" for s in shells))
        for form in FORMS:
            cells = ["yes" if run(workdir, argv, form) else "no" for argv in shells.values()]
            print(f"{form:{width}}  " + "  ".join(f"{c:11}" for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
