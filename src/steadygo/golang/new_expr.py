"""Go 1.26 ``new(expr)`` for a grammar that only knows ``new(Type)``.

Go 1.26 lets ``new`` take a value: ``new(int64(5))``, ``new(time.Now())``,
``Weight: new(1)``.  tree-sitter-go 0.25 (the newest on PyPI) parses the
argument of ``new`` as a type only, so each such call is an ERROR, the file
gets SG000 and rules run on a tree whose statements around the call were
merged or dropped.

The fix is made on the bytes before parsing: the identifier ``new`` of such a
call is spelled ``nEw`` (same length, so every byte offset, line and column
stays true), which parses as an ordinary call with an expression argument.
A call is rewritten only when its argument fails to parse as a type and
parses as an expression, so ``new(T)`` keeps its usual tree (rules infer
types from it) and a genuine syntax error still reaches SG000.  Snippets and
line text come from the original bytes; only ``node.text`` of the call shows
the other spelling.
"""

from __future__ import annotations

import re

# spelling of ``new`` in a value-taking call: three bytes, an identifier
# no keyword or builtin uses
VALUE_NEW = b"nEw"

_NEW_OPEN = re.compile(rb"(?<![\w.])new\s*\(")
_LITERAL_KINDS = frozenset({
    "comment", "interpreted_string_literal", "raw_string_literal", "rune_literal",
    "interpreted_string_literal_content", "escape_sequence",
})


def _closing_paren(src: bytes, open_at: int) -> int | None:
    """Index of the ``)`` matching the ``(`` at ``open_at``, skipping strings,
    runes and comments; None when the file ends first."""
    depth = 0
    i, n = open_at, len(src)
    while i < n:
        c = src[i]
        if c in b"([{":
            depth += 1
        elif c in b")]}":
            depth -= 1
            if depth == 0:
                return i if c == 0x29 else None
        elif c in b"\"'":
            i += 1
            while i < n and src[i] != c and src[i] != 0x0A:
                i += 2 if src[i] == 0x5C else 1
        elif c == 0x60:  # raw string
            end = src.find(b"`", i + 1)
            if end < 0:
                return None
            i = end
        elif src.startswith(b"//", i):
            end = src.find(b"\n", i)
            i = n if end < 0 else end
        elif src.startswith(b"/*", i):
            end = src.find(b"*/", i + 2)
            if end < 0:
                return None
            i = end + 1
        i += 1
    return None


def _in_literal(root, at: int) -> bool:
    node = root.descendant_for_byte_range(at, at + 3)
    for _ in range(3):
        if node is None:
            return False
        if node.type in _LITERAL_KINDS:
            return True
        node = node.parent
    return False


def rewrite_value_new(source: bytes, tree, parse_bytes) -> bytes | None:
    """``source`` with every value-taking ``new(`` spelled ``nEw(``, or None
    when there is none.  ``tree`` is the parse of ``source`` (to skip
    strings and comments); ``parse_bytes`` parses a snippet."""
    if b"new" not in source:
        return None
    out = None
    root = tree.root_node
    for m in _NEW_OPEN.finditer(source):
        at = m.start()
        if _in_literal(root, at):
            continue
        close = _closing_paren(source, m.end() - 1)
        if close is None:
            continue
        arg = source[m.end():close]
        if not arg.strip():
            continue
        if not parse_bytes(b"package p\nvar _ = new(" + arg + b")\n").root_node.has_error:
            continue  # a type: the grammar's own new(T)
        if parse_bytes(b"package p\nvar _ = nEw(" + arg + b")\n").root_node.has_error:
            continue  # not an expression either: a real syntax error
        if out is None:
            out = bytearray(source)
        out[at:at + 3] = VALUE_NEW
    return bytes(out) if out is not None else None
