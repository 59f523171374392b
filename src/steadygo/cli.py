"""Command-line entry point.  Thin: parses arguments and hands off to
``steadygo.commands.<name>``, one module per subcommand.

A command whose parser sets ``_wants_config`` gets the resolved ``Config``
(``config.resolve``: flags over ``.steadygo.toml``, validated once) instead of
the raw arguments."""

from __future__ import annotations

import argparse
import importlib
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


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Top-level options come before the command, so the first word decides.
    only = argv[0] if argv and argv[0] in COMMANDS else None
    parser = build_parser(only)
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        if getattr(args, "_wants_config", False):
            from steadygo import config

            return int(args._run(config.resolve(args)) or 0)
        return int(args._run(args) or 0)
    except UserError as exc:
        print(f"steadygo: error: {one_line(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("steadygo: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
