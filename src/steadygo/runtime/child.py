"""A service started as a child in its own process group, and always ended
with its whole group: whatever happens to the run (a timeout, Ctrl-C, an
error), nothing the test started is left behind.

The child gets a new session (``setsid``), so its process group id is its
pid and a Ctrl-C typed at steadygo's terminal reaches steadygo only: the
child then dies by the group kill in ``close``, never half-signalled.  The
SIGTERM of the test goes to the child's pid alone, as Kubernetes sends it to
PID 1 alone: a shell wrapper that does not pass it on is measured as such."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import time

from steadygo.errors import UserError


class Child:
    def __init__(self, argv: list[str], env_extra: dict[str, str]):
        self.argv = argv
        # The child's output goes to a file, not to steadygo's stdout (which
        # may be the JSON report); its last line explains an early exit.
        self._log = tempfile.TemporaryFile()
        env = dict(os.environ, **env_extra)
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log, env=env,
                                         start_new_session=True)
        except FileNotFoundError:
            self._log.close()
            raise UserError(f"{argv[0]}: command not found") from None
        except PermissionError:
            self._log.close()
            raise UserError(f"{argv[0]}: permission denied (not executable)") from None
        except OSError as exc:
            self._log.close()
            raise UserError(f"{argv[0]}: cannot start: {exc.strerror or exc}") from None
        self.pid = self.proc.pid
        self.pgid = self.pid  # setsid made it the leader of its own group

    def poll(self) -> int | None:
        return self.proc.poll()

    def sigterm(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)

    def kill_group(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pgid, signal.SIGKILL)

    def close(self) -> None:
        """SIGKILL the whole group (grandchildren too) and reap the child.
        Safe to call twice and after the child has exited: its group may
        still hold processes it started."""
        self.kill_group()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        self._log.close()

    def last_output_line(self) -> str:
        try:
            self._log.flush()
            size = self._log.seek(0, os.SEEK_END)
            self._log.seek(max(0, size - 4096))
            lines = [ln for ln in self._log.read().decode("utf-8", "replace").splitlines() if ln.strip()]
        except (OSError, ValueError):
            return ""
        return lines[-1].strip()[:200] if lines else ""


def signal_name(num: int) -> str:
    try:
        return signal.Signals(num).name
    except ValueError:
        return f"signal {num}"


def exit_description(returncode: int) -> str:
    """Popen's returncode in words: a negative one is the signal that killed it."""
    return f"killed by {signal_name(-returncode)}" if returncode < 0 else f"exit code {returncode}"


@contextlib.contextmanager
def sigterm_as_interrupt():
    """While the run holds a child, a SIGTERM to steadygo itself (a CI job
    cancelled) unwinds like Ctrl-C does, through the ``finally`` that kills
    the child's group, instead of ending steadygo with the child orphaned."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: nothing to install
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def wait_exit(child: Child, timeout: float) -> int | None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        rc = child.poll()
        if rc is not None:
            return rc
        time.sleep(0.02)
    return child.poll()
