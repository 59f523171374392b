import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_cli(*args, cwd=None, env=None, input=None):
    """Run the real command line in a child process (exit codes, stderr, no tracebacks)."""
    e = dict(os.environ)
    e.update(env or {})
    e.setdefault("NO_COLOR", "1")
    proc = subprocess.run(
        [sys.executable, "-m", "steadygo", *args],
        cwd=cwd or ROOT, env=e, capture_output=True, text=True, input=input, timeout=300,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def json_report(proc):
    return json.loads(proc.stdout)


def write(path, text, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as fh:
        fh.write(text)
    return path
