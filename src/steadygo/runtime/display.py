"""Text from a dump, profile or trace made safe for a terminal, and numbers
made readable: what the runtime commands' text summaries are drawn with."""

from __future__ import annotations

from rich.text import Text

from steadygo.textsafe import escape_control


def safe(text) -> str:
    """Text from a dump, profile or trace, made safe for a terminal."""
    return escape_control(str(text))


def cell(text) -> Text:
    """A table cell or title from the input: no terminal codes, no markup
    (rich reads ``[...]`` in a plain string cell as a style tag)."""
    return Text(safe(text))


def human_bytes(n: float) -> str:
    sign = "-" if n < 0 else ""
    n = abs(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{sign}{n:,.0f} {unit}" if unit == "B" else f"{sign}{n:,.1f} {unit}"
        n /= 1024
    return f"{sign}{n:.1f} GiB"
