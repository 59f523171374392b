"""Synthetic counter series for promtool unit tests, in promtool's expanding
notation, built from (increase per minute, minutes) phases."""

from __future__ import annotations


def counter(*phases: tuple[int, int]) -> str:
    """One sample per minute from t=0.  The first phase covers minutes
    0..n (n+1 samples, starting at 0); each later phase adds m samples."""
    (rate, n), rest = phases[0], phases[1:]
    parts = [f"0+{rate}x{n}"]
    value = rate * n
    for rate, m in rest:
        start = value + rate
        parts.append(f"{start}+{rate}x{m - 1}")
        value = start + rate * (m - 1)
    return " ".join(parts)
