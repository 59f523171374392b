"""The SRE workbook's multi-window, multi-burn-rate alert ladder, and how its
windows scale with the SLO window.

The workbook defines the ladder for a 30-day SLO: page when 2% of the budget
burns in 1h, or 5% in 6h; open a ticket when 10% burns in 1d, or in 3d.  Each
alert also requires a short window of 1/12 of the long one so it stops firing
soon after the burn stops.  For another SLO window we keep the *fractions of
budget* and scale every window by ``slo_window / 30d``: the burn rates (14.4,
6, 3, 1) then stay the same, and so does the budget consumed before firing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

REFERENCE_WINDOW_S = 30 * 86400
MINUTE, HOUR, DAY = 60, 3600, 86400


@dataclass(frozen=True)
class BurnAlert:
    """One rung of the ladder, expressed for the 30-day reference window."""

    name: str  # key used in the spec (``alerts: {fast: L3}``)
    burn_rate: Decimal
    long_s: int
    short_s: int
    default_tier: str
    # The long window is summed from the short window's recorded event rates
    # instead of a raw rate over it: a raw rate over 1d or 3d reads every
    # sample of every matching series on each evaluation.  It detects about
    # half a short window later (see explain.time_to_detection); the two page
    # rungs keep raw long windows so paging is not delayed.
    derived_long: bool = False


# Order matters: it is the order of the generated rules and of ``explain``.
LADDER: tuple[BurnAlert, ...] = (
    BurnAlert("fast", Decimal("14.4"), 1 * HOUR, 5 * MINUTE, "L3"),
    BurnAlert("medium", Decimal("6"), 6 * HOUR, 30 * MINUTE, "L2"),
    BurnAlert("slow", Decimal("3"), 1 * DAY, 2 * HOUR, "L1", derived_long=True),
    BurnAlert("slowest", Decimal("1"), 3 * DAY, 6 * HOUR, "L1", derived_long=True),
)
LADDER_NAMES = tuple(a.name for a in LADDER)


def scaled(seconds: int, slo_window_s: int) -> int:
    """A reference window scaled to ``slo_window_s``.  Windows are whole days
    or weeks, so every ladder window scales to a whole number of seconds."""
    return seconds * slo_window_s // REFERENCE_WINDOW_S


def derived_windows(slo_window_s: int) -> dict[int, int]:
    """Long window -> the short window whose recorded event rates it is
    summed from, for the rungs whose long window is derived."""
    return {scaled(a.long_s, slo_window_s): scaled(a.short_s, slo_window_s) for a in LADDER if a.derived_long}


def windows_needed(slo_window_s: int) -> list[int]:
    """Every distinct window the recording rules must provide, shortest first."""
    ws = set()
    for a in LADDER:
        ws.add(scaled(a.long_s, slo_window_s))
        ws.add(scaled(a.short_s, slo_window_s))
    return sorted(ws)


_UNITS = (("w", 7 * DAY), ("d", DAY), ("h", HOUR), ("m", MINUTE), ("s", 1))


def format_duration(seconds: int) -> str:
    """Prometheus duration text, largest units first (``4m40s``, ``2d19h12m``).
    Days are the largest unit so rule names read like the workbook (``3d``)."""
    out = []
    rest = seconds
    for unit, size in _UNITS[1:]:
        if rest >= size:
            out.append(f"{rest // size}{unit}")
            rest %= size
    return "".join(out) or "0s"


# At most six digits: int() of a 5,000-digit count would raise, and the
# window is checked against 7d..90d after.
_WINDOW_RE = re.compile(r"^([1-9][0-9]{0,5})([dw])$")


def parse_slo_window(text: str) -> int | None:
    """``30d`` / ``4w`` -> seconds; None if it is not a whole number of days or
    weeks (smaller units would make the scaled ladder windows fractional)."""
    m = _WINDOW_RE.match(text)
    if not m:
        return None
    return int(m.group(1)) * dict(_UNITS)[m.group(2)]


def human(seconds: float) -> str:
    """Short human duration for tables: ``51.8s``, ``2.2m``, ``36h``."""
    if seconds < 90:
        return f"{seconds:.1f}s".replace(".0s", "s")
    if seconds < 90 * MINUTE:
        return f"{seconds / MINUTE:.1f}m".replace(".0m", "m")
    if seconds < 72 * HOUR:
        return f"{seconds / HOUR:.1f}h".replace(".0h", "h")
    return f"{seconds / DAY:.1f}d".replace(".0d", "d")
