"""A parsed Go file and the per-file facts rules share (computed lazily, once)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from steadygo.golang.imports import ImportTable, build_import_table
from steadygo.golang.parse import captures, deeper_than, parse, text, unparen
from steadygo.golang.scope import DECL_PATTERNS, ShadowIndex

# Walking a tree costs about as much with one pattern as with twenty: the
# traversal dominates, not the matching.  So the node kinds most rules start
# from are collected in ONE query per file, and rules filter these lists
# instead of each walking the whole tree again.
_NODES_Q = (
    """
(call_expression) @call
(defer_statement) @defer
(go_statement) @go
(binary_expression) @binary
(expression_switch_statement) @switch
(select_statement) @select
(composite_literal) @composite
(for_statement) @for
[(function_declaration) (method_declaration) (func_literal)] @func
(return_statement) @return
[(type_assertion_expression) (type_switch_statement)] @assert
"""
)
_DECLS_Q = DECL_PATTERNS.replace("@n", "@decl")


@functools.lru_cache(maxsize=1024)
def _followed_ok(name: str) -> re.Pattern:
    # Starts with the literal name so the regex engine can scan for it fast;
    # the look-behind half of the test is done by hand on the few hits.
    # not followed by a word char, '.', '"', '/', nor a ':' that is not ':='
    # (``hash: crc32.NewIEEE()`` is a struct key, not a declaration)
    return re.compile(re.escape(name.encode()) + rb"(?![\w.\"/]|:(?!=))")


_WORDISH = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./\"")


def _stands_alone(source: bytes, name: str) -> bool:
    """``name`` occurs other than as ``name.X`` or inside an import path."""
    for m in _followed_ok(name).finditer(source):
        i = m.start()
        if i and source[i - 1] in _WORDISH:
            continue
        if source.rfind(b"//", source.rfind(b"\n", 0, i) + 1, i) != -1:
            continue  # in a line comment: "the http package ..."
        return True
    return False


@dataclass(eq=False)
class GoFile:
    path: str  # absolute path on disk
    relpath: str  # path shown in reports
    source: bytes

    def __post_init__(self):
        self.tree = parse(self.source)
        self.root = self.tree.root_node
        self._shadow_index: dict[int, ShadowIndex] = {}
        self._stands_alone: dict[str, bool] = {}

    @functools.cached_property
    def beyond_query_depth(self) -> bool:
        """True when the tree is deeper than queries can reach
        (parse.QUERY_DEPTH_LIMIT): findings below that depth are lost, so the
        engine says the file was only partly analysed."""
        return deeper_than(self.root)

    @functools.cached_property
    def lines(self) -> list[str]:
        return self.source.decode("utf-8", "replace").splitlines()

    @functools.cached_property
    def imports(self) -> ImportTable:
        return build_import_table(self.root)

    @functools.cached_property
    def package_name(self) -> str:
        for child in self.root.named_children:
            if child.type == "package_clause":
                return text(child.named_child(0))
        return ""

    @functools.cached_property
    def _node_lists(self) -> dict[str, list]:
        return captures(_NODES_Q, self.root)  # each list in source order

    def nodes(self, kind: str) -> list:
        """Nodes of one kind, in source order: call, defer, go, binary, switch,
        select, composite, for, func (declarations, methods and literals),
        return, assert (type assertions and type switches)."""
        return self._node_lists.get(kind, [])

    @functools.cached_property
    def method_calls(self) -> list:
        """Calls whose function is a selector ``x.M(...)``, in source order."""
        return [c for c in self.nodes("call") if c.child_by_field_name("function").type == "selector_expression"]

    def _is_shadowed(self, name: str, node) -> bool:
        # Only an import name that also stands somewhere on its own (not as
        # ``name.`` and not inside the import path) can be redeclared; for the
        # usual file there is none, and no declaration is ever looked at.
        alone = self._stands_alone.get(name)
        if alone is None:
            alone = self._stands_alone[name] = _stands_alone(self.source, name)
        if not alone:
            return False
        # A local declaration shadows only inside its own top-level function,
        # so only that function's declarations are collected (once each).
        top = node
        while top.parent is not None and top.parent.type != "source_file":
            top = top.parent
        index = self._shadow_index.get(top.id)
        if index is None:
            index = self._shadow_index[top.id] = ShadowIndex(
                captures(_DECLS_Q, top).get("decl", []), set(self.imports.by_name))
        return index.is_shadowed(name, node.start_byte)

    @property
    def is_test(self) -> bool:
        return self.path.endswith("_test.go")

    def line_text(self, line: int) -> str:
        if 1 <= line <= len(self.lines):
            return self.lines[line - 1]
        return ""

    # --- resolution -----------------------------------------------------

    def package_of(self, ident_node) -> str | None:
        """Import path an identifier used as a package qualifier refers to,
        or None when it is not a package (unknown name, or shadowed locally)."""
        name = text(ident_node)
        path = self.imports.by_name.get(name)
        if path is None:
            return None
        if self._is_shadowed(name, ident_node):
            return None
        return path

    def qualified(self, node) -> tuple[str, str] | None:
        """(import path, member) for ``pkg.Member`` expressions and types.

        Accepts selector expressions (``http.Get``), qualified types
        (``http.Server``), pointer types, and for dot imports a bare
        identifier that matches nothing local (returned with path '.').
        """
        node = unparen(node)
        if node is None:
            return None
        t = node.type
        if t == "pointer_type":
            return self.qualified(node.named_child(0))
        if t == "generic_type":
            return self.qualified(node.child_by_field_name("type"))
        if t == "selector_expression":
            operand = node.child_by_field_name("operand")
            if operand is None or operand.type != "identifier":
                return None
            path = self.package_of(operand)
            if path is None:
                return None
            return path, text(node.child_by_field_name("field"))
        if t == "qualified_type":
            pkg = node.child_by_field_name("package")
            path = self.package_of(pkg) if pkg is not None else None
            if path is None:
                return None
            return path, text(node.child_by_field_name("name"))
        if t in ("identifier", "type_identifier") and self.imports.dot:
            # With a dot import, an unqualified name may come from that package.
            # We only claim it for the packages rules ask about (see is_member).
            return ".", text(node)
        return None

    def is_member(self, node, path: str, *members: str) -> bool:
        q = self.qualified(node)
        if q is None:
            return False
        qpath, name = q
        if members and name not in members:
            return False
        if qpath == ".":
            return path in self.imports.dot and not self._is_shadowed(name, node)
        return qpath == path

    def call_target(self, call_node) -> tuple[str, str] | None:
        """(path, func) when a call_expression calls a package-level function
        of an imported package.  A bare name counts only under a single dot
        import, the one case where it is unambiguous enough to claim."""
        fn = call_node.child_by_field_name("function")
        q = self.qualified(fn)
        if q is None:
            return None
        if q[0] == ".":
            if len(self.imports.dot) != 1 or self._is_shadowed(q[1], fn):
                return None
            return self.imports.dot[0], q[1]
        return q
