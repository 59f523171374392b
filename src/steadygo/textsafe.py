"""Text that reaches a terminal, a CI log or a rendered comment.

File names, source lines and dump function names come from the code being
scanned: a hostile one can carry escape sequences that retitle the window,
clear the screen or rewrite earlier lines of the log.  Every human-readable
output passes such text through ``escape_control`` first."""

from __future__ import annotations

# C0 controls except tab, DEL, and the C1 range (0x9b is a one-byte CSI on
# terminals that honour 8-bit controls).
_VISIBLE = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x09), *range(0x0A, 0x20), 0x7F, *range(0x80, 0xA0))}


def escape_control(text: str) -> str:
    """``text`` with every control character except tab shown as ``\\xNN``."""
    return text.translate(_VISIBLE)
