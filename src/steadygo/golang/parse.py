"""One tree-sitter Go parser and a cache of compiled queries per process."""

from __future__ import annotations

import functools

import tree_sitter
import tree_sitter_go

LANGUAGE = tree_sitter.Language(tree_sitter_go.language())


def kind_id(kind: str, named: bool = True) -> int:
    """The grammar's numeric id of a node kind.  Comparing ``node.kind_id``
    with it skips building the ``node.type`` string, which matters in loops
    over every call or comparison of a big tree."""
    return LANGUAGE.id_for_node_kind(kind, named)


@functools.cache
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(LANGUAGE)


def parse(source: bytes) -> tree_sitter.Tree:
    return _parser().parse(source)


# tree-sitter's query cursor records the depth each match started at in 16
# bits (QueryState.start_depth): nodes more levels below the root than this
# are never matched, by any rule.  Measured: a call under 65,529 parentheses
# is found, under 65,530 it is not.
QUERY_DEPTH_LIMIT = 0xFFFF


def deeper_than(root: tree_sitter.Node, limit: int = QUERY_DEPTH_LIMIT) -> bool:
    """Whether some node lies more than ``limit`` levels below ``root``.
    A subtree with too few nodes to reach that deep is skipped whole
    (``descendant_count`` is constant time), so on ordinary files, however
    big, this looks at a handful of nodes; only a pathologically deep path is
    walked, once."""
    if root.descendant_count <= limit:
        return False
    cursor = root.walk()
    depth = 0  # counted here: TreeCursor.depth walks the cursor's stack, O(depth) a call
    while True:
        if depth > limit:
            return True
        # descendant_count counts the node itself: its subtree reaches at
        # most depth + count - 1.
        if depth + cursor.node.descendant_count - 1 > limit and cursor.goto_first_child():
            depth += 1
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return False
            depth -= 1


@functools.cache
def query(text: str) -> tree_sitter.Query:
    return tree_sitter.Query(LANGUAGE, text)


def _position(node: tree_sitter.Node) -> tuple[int, int]:
    return node.start_byte, -node.end_byte  # outer node first when two start together


def captures(query_text: str, node: tree_sitter.Node) -> dict[str, list[tree_sitter.Node]]:
    """Captures by name, each list in source order.  py-tree-sitter's own
    order is neither source order nor stable between runs (it followed the
    heap layout: the same tree gave a different "first leaking return"
    depending on where the package was installed), and rules report the
    first of several candidates, so the order is fixed here."""
    found = tree_sitter.QueryCursor(query(query_text)).captures(node)
    for nodes in found.values():
        if len(nodes) > 1:
            nodes.sort(key=_position)
    return found


def matches(query_text: str, node: tree_sitter.Node):
    return tree_sitter.QueryCursor(query(query_text)).matches(node)


def text(node: tree_sitter.Node | None) -> str:
    if node is None:
        return ""
    return node.text.decode("utf-8", "replace")


def unparen(node):
    while node is not None and node.type == "parenthesized_expression":
        node = node.named_child(0)
    return node


FUNC_TYPES = frozenset({"function_declaration", "method_declaration", "func_literal"})


def ancestors(node, stop=None):
    """The ancestors of ``node``, innermost first, up to but not including
    ``stop`` (to the root when ``stop`` is None).  A generator, so a walk
    that finds what it wants early climbs no further."""
    n = node.parent
    while n is not None and n != stop:
        yield n
        n = n.parent


def enclosing_function(node):
    """The innermost function declaration, method or literal around ``node``."""
    return next((n for n in ancestors(node) if n.type in FUNC_TYPES), None)


def string_value(node) -> str | None:
    """The value of a Go string literal node, or None when it is not one."""
    node = unparen(node)
    if node is None:
        return None
    if node.type == "interpreted_string_literal":
        raw = text(node)[1:-1]
        try:
            return bytes(raw, "utf-8").decode("unicode_escape") if "\\" in raw else raw
        except UnicodeDecodeError:
            return raw
    if node.type == "raw_string_literal":
        return text(node)[1:-1]
    return None
