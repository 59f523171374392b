"""Which panics in a request handler the author already answered for (SG404).

A panic is only a production risk when a request can reach it and nothing
answers for it.  Three shapes say the author already decided otherwise: an
invariant assertion (``default: panic("unsupported ...")`` after a switch over
a closed set, ``panic("BUG: ...")``), a panic after the error response was
written and flushed (a deliberate way to cut a stream), and a package that
installs recovery middleware (chi ``middleware.Recoverer``, ``gin.Recovery``,
echo ``middleware.Recover``, go-pkgz ``rest.Recoverer``, or its own middleware
that recovers), which turns a handler panic into a 500.
"""

from __future__ import annotations

import re

from steadygo.golang.frameworks import GIN
from steadygo.golang.parse import captures, string_value, text, unparen

# Messages that state an invariant rather than report bad input.
_ASSERTION_MESSAGE = re.compile(r"^\s*(bug\b|unreachable|impossible|should (never|not) (happen|be reached)|"
                                r"unsupported|unexpected|unknown|invalid state|programming error|internal error)",
                                re.IGNORECASE)

# Recovery middleware of the routers steadygo knows, by name (used as a value,
# ``r.Use(middleware.Recoverer)``, or called): chi/go-pkgz Recoverer, gin
# Recovery/CustomRecovery*, echo RecoverWithConfig, gorilla RecoveryHandler.
_RECOVERY_NAMES = frozenset({"Recoverer", "Recovery", "CustomRecovery", "RecoveryWithWriter",
                             "CustomRecoveryWithWriter", "RecoverWithConfig", "RecoveryHandler"})
# ``Recover`` alone is too common a method name (raft, stores): it counts as a
# package member (echo ``middleware.Recover()``), as does fiber's
# ``recover.New()``.
_RECOVER_PACKAGE = re.compile(r"/(recover|recovery)$")


def exact_handler_signature(fi) -> bool:
    """The function has the whole signature its framework calls, results
    included: gin.HandlerFunc returns nothing, echo and fiber handlers return
    error.  ``func GetUserID(c *gin.Context) uint`` takes the context but is a
    helper that a handler calls, not a handler."""
    res = fi.results_text.replace(" ", "")
    if fi.handler in ("gin", "net/http"):
        return res == ""
    if fi.handler in ("echo", "fiber"):
        return res == "error"
    return fi.is_handler


def is_assertion(call, request_param: str = "") -> bool:
    """``panic("...")`` that states an invariant: a literal message in the
    ``default`` of a switch over a value the code computed (the set of cases
    is closed by construction; a switch straight on ``r.FormValue(...)`` is
    not), or a literal message that says bug/unreachable/unsupported."""
    args = call.child_by_field_name("arguments").named_children
    msg = _literal_message(args[0]) if args else None
    if msg is None:
        return False
    if _ASSERTION_MESSAGE.search(msg):
        return True
    stmt = _statement_of(call)
    clause = stmt.parent if stmt is not None else None
    if clause is not None and clause.type == "statement_list":
        clause = clause.parent
    if clause is None or clause.type != "default_case":
        return False
    switch = clause.parent
    head = switch.child_by_field_name("value") if switch is not None else None
    if head is None and switch is not None and switch.type == "type_switch_statement":
        head = next((c for c in switch.named_children if c.type not in ("type_case", "default_case", "comment")), None)
    if head is None or not request_param:
        return True
    return not any(text(i) == request_param for i in captures("(identifier) @i", head).get("i", []))


def _literal_message(node) -> str | None:
    node = unparen(node)
    if node is None:
        return None
    s = string_value(node)
    if s is not None:
        return s
    if node.type == "call_expression":  # fmt.Sprintf("unsupported %T", v), errors.New("...")
        args = node.child_by_field_name("arguments").named_children
        if args:
            return string_value(unparen(args[0]))
    return None


def _statement_of(call):
    stmt = call.parent
    return stmt if stmt is not None and stmt.type == "expression_statement" else None


def after_flushed_response(ctx, call) -> bool:
    """An earlier statement of the same block wrote the response and flushed
    it: ``http.Error(w, ..., 500); w.(http.Flusher).Flush(); panic(err)``
    disconnects on purpose after the client has its answer."""
    stmt = _statement_of(call)
    if stmt is None:
        return False
    flushed = False
    sib = stmt.prev_named_sibling
    while sib is not None:
        names = {text(_callee(c)) for c in captures("(call_expression) @c", sib).get("c", [])}
        if "Flush" in names:
            flushed = True
        if flushed and names & {"Error", "WriteHeader", "Write", "JSON", "String"}:
            return True
        sib = sib.prev_named_sibling
    return False


def _callee(call):
    fn = call.child_by_field_name("function")
    return fn.child_by_field_name("field") if fn is not None and fn.type == "selector_expression" else fn


def package_recovers_panics(pkg) -> bool:
    """The package installs recovery middleware in its router chain (or
    ``gin.Default()``, which includes Recovery), or defines HTTP middleware
    that defers a recover: a handler panic there becomes a 500."""
    def compute():
        for f in pkg.files:
            src = f.source
            if b"recover(" in src and any(_is_recovering_middleware(fn) for fn in f.nodes("func")):
                return True
            if b"Recover" not in src and b".Default(" not in src and b'/recover"' not in src:
                continue  # cheap gate before walking the file's selectors
            for sel in captures("(selector_expression) @s", f.root).get("s", []):
                q = f.qualified(sel)
                if q is None:
                    continue  # a member of an imported package only: cfg.Recovery is a setting
                field = q[1]
                if field in _RECOVERY_NAMES:
                    return True
                if q == (GIN, "Default") or (field == "Recover" and q[0] != "."):
                    return True
                if _RECOVER_PACKAGE.search(q[0]) is not None:
                    return True
        return False

    return pkg.memo("panics.recovery_middleware", compute)


def _is_recovering_middleware(fn) -> bool:
    sig = text(fn.child_by_field_name("parameters")) + text(fn.child_by_field_name("result"))
    if "http.Handler" not in sig and "HandlerFunc" not in sig:
        return False
    body = fn.child_by_field_name("body")
    if body is None:
        return False
    for d in captures("(defer_statement) @d", body).get("d", []):
        if captures("(call_expression function: (identifier) @f (#eq? @f \"recover\"))", d).get("f"):
            return True
    return False


# Servers that recover a handler's panic themselves: net/http (gin and echo
# run under it) logs it and drops the connection; the process goes on.
RECOVERED_BY_SERVER = frozenset({"net/http", "gin", "echo"})

_LOCKS = {"Lock": "Unlock", "RLock": "RUnlock"}


def lock_held_at(file, fn_body, node) -> str | None:
    """The mutex (``s.mu``) a panic at ``node`` leaves locked: taken by a
    ``X.Lock()`` statement earlier in a block around ``node``, released by
    a plain ``X.Unlock()`` after ``node`` and not by a deferred one, with no
    unlock in between.  A server that recovers the panic then serves every
    later request that takes X with a lock nobody will release."""
    if fn_body is None:
        return None
    events = []
    for c in file.method_calls:  # the file's shared list, in source order
        if not (fn_body.start_byte <= c.start_byte < fn_body.end_byte):
            continue
        sel = c.child_by_field_name("function")
        events.append((c, text(sel.child_by_field_name("operand")).replace(" ", ""),
                       text(sel.child_by_field_name("field"))))
    for call, operand, method in events:
        release = _LOCKS.get(method)
        if release is None or call.start_byte >= node.start_byte:
            continue
        stmt = call.parent
        if stmt is None or stmt.type != "expression_statement" or not _encloses(stmt.parent, node):
            continue
        between = [c for c, op, m in events if op == operand and m == release
                   and call.end_byte <= c.start_byte]
        if any(_deferred(c) for c in between) or any(c.start_byte < node.start_byte for c in between):
            continue
        if any(c.start_byte > node.end_byte for c in between):
            return operand
    return None


def _encloses(block, node) -> bool:
    return block is not None and block.start_byte <= node.start_byte and node.end_byte <= block.end_byte


def _deferred(call) -> bool:
    p = call.parent
    while p is not None and p.type not in ("defer_statement", "function_declaration", "method_declaration",
                                          "func_literal"):
        p = p.parent
    return p is not None and p.type == "defer_statement"
