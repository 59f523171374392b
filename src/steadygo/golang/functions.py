"""Function facts: parameters, context parameters, and handler detection.

A handler is a function whose signature a web framework calls per request:
net/http ``(http.ResponseWriter, *http.Request)``, gin ``*gin.Context``,
echo ``echo.Context``, fiber ``*fiber.Ctx``, and gRPC unary methods
``(ctx context.Context, req *pb.X) (*pb.Y, error)`` in packages that use grpc.
chi routes are plain net/http handlers.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from steadygo.golang.frameworks import ECHO_PATHS, FIBER_PATHS, GIN, NET_HTTP
from steadygo.golang.parse import ancestors, FUNC_TYPES, text
if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext



@dataclass
class Param:
    name: str  # '' for unnamed, '_' for blank
    type_node: object
    type_text: str


@dataclass
class FuncInfo:
    node: object
    name: str  # '' for literals
    receiver_type: str
    params: list[Param] = field(default_factory=list)
    results_text: str = ""
    handler: str = ""  # '', 'net/http', 'gin', 'echo', 'fiber', 'grpc'
    ctx_params: list[str] = field(default_factory=list)  # names of context.Context params

    @property
    def body(self):
        return self.node.child_by_field_name("body")

    @property
    def is_handler(self) -> bool:
        return bool(self.handler)

    @property
    def line(self) -> int:
        return self.node.start_point[0] + 1

    def request_param(self) -> str:
        """Name of the value a handler gets its request from (r, c, ctx)."""
        for p in self.params:
            if self.handler == "net/http" and p.type_text.endswith("Request"):
                return p.name
            if self.handler in ("gin", "echo", "fiber"):
                return p.name
        return ""


def _params(file, fn_node) -> list[Param]:
    plist = fn_node.child_by_field_name("parameters")
    out: list[Param] = []
    if plist is None:
        return out
    for decl in plist.named_children:
        if decl.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        tnode = decl.child_by_field_name("type")
        names = decl.children_by_field_name("name")
        ttext = text(tnode)
        if not names:
            out.append(Param("", tnode, ttext))
        for n in names:
            out.append(Param(text(n), tnode, ttext))
    return out


def _is_type(file, tnode, path, name, pointer: bool | None = None) -> bool:
    if tnode is None:
        return False
    if pointer is True and tnode.type != "pointer_type":
        return False
    if pointer is False and tnode.type == "pointer_type":
        return False
    return file.is_member(tnode, path, name)


def classify(file, fn_node, package_uses_grpc: bool = False) -> FuncInfo:
    name = text(fn_node.child_by_field_name("name")) if fn_node.type != "func_literal" else ""
    recv = ""
    if fn_node.type == "method_declaration":
        r = fn_node.child_by_field_name("receiver")
        recv = text(r).strip("()").split()[-1].lstrip("*") if r is not None and text(r).strip("()") else ""
    params = _params(file, fn_node)
    res = fn_node.child_by_field_name("result")
    info = FuncInfo(fn_node, name, recv, params, text(res))
    for p in params:
        if _is_type(file, p.type_node, "context", "Context"):
            info.ctx_params.append(p.name)
    types = [p.type_node for p in params]
    if len(types) == 2 and _is_type(file, types[0], "net/http", "ResponseWriter") and _is_type(
        file, types[1], "net/http", "Request", pointer=True
    ):
        info.handler = "net/http"
    elif len(types) == 1 and _is_type(file, types[0], GIN, "Context", pointer=True):
        info.handler = "gin"
    elif len(types) == 1 and any(_is_type(file, types[0], p, "Context", pointer=False) for p in ECHO_PATHS):
        info.handler = "echo"
    elif len(types) == 1 and any(_is_type(file, types[0], p, "Ctx") for p in FIBER_PATHS):
        info.handler = "fiber"
    elif (
        package_uses_grpc
        and fn_node.type == "method_declaration"
        and len(params) == 2
        and info.ctx_params == [params[0].name]
        and params[1].type_node is not None
        and params[1].type_node.type == "pointer_type"
        and res is not None
        and res.type == "parameter_list"
        and text(res).replace(" ", "").endswith(",error)")
        and name[:1].isupper()
    ):
        info.handler = "grpc"
    return info


class FunctionIndex:
    """Functions, methods and literals of one file, classified on demand.

    Classifying means resolving every parameter type, so it is done only for
    the functions a rule actually asks about (the enclosing function of a
    match, a function looked up by name), once each."""

    def __init__(self, file, package_uses_grpc: bool = False):
        self.file = file
        self._grpc = package_uses_grpc
        self._infos: dict[int, FuncInfo] = {}

    def info(self, fn_node) -> FuncInfo:
        fi = self._infos.get(fn_node.id)
        if fi is None:
            fi = self._infos[fn_node.id] = classify(self.file, fn_node, self._grpc)
        return fi

    @functools.cached_property
    def funcs(self) -> list[FuncInfo]:
        return [self.info(n) for n in self.file.nodes("func")]

    @functools.cached_property
    def by_node_id(self) -> dict[int, FuncInfo]:
        return {f.node.id: f for f in self.funcs}

    @functools.cached_property
    def by_name(self) -> dict[str, list[FuncInfo]]:
        out: dict[str, list[FuncInfo]] = {}
        for n in self.file.nodes("func"):
            if n.type == "func_literal":
                continue
            out.setdefault(text(n.child_by_field_name("name")), []).append(self.info(n))
        return out

    @functools.cached_property
    def _nesting(self) -> tuple[list, list[int], list[int]]:
        """The file's functions in source order, their start bytes, and for
        each the index of the innermost function around it (-1 at top
        level): one pass over the shared node list, so finding the function
        around a node needs no climb through ``Node.parent`` (each step of
        which costs the node's depth)."""
        funcs = self.file.nodes("func")
        outer: list[int] = []
        open_: list[int] = []
        for i, fn in enumerate(funcs):
            while open_ and funcs[open_[-1]].end_byte < fn.end_byte:
                open_.pop()  # ended before fn: spans nest or are disjoint
            outer.append(open_[-1] if open_ else -1)
            open_.append(i)
        return funcs, [f.start_byte for f in funcs], outer

    def _enclosing_index(self, node) -> int | None:
        """Index in ``_nesting`` of the innermost function strictly around
        ``node``, -1 for none, None when spans cannot tell (a syntax error
        can hide a function from the node list; a node can share its span
        with a function inside it)."""
        if self.file.root.has_error:
            return None
        funcs, starts, outer = self._nesting
        start, end = node.start_byte, node.end_byte
        # The innermost function around node is the last one starting at or
        # before it, or one of that one's outer functions.
        i = bisect.bisect_right(starts, start) - 1
        while i >= 0:
            fn = funcs[i]
            if fn.end_byte >= end and fn.id != node.id:
                if fn.start_byte == start and fn.end_byte == end:
                    return None
                return i
            i = outer[i]
        return -1

    def enclosing(self, node) -> FuncInfo | None:
        return next(self.enclosing_chain(node), None)

    def enclosing_chain(self, node):
        """Enclosing functions from innermost to outermost."""
        i = self._enclosing_index(node)
        if i is None:
            for n in ancestors(node, root=self.file.root):
                if n.type in FUNC_TYPES:
                    yield self.info(n)
            return
        funcs, _, outer = self._nesting
        while i >= 0:
            yield self.info(funcs[i])
            i = outer[i]

    def in_handler(self, node) -> FuncInfo | None:
        """The innermost enclosing handler, looking through closures."""
        for fi in self.enclosing_chain(node):
            if fi.is_handler:
                return fi
        return None


def inside_once(ctx, node) -> bool:
    """``once.Do(func() { t = &http.Transport{...} })``: lazy one-time set-up
    inside a handler is not per request."""
    for fi in ctx.funcs.enclosing_chain(node):
        if fi.node.type != "func_literal":
            break
        args = fi.node.parent
        call = args.parent if args is not None and args.type == "argument_list" else None
        if call is not None and call.type == "call_expression":
            fn = call.child_by_field_name("function")
            if fn.type == "selector_expression" and text(fn.child_by_field_name("field")) == "Do":
                return True
    return False


def may_have_handlers(ctx: FileContext) -> bool:
    """Cheap pre-check before asking about handlers: the file imports a web
    framework, or its package uses gRPC."""
    imp = ctx.file.imports
    return any(imp.imports_prefix(p) for p in (NET_HTTP, GIN, *ECHO_PATHS, *FIBER_PATHS)) or ctx.pkg.uses_grpc
