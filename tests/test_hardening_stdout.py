"""Standard output that cannot be written: every command says so in one line
on stderr and exits 2 when stdout is /dev/full (a full disk behind a
redirection), and goes quietly when the reader of a pipe leaves
(``steadygo rules | head -1``).  Before, both ended in a traceback (exit 1,
which the README reserves for findings)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from helpers import ROOT

FIX = os.path.join(ROOT, "tests", "fixtures")
EXAMPLE = os.path.join(ROOT, "examples", "orders-service")
SLO_SPEC = os.path.join(ROOT, "examples", "slo", "order-service.yaml")

COMMANDS = {
    "check": ["check", EXAMPLE, "--no-cache", "--isolated"],
    "check-json": ["check", EXAMPLE, "--no-cache", "--isolated", "--format", "json"],
    "rules": ["rules"],
    "rules-json": ["rules", "--format", "json"],
    "explain": ["explain", "SG101"],
    "facts": ["facts", EXAMPLE],
    "goroutines": ["goroutines", os.path.join(FIX, "dumps", "leaky-t1.debug1.txt")],
    "heap": ["heap", os.path.join(FIX, "profiles", "leaky-t0.heap.pb.gz")],
    "gctrace": ["gctrace", os.path.join(FIX, "gc", "leaky.gctrace.log")],
    "memstats": ["memstats", os.path.join(FIX, "gc", "leaky-t1.vars.json")],
    "slo-generate": ["slo", "generate", SLO_SPEC],
    "help": ["--help"],
    "version": ["--version"],
}


def _env() -> dict:
    return dict(os.environ, NO_COLOR="1")


@pytest.mark.parametrize("argv", COMMANDS.values(), ids=COMMANDS.keys())
def test_stdout_on_a_full_device_is_one_line_and_exit_2(argv, tmp_path):
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "steadygo", *argv], stdout=full, stderr=subprocess.PIPE,
                              text=True, cwd=tmp_path, env=_env(), timeout=120)
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("steadygo: error:")]
    assert errors == ["steadygo: error: cannot write the output to standard output: No space left on device"]
    assert proc.returncode == 2


@pytest.mark.parametrize("argv", COMMANDS.values(), ids=COMMANDS.keys())
def test_a_reader_that_leaves_ends_the_run_quietly(argv, tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "steadygo", *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=tmp_path, env=_env())
    proc.stdout.close()  # before the command has written anything: its first write meets a closed pipe
    _, err = proc.communicate(timeout=120)
    err = err.decode()
    assert "Traceback" not in err and "Exception ignored" not in err and "steadygo: error" not in err, err
    # what a process killed by SIGPIPE reports: neither "no findings" (0) nor "findings" (1)
    assert proc.returncode == 141


def test_a_write_error_that_is_not_stdout_is_not_mistaken_for_one(monkeypatch):
    # the guard names stdout only for stdout's own failures; any other OSError stays a bug
    from steadygo import cli

    def boom(args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli, "_run", boom)
    with pytest.raises(OSError):
        cli.main(["rules"])
    assert not isinstance(sys.stdout, cli._GuardedStdout)  # put back on the way out
