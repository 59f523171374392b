"""Processes for the live-command tests (shutdown-test, chaos): free ports,
the fixture services started on 127.0.0.1, steadygo run in the background,
and the check that a process group is really gone."""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def live_members(pgid: int) -> list[int]:
    """Processes of the group that are not zombies (this container's PID 1
    may never reap an orphan, and a zombie holds nothing)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            out.append(int(entry))
    return out


def children_of(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                out.append(int(entry))
    return out


def start_service(exe: Path, *args: str) -> tuple[subprocess.Popen, str]:
    """A fixture service on 127.0.0.1:0; its address from its first line."""
    proc = subprocess.Popen([str(exe), "-addr", "127.0.0.1:0", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    line = proc.stdout.readline().decode().strip()
    assert line, f"{exe.name} printed no address"
    return proc, line


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=10)


def steadygo_bg(*args: str) -> subprocess.Popen:
    env = dict(os.environ, NO_COLOR="1")
    return subprocess.Popen([sys.executable, "-m", "steadygo", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env)


def read_stderr_line(proc: subprocess.Popen, needle: str, timeout: float = 60.0) -> str:
    """The first stderr line holding ``needle``, read without blocking past
    the timeout."""
    end = time.monotonic() + timeout
    buf = b""
    fd = proc.stderr.fileno()
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            buf += chunk
            for line in buf.decode(errors="replace").splitlines():
                if needle in line:
                    proc.early_stderr = buf.decode(errors="replace")  # kept for the no-traceback checks
                    return line
    raise AssertionError(f"no {needle!r} on stderr within {timeout} s: {buf.decode(errors='replace')}")

