"""Durations written the way Go's ``time.ParseDuration`` reads them
(``250ms``, ``1.5s``, ``1h30m``), and printed back the way
``time.Duration.String`` and Go source spell them.

A bare number is refused: ``--p95 250`` could mean seconds or milliseconds,
and a pool sized 1,000 times too big or too small is worse than an error."""

from __future__ import annotations

import math
import re

# Seconds per unit, as time.ParseDuration names them (µs and μs both mean micro).
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_MAX_CHARS = 64


def parse_duration(text: str) -> float:
    """Seconds in ``text``; ValueError with a message fit to follow a flag name."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("expected a duration such as 250ms or 1.5s")
    s = text.strip()
    if len(s) > _MAX_CHARS:
        raise ValueError(f"not a duration: {s[:_MAX_CHARS]!r}...")
    pos, total = 0, 0.0
    while pos < len(s):
        m = _PART.match(s, pos)
        if m is None:
            hint = " (add a unit: ms, s, m or h)" if re.fullmatch(r"[\d.]+", s) else ""
            raise ValueError(f"not a duration: {s!r}{hint}")
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if not math.isfinite(total):
        raise ValueError(f"not a finite duration: {s!r}")
    return total


def go_string(seconds: float) -> str:
    """``time.Duration.String`` for whole milliseconds and up: 4m30s, 1h0m0s, 250ms."""
    ms = round(seconds * 1000)
    if ms < 1000:
        return f"{ms}ms"
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s = f"{rest / 1000:.3f}".rstrip("0").rstrip(".")
    if h:
        return f"{h}h{m}m{s}s"
    if m:
        return f"{m}m{s}s"
    return f"{s}s"


def go_expression(seconds: float) -> str:
    """A Go expression of type time.Duration for whole seconds (``270 * time.Second``),
    or milliseconds when it is under a second or not whole."""
    ms = round(seconds * 1000)
    if ms % 1000 == 0:
        whole = ms // 1000
        if whole % 60 == 0 and whole:
            return f"{whole // 60} * time.Minute"
        return f"{whole} * time.Second"
    return f"{ms} * time.Millisecond"
