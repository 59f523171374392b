"""Helpers shared by the runtime tests (not fixtures)."""

from __future__ import annotations

from pathlib import Path


def cli(argv: list[str]) -> int:
    """Run steadygo's CLI with only the runtime subcommands registered, so the
    tests do not depend on the other commands existing on this branch."""
    from steadygo import cli as cli_mod

    saved = cli_mod.COMMANDS
    cli_mod.COMMANDS = {k: v for k, v in saved.items() if k in ("goroutines", "heap", "gctrace", "memstats")}
    try:
        return cli_mod.main(argv)
    finally:
        cli_mod.COMMANDS = saved


def source_line(path: Path, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing needle: tests derive expected
    line numbers from the Go source instead of hard-coding them."""
    seen = 0
    for i, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return i
    raise AssertionError(f"{needle!r} not found in {path}")
