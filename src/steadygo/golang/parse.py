"""One tree-sitter Go parser and a cache of compiled queries per process."""

from __future__ import annotations

import functools
import operator

import tree_sitter
import tree_sitter_go

from steadygo.golang.new_expr import rewrite_value_new

LANGUAGE = tree_sitter.Language(tree_sitter_go.language())


def kind_id(kind: str, named: bool = True) -> int:
    """The grammar's numeric id of a node kind.  Comparing ``node.kind_id``
    with it skips building the ``node.type`` string, which matters in loops
    over every call or comparison of a big tree."""
    return LANGUAGE.id_for_node_kind(kind, named)


@functools.cache
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(LANGUAGE)


def _parse_bytes(source: bytes) -> tree_sitter.Tree:
    return _parser().parse(source)


def parse(source: bytes) -> tree_sitter.Tree:
    """The tree of ``source``.  A file with an error is parsed again with
    Go 1.26 ``new(expr)`` calls respelled (see new_expr), which the grammar
    would otherwise turn into errors that take the statements around them."""
    tree = _parser().parse(source)
    if tree.root_node.has_error and source and not source.endswith(b"\n"):
        # tree-sitter-go wants a line break after a last type declaration
        # (``}`` at the very end of the file is an error to it); Go does not.
        # Appending one moves no byte of the source.
        source = source + b"\n"
        tree = _parser().parse(source)
    if tree.root_node.has_error:
        fixed = rewrite_value_new(source, tree, _parse_bytes)
        if fixed is not None:
            tree = _parser().parse(fixed)
    return tree


# tree-sitter's query cursor records the depth each match started at in 16
# bits (QueryState.start_depth): nodes more levels below the root than that
# are never matched, by any rule (a call under 65,529 parentheses was found,
# under 65,530 it was not).  Worse, past that depth the wrapped start depths
# keep dead states alive: a 70,000-call chain ``f()()()...`` took 16 s in one
# query, 100,000 calls about two minutes, all in C where no budget can stop
# it.  So every cursor is told not to start matches below this depth (and it
# then stops descending where nothing is in progress): nodes below it were
# out of reach anyway, the cost stays linear, and ``deeper_than`` tells the
# engine to say that the file was only partly analysed.  The margin below
# 0xFFFF leaves room for the steps of multi-node patterns.
QUERY_DEPTH_LIMIT = 65_000


def _cursor(query_text: str) -> tree_sitter.QueryCursor:
    cursor = tree_sitter.QueryCursor(query(query_text))
    cursor.set_max_start_depth(QUERY_DEPTH_LIMIT)
    return cursor


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


_START = operator.attrgetter("start_byte")
_END = operator.attrgetter("end_byte")


def _sort_by_position(nodes: list) -> None:
    """Source order, the outer node first when two start together: by end
    descending, then (stable) by start.  Two sorts keyed in C cost less than
    one with a Python key building a tuple per node (half a million nodes in
    a GOROOT scan); nodes with the same span keep the cursor's order, as
    with the tuple key."""
    nodes.sort(key=_END, reverse=True)
    nodes.sort(key=_START)


def captures(query_text: str, node: tree_sitter.Node) -> dict[str, list[tree_sitter.Node]]:
    """Captures by name, each list in source order.  py-tree-sitter's own
    order is neither source order nor stable between runs (it followed the
    heap layout: the same tree gave a different "first leaking return"
    depending on where the package was installed), and rules report the
    first of several candidates, so the order is fixed here."""
    found = _cursor(query_text).captures(node)
    for nodes in found.values():
        if len(nodes) > 1:
            _sort_by_position(nodes)
    return found


def matches(query_text: str, node: tree_sitter.Node):
    return _cursor(query_text).matches(node)


def capture_pairs(query_text: str, node: tree_sitter.Node, a: str = "k", b: str = "v"):
    """(a, b) captures of each whole match.  Two capture lists of one query
    do not pair up by position: ``captures`` also returns nodes of matches
    that never complete (``S{a: b}`` gave keys [a, b] for values [b])."""
    for _idx, caps in matches(query_text, node):
        x, y = caps.get(a), caps.get(b)
        if x and y:
            yield x[0], y[0]


def text(node: tree_sitter.Node | None) -> str:
    if node is None:
        return ""
    return node.text.decode("utf-8", "replace")


def unparen(node):
    while node is not None and node.type == "parenthesized_expression":
        node = node.named_child(0)
    return node


FUNC_TYPES = frozenset({"function_declaration", "method_declaration", "func_literal"})


# ``Node.parent`` is not a stored link: tree-sitter finds the parent by
# descending from the root, so one step costs the node's depth and climbing
# from a node 20,000 levels down to its function took seconds (squared
# depth).  Past this many steps the climb is finished from one root-to-node
# descent instead, when the caller can give the root.
_CLIMB_STEPS = 16


def ancestors(node, stop=None, root=None):
    """The ancestors of ``node``, innermost first, up to but not including
    ``stop`` (to the root when ``stop`` is None).  A generator, so a walk
    that finds what it wants early climbs no further.  With ``root`` (the
    tree's root node) a long climb costs the depth once, not squared."""
    n = node.parent
    steps = 0
    while n is not None and n != stop:
        yield n
        steps += 1
        if root is not None and steps == _CLIMB_STEPS:
            break
        n = n.parent
    else:
        return
    for m in reversed(_path_from(root, n)[:-1]):
        if m == stop:
            return
        yield m


def _path_from(root, node) -> list:
    """The nodes from ``root`` down to ``node``, both included: one
    ``child_with_descendant`` per level."""
    path = [root]
    while path[-1] != node:
        nxt = path[-1].child_with_descendant(node)
        if nxt is None:  # node is not under root: nothing more to climb
            return [node]
        path.append(nxt)
    return path


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
