"""Make text from untrusted input safe to print on a terminal."""

from __future__ import annotations

import re

# Every C0 control (tab and newline too: the text is one field of a line),
# DEL and the C1 range.  ESC starts colour, cursor and title sequences, CSI
# (0x9b) does the same in one byte, BEL ends OSC titles, CR and BS overwrite
# what was printed before.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def escape_control(text: str) -> str:
    """Show control characters as visible escapes (ESC -> ``\\x1b``), so a
    function name or path read from a file cannot drive the terminal."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
