"""Command-line entry point.  Thin: parses arguments and hands off to
``steadygo.commands.<name>``, one module per subcommand.

A command whose parser sets ``_wants_config`` gets the resolved ``Config``
(``config.resolve``: flags over ``.steadygo.toml``, validated once) instead of
the raw arguments."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from steadygo import __version__
from steadygo.errors import UserError

# Subcommand -> module under steadygo.commands.  The one list of commands.
COMMANDS: dict[str, str] = {
    "check": "check",
    "rules": "rules",
    "explain": "explain",
    "slo": "slo",
    "baseline": "baseline",
    "ledger": "ledger",
    "facts": "facts",
    "goroutines": "goroutines",
    "heap": "heap",
    "gctrace": "gctrace",
    "memstats": "memstats",
    "metrics": "metrics",
    "probe": "probe",
    "shutdown-test": "shutdown_test",
    "chaos": "chaos",
    "graph": "graph",
    "advise": "advise",
}


def one_line(message: str) -> str:
    """An error message as one terminal-safe line: control characters (a
    newline, an escape sequence from a hostile file name or config key) are
    shown escaped instead of acting on the terminal."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``only``, just that subcommand's parser, so
    a run imports the one command module it needs (start-up time is paid on
    every CI invocation)."""
    parser = argparse.ArgumentParser(
        prog="steadygo",
        description="Find the engineering breakpoints that take Go web services down in production.",
    )
    parser.add_argument("--version", action="version", version=f"steadygo {__version__}")
    sub = parser.add_subparsers(dest="_command", metavar="COMMAND")
    for name, module in COMMANDS.items():
        if only is not None and name != only:
            continue
        mod = importlib.import_module(f"steadygo.commands.{module}")
        p = mod.add_parser(sub, name)
        p.set_defaults(_run=mod.run)
    return parser


# What a process killed by SIGPIPE reports (128 + 13): the reader went away,
# so the output is incomplete and neither 0 (nothing found) nor 1 (findings)
# would be true.  Python ignores SIGPIPE, so this is said by hand.
EXIT_BROKEN_PIPE = 141


class _GuardedStdout:
    """Standard output as the commands see it, remembering the error when a
    write fails, so that ``main`` can tell "the output could not be written"
    (a full disk, /dev/full, a closed pipe) from any other OSError, which
    stays a bug with its traceback.  Everything else goes to the stream."""

    def __init__(self, stream):
        self._stream = stream
        self.failure: OSError | None = None

    def write(self, text):
        try:
            return self._stream.write(text)
        except OSError as exc:
            self.failure = exc
            raise

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        try:
            return self._stream.flush()
        except OSError as exc:
            self.failure = exc
            raise

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _discard_stdout() -> None:
    """Point file descriptor 1 at /dev/null, so the interpreter's own flush
    at exit does not hit the same error and print "Exception ignored"."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _say(message: str) -> None:
    try:
        print(message, file=sys.stderr)
    except OSError:  # stderr is broken too: the exit code is all that is left
        pass


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    real_stdout = sys.stdout
    guard = sys.stdout = _GuardedStdout(real_stdout)
    try:
        code = _parse_and_run(argv)
        guard.flush()  # a write error still buffered shows here, not as a traceback at exit
        return code
    except UserError as exc:
        _say(f"steadygo: error: {one_line(str(exc))}")
        return exc.exit_code
    except KeyboardInterrupt:
        _say("steadygo: interrupted")
        return 130
    except BrokenPipeError:  # `steadygo rules | head -1`: the reader has all it wanted
        _discard_stdout()
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        if exc is not guard.failure:
            raise
        return _unwritable(exc)
    except SystemExit:
        # argparse's --help and --version end in SystemExit(0) with the text
        # still buffered; rich answers a broken pipe itself with
        # SystemExit(1), which would read as "findings".
        if guard.failure is None:
            try:
                guard.flush()
            except OSError:
                pass
        if isinstance(guard.failure, BrokenPipeError):
            _discard_stdout()
            return EXIT_BROKEN_PIPE
        if guard.failure is not None:
            return _unwritable(guard.failure)
        raise
    finally:
        sys.stdout = real_stdout


def _unwritable(exc: OSError) -> int:
    _say(f"steadygo: error: cannot write the output to standard output: {one_line(exc.strerror or str(exc))}")
    _discard_stdout()
    return 2


def _parse_and_run(argv: list[str]) -> int:
    # Top-level options come before the command, so the first word decides.
    only = argv[0] if argv and argv[0] in COMMANDS else None
    parser = build_parser(only)
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help(sys.stderr)
        return 2
    return _run(args)


def _run(args) -> int:
    if getattr(args, "_wants_config", False):
        from steadygo import config

        return int(args._run(config.resolve(args)) or 0)
    return int(args._run(args) or 0)
