"""The command-line options every runtime command shares, and the parsers of
their values (sizes, times, counts): a bad value is a usage error (exit 2,
one line) here, not an OverflowError or a silent "accept nothing" deep in a
reader.

The report options (``--format NAME[=FILE]``, ``-o``, ``--fail-on``,
``--exit-zero``, ``--baseline``, ``--config``) are the ones ``check`` has and
mean the same: ``steadygo.runtime.command`` resolves them through
``config.resolve``."""

from __future__ import annotations

import argparse
import math

from steadygo.errors import UserError
from steadygo.runtime import fetch

MAX_SIZE = 1 << 60  # 1 EiB: beyond any real input or memory limit
MAX_SECONDS = 24 * 3600.0


def add_common(p: argparse.ArgumentParser, src: bool = False, growth: bool = False) -> None:
    p.add_argument("--format", action="append", metavar="FMT[=FILE]",
                   help="output format(s), as in 'check': text (default), json, sarif, github, junit, markdown, "
                        "html; comma-separated or repeated; FMT=FILE writes that format to FILE")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write the report (the first machine format, else the text) to FILE instead of standard output")
    p.add_argument("--top", type=count, default=10, metavar="N", help="rows per table (default: 10)")
    p.add_argument("--max-bytes", type=size, default=fetch.DEFAULT_MAX_BYTES, metavar="BYTES",
                   help="refuse inputs larger than this (default: 256M; suffixes K, M, G)")
    p.add_argument("--timeout", type=seconds, default=fetch.DEFAULT_TIMEOUT, metavar="SECONDS",
                   help="time budget for a live URL: connecting, headers and body together (default: 30)")
    if src:
        p.add_argument("--src", metavar="DIR", help="source tree of the service, to link frames to code and static findings")
    # No argparse default: an absent --fail-on keeps .steadygo.toml's fail-on
    # (else warning), as in `check`.
    p.add_argument("--fail-on", choices=("info", "warning", "error"),
                   help="lowest severity that fails the run with exit 1 (default: fail-on in .steadygo.toml, else warning)")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings (report-only runs)")
    p.add_argument("--baseline", metavar="FILE",
                   help="hide findings recorded in this baseline (matched by fingerprint, as in 'check')")
    p.add_argument("--show-suppressed", action="store_true", help="list baselined findings in the text report")
    p.add_argument("--config", help="path to .steadygo.toml (default: the closest one above --src, else above the "
                                    "current directory); its severity and fail-on apply")
    p.add_argument("--isolated", action="store_true", help="ignore every config file")
    p.add_argument("--docs-url", metavar="TEMPLATE",
                   help="where your team hosts the rule docs, with {id} for the rule id; SARIF and HTML link there")
    # Registered (hidden) on single-input commands too, so giving it there is
    # the one-line usage error of require_two_inputs_for_growth, not
    # argparse's generic "unrecognized arguments" with a usage dump.
    p.add_argument("--fail-if-growth", type=count, metavar="N",
                   help="with BASE and NEW: exit 1 when NEW grew by more than N over BASE" if growth
                   else argparse.SUPPRESS)


def require_two_inputs_for_growth(args, two_inputs: bool) -> None:
    """--fail-if-growth compares two inputs; with one there is nothing to
    compare, and silently ignoring the gate would let a CI job pass that the
    user meant to fail."""
    if args.fail_if_growth is not None and not two_inputs:
        raise UserError("--fail-if-growth needs two inputs (BASE and NEW); only one was given")


def size(text: str) -> int:
    t = text.strip().upper()
    mult = 1
    for suffix, m in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if t.endswith(suffix) or t.endswith(suffix + "B") or t.endswith(suffix + "IB"):
            mult = m
            t = t.rstrip("IB").rstrip(suffix)
            break
    try:
        value = float(t) * mult
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r}") from None
    if not math.isfinite(value) or value < 1 or value > MAX_SIZE:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size between 1 byte and 1 EiB")
    return int(value)


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or not 0 < value <= MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time between 0 and {MAX_SECONDS:g} seconds")
    return value


def finite(text: str) -> float:
    """A finite number of 0 or more (thresholds in ms, fractions)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number of 0 or more")
    return value


def count(text: str) -> int:
    try:
        value = int(text.strip()) if len(text) <= 18 else -1
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text[:24]!r} is not a whole number of 0 or more")
    return value


def bounded_count(limit: int):
    """A count from 1 to ``limit``: every request loop is bounded."""
    def parse(text: str) -> int:
        n = count(text)
        if not 1 <= n <= limit:
            raise argparse.ArgumentTypeError(f"{text[:24]!r} is not between 1 and {limit:,}")
        return n
    return parse
