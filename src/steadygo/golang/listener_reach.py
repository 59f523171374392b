"""Who can reach a listener: only this host, or only through connections
that carry deadlines.

A server bound to 127.0.0.1 or a unix socket serves a developer's own
machine or a sidecar (a CLI's OAuth callback, a control socket); a listener
whose every connection gets read/write deadlines bounds slow clients without
the server's timeout fields.  The address and the listener are followed
through what the package shows: literals and constants, ``fmt.Sprintf`` and
``net.JoinHostPort``, same-package helpers, flag defaults nothing overrides,
struct fields every assignment of which stores such a listener.  Anything
else is not known to be local.
"""

from __future__ import annotations

import re

from steadygo.golang.facts import is_loopback_address, resolve_string
from steadygo.golang.lifecycle import callee_name
from steadygo.golang.listen_defaults import loopback_by_default
from steadygo.golang.unreferenced import selected_by, selection_count
from steadygo.golang.parse import captures, string_value, text, unparen

_LOOPBACK_FORMAT = re.compile(r'^"(127\.0\.0\.1|localhost|\[::1\]):%[dvs]"$')


def serves_local_listeners_only(pkg, file, scope, listener_args=None) -> bool:
    """The listeners served in ``scope`` are all bound by ``net.Listen`` in it
    to a unix socket or a loopback address (literally or through
    ``fmt.Sprintf("127.0.0.1:%d", port)``), and there is at least one.
    ``listener_args`` are the listener expressions of the serve calls; by
    default the first argument of every ``.Serve``/``.ServeTLS`` in scope.  A
    listener from any other constructor is not known to be local."""
    return _every_served_listener(pkg, file, scope, listener_args, _local_listen)


def serves_deadline_listeners_only(pkg, file, scope, listener_args=None) -> bool:
    """Every listener served in ``scope`` comes from a constructor given a
    timeout (``util.NewListener(addr, 30*time.Second)``): a wrapper that sets
    read/write deadlines on each connection it accepts, which bounds slow
    clients without the server's fields.  A zero timeout is no bound."""
    return _every_served_listener(pkg, file, scope, listener_args, _listener_with_timeout)


def _every_served_listener(pkg, file, scope, listener_args, test) -> bool:
    if scope is None:
        return False
    if listener_args is None:
        listener_args = []
        for call in pkg.calls_in(file, "Serve", "ServeTLS"):  # the file's call index: no extra walk
            in_scope = scope.start_byte <= call.start_byte < scope.end_byte
            if in_scope and call.child_by_field_name("function").type == "selector_expression":
                args = call.child_by_field_name("arguments").named_children
                if len(args) > 1 and _server_arg(pkg, scope, args[0]):
                    listener_args.append(args[1])  # httpdown's ``h.Serve(&http.Server{...}, l)``
                elif args:
                    listener_args.append(args[0])
        # ``e.Listener = l`` before ``e.StartServer(srv)``: echo and fiber
        # serve the listener held in that field.
        listener_args += _listener_field_values(file, scope)
    if not listener_args:
        return False
    for arg in listener_args:
        arg = unparen(arg)
        if arg is not None and arg.type == "selector_expression":
            # ``s.socketListener``: judged by what the package stores in the field
            if not _field_listeners_pass(pkg, text(arg.child_by_field_name("field")), test):
                return False
            continue
        if arg is None or arg.type != "identifier":
            return False
        sources = [unparen(rhs) for rhs in pkg.assigned_from(scope, text(arg))]
        if not sources or not all(test(pkg, file, rhs, scope) for rhs in sources):
            return False
    return True


def _listener_field_values(file, scope) -> list:
    out = []
    for a in captures("(assignment_statement) @a", scope).get("a", []):
        left, right = a.child_by_field_name("left"), a.child_by_field_name("right")
        if left is not None and right is not None and left.named_child_count == 1 and right.named_child_count == 1:
            target = left.named_child(0)
            if target.type == "selector_expression" and text(target.child_by_field_name("field")) == "Listener":
                out.append(right.named_child(0))
    return out


def server_field(node) -> str | None:
    """The struct field a server literal is stored in: ``s.httpServer =
    &http.Server{...}`` or ``&Server{httpServer: &http.Server{...}}``."""
    n = node.parent
    if n is not None and n.type == "unary_expression":
        n = n.parent
    if n is None:
        return None
    if n.type == "expression_list" and n.parent is not None and n.parent.type == "assignment_statement":
        left = n.parent.child_by_field_name("left")
        if n == n.parent.child_by_field_name("right") and left.named_child_count == 1:
            target = left.named_child(0)
            if target.type == "selector_expression":
                return text(target.child_by_field_name("field"))
        return None
    if n.type == "literal_element" and n.parent is not None and n.parent.type == "keyed_element":
        key = n.parent.named_child(0)
        if n.parent.named_child(1) == n and key is not None:
            return text(key)
    return None


def field_server_serves_local_only(pkg, field: str) -> bool:
    """Every call that starts the server held in ``x.<field>`` is a
    ``Serve``/``ServeTLS`` of a local listener (a control socket opened in
    ``Start``, the server built in the constructor), and there is one.  A
    ``ListenAndServe`` on it listens on its Addr: not known to be local."""
    needle = f".{field}.".encode()
    served = 0
    for f in pkg.files:
        if needle not in f.source:
            continue
        for call in pkg.calls_in(f, "Serve", "ServeTLS", "ListenAndServe", "ListenAndServeTLS"):
            fn = call.child_by_field_name("function")
            if fn.type != "selector_expression":
                continue
            operand = unparen(fn.child_by_field_name("operand"))
            if operand is None or operand.type != "selector_expression" or text(
                    operand.child_by_field_name("field")) != field:
                continue
            if text(fn.child_by_field_name("field")).startswith("Listen"):
                return False
            args = call.child_by_field_name("arguments").named_children
            fi = pkg.functions(f).enclosing_chain(call)
            chain = list(fi)
            body = chain[-1].body if chain else None
            if not args or not _every_served_listener(pkg, f, body, [args[0]], _local_listen):
                return False
            served += 1
    return served > 0


def _field_listeners_pass(pkg, field: str, test) -> bool:
    """Every assignment ``x.<field> = v`` in the package stores a listener
    that passes ``test`` (``v`` a call, or a local of the assigning function
    bound to one), and there is at least one."""
    seen = 0
    needle = field.encode()
    for f in pkg.files:
        if needle not in f.source:
            continue
        for a in captures("(assignment_statement) @a", f.root).get("a", []):
            left, right = a.child_by_field_name("left"), a.child_by_field_name("right")
            if left is None or right is None or left.named_child_count != 1 or right.named_child_count != 1:
                continue
            target = left.named_child(0)
            if target.type != "selector_expression" or text(target.child_by_field_name("field")) != field:
                continue
            fi = pkg.functions(f).enclosing(a)
            body = fi.body if fi is not None else None
            value = unparen(right.named_child(0))
            values = [unparen(v) for v in pkg.assigned_from(body, text(value))] if (
                value is not None and value.type == "identifier" and body is not None) else [value]
            if not values or not all(test(pkg, f, v, body) for v in values):
                return False
            seen += 1
    return seen > 0


def _server_arg(pkg, scope, node) -> bool:
    """A server literal, or a local assigned one."""
    node = unparen(node)
    if node is not None and node.type == "identifier":
        made = pkg.assigned_from(scope, text(node))
        return bool(made) and all(_server_arg(pkg, scope, m) for m in made if unparen(m) is not node)
    if node is not None and node.type == "unary_expression":
        node = unparen(node.child_by_field_name("operand"))
    return node is not None and node.type == "composite_literal"


_TIMEOUT_ARG = re.compile(r"\btime\.(Second|Minute|Millisecond|Hour|Duration)\b|(?i:timeout|deadline)")


def _listener_with_timeout(pkg, file, call, scope) -> bool:
    if call is None or call.type != "call_expression":
        return False
    t = file.call_target(call)
    if t is not None and t[0] in ("net", "crypto/tls"):
        return False  # the standard listeners set no deadlines
    if "listen" not in callee_name(call).lower():
        return False
    args = call.child_by_field_name("arguments").named_children
    return any(text(a) not in ("0", "time.Duration(0)") and _TIMEOUT_ARG.search(text(a)) for a in args[1:])


def _local_listen(pkg, file, call, scope, _depth: int = 0) -> bool:
    if call is None or call.type != "call_expression":
        return False
    args = call.child_by_field_name("arguments").named_children
    t = file.call_target(call)
    if t is not None and t[0] == "net" and t[1] == "Listen" and len(args) >= 2:
        network, addr = args[0], args[1]
    elif callee_name(call) == "Listen" and len(args) == 3 and string_value(args[1]) is not None:
        network, addr = args[1], args[2]  # ``net.ListenConfig{}.Listen(ctx, "unix", path)``
    else:
        # A wrapper around a local listener (``tls.NewListener(l, cfg)``,
        # ``NewStoppableListener(l)``) accepts on the same socket.
        return _depth < 2 and scope is not None and any(_wraps_local_listener(pkg, file, a, scope, _depth + 1) for a in args)
    # A unix socket is a file on this host: only local processes connect.
    return string_value(network) in ("unix", "unixpacket") or loopback_address_expr(pkg, file, addr, scope)


def _wraps_local_listener(pkg, file, arg, scope, depth: int) -> bool:
    arg = unparen(arg)
    if arg is None or arg.type != "identifier":
        return False
    made = [unparen(m) for m in pkg.assigned_from(scope, text(arg))]
    return bool(made) and all(_local_listen(pkg, file, m, scope, depth) for m in made)


_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
_HOST_PORT_FORMAT = re.compile(r'^"%[sv]:%[dvs]"$')


def loopback_address_expr(pkg, file, node, scope=None, _depth: int = 0) -> bool:
    """An address expression that names this host only: a loopback string
    (literal or constant), ``fmt.Sprintf("127.0.0.1:%d", port)``,
    ``fmt.Sprintf("%s:%d", "127.0.0.1", port)``, ``net.JoinHostPort("localhost", p)``,
    or a variable a command-line flag fills with a loopback default
    (``fs.StringVar(&address, "address", "127.0.0.1:8596", ...)``)."""
    node = unparen(node)
    if node is None:
        return False
    value = resolve_string(pkg, file, node, scope)
    if value is not None:
        return is_loopback_address(value)
    if loopback_by_default(pkg, node):
        return True  # cfg.ListenAddressWebUI, which the module defaults to localhost:1340
    if node.type == "binary_expression" and text(node.child_by_field_name("operator")) == "+":
        # *host + ":" + *port, with a host flag defaulting to 127.0.0.1
        first = node
        while first.type == "binary_expression" and text(first.child_by_field_name("operator")) == "+":
            first = unparen(first.child_by_field_name("left"))
            if first is None:
                return False
        # ``"localhost:" + port``: the host in the first literal
        head = resolve_string(pkg, file, first, scope)
        if head is not None and head.endswith(":") and head[:-1] in _LOOPBACK_HOSTS:
            return True
        return _loopback_host(pkg, file, first, scope)
    if node.type == "call_expression":
        target = file.call_target(node)
        args = node.child_by_field_name("arguments").named_children
        if target == ("fmt", "Sprintf") and args:
            if _LOOPBACK_FORMAT.match(text(args[0])) is not None:
                return True
            return (_HOST_PORT_FORMAT.match(text(args[0])) is not None and len(args) == 3
                    and _loopback_host(pkg, file, args[1], scope))
        if target == ("net", "JoinHostPort") and len(args) == 2:
            return _loopback_host(pkg, file, args[0], scope)
        fn = node.child_by_field_name("function")
        if fn is not None and fn.type == "identifier" and _depth < 3:
            return _returns_loopback(pkg, text(fn), _depth + 1)  # getServerAddress(port)
        return False
    if node.type == "unary_expression":  # addr := flag.String("addr", "127.0.0.1:6060", ...); *addr
        defaults = _pointer_flag_defaults(pkg, file, node, scope)
        return bool(defaults) and all(is_loopback_address(d) for d in defaults)
    if node.type == "identifier" and scope is not None:
        made = pkg.assigned_from(scope, text(node))
        if made:  # addr := fmt.Sprintf("%s:%d", defaultServerIP, port)
            return _depth < 3 and all(loopback_address_expr(pkg, file, m, scope, _depth + 1) for m in made)
        if _flag_var_default_loopback(pkg, file, text(node), scope):
            return True
        return _depth < 3 and _callers_pass_loopback(pkg, file, text(node), scope, _depth + 1)
    return False


def _loopback_host(pkg, file, node, scope, _depth: int = 0) -> bool:
    """A host part that is loopback: a string or flag default, a setting the
    module defaults to loopback (``hf.Cfg.ListenOnHost``), or a parameter
    every caller passes such a host for."""
    if _host_value(pkg, file, node, scope) in _LOOPBACK_HOSTS or loopback_by_default(pkg, node):
        return True
    node = unparen(node)
    return (node is not None and node.type == "identifier" and _depth < 3 and scope is not None
            and not pkg.assigned_from(scope, text(node))
            and _callers_pass_loopback(pkg, file, text(node), scope, _depth + 1, _loopback_host))


def _callers_pass_loopback(pkg, file, name: str, scope, depth: int, test=None) -> bool:
    """``name`` is a parameter of the function or method whose body is
    ``scope``, and every call of it in the package passes a loopback address
    for it (``listenAndServeCardDAV(*host + ":" + *port)`` with a host flag
    defaulting to 127.0.0.1, ollama's ``runner.Run("127.0.0.1", port, h)``),
    and there is one (``test`` judges each argument: an address by default, a
    host for a host part).  An exported one that other packages of the
    module call is not known: their arguments are not read."""
    fn = scope.parent if scope is not None else None
    if fn is None or fn.type not in ("function_declaration", "method_declaration"):
        return False
    info = pkg.functions(file).info(fn)
    names = [p.name for p in info.params]
    if name not in names or any(p.type_text.startswith("...") for p in info.params):
        return False
    if info.name[:1].isupper() and not _only_called_in_package(pkg, info.name):
        return False
    method = fn.type == "method_declaration"
    index = names.index(name)
    calls = 0
    for f in pkg.files:
        if f.is_test or info.name.encode() not in f.source:
            continue
        for call in pkg.calls_in(f, info.name):
            callee = call.child_by_field_name("function")
            if callee.type != ("selector_expression" if method else "identifier"):
                continue
            args = call.child_by_field_name("arguments").named_children
            chain = list(pkg.functions(f).enclosing_chain(call))
            if len(args) <= index or not chain or not (test or loopback_address_expr)(pkg, f, args[index], chain[-1].body, depth):
                return False
            calls += 1
    return calls > 0


def _only_called_in_package(pkg, name: str) -> bool:
    """No other package of the module selects ``name`` (``x.Name``): the
    module facts of topic "calls" list each package's selected names once;
    without them, not known."""
    facts = pkg.module_facts
    if facts is None or (pkg.fact_topics is not None and "calls" not in pkg.fact_topics):
        return False
    return selection_count(facts, name) <= (1 if name in selected_by(pkg) else 0)


def _returns_loopback(pkg, name: str, depth: int) -> bool:
    """The package function ``name`` returns a loopback address on every
    return (``return fmt.Sprintf("127.0.0.1:%d", port)``)."""
    found = False
    for f, fi in pkg.functions_named(name):
        if fi.receiver_type or fi.body is None:
            continue
        for ret in captures("(return_statement) @r", fi.body).get("r", []):
            values = ret.named_children[0].named_children if ret.named_child_count else []
            if not values or not loopback_address_expr(pkg, f, values[0], fi.body, depth):
                return False
            found = True
    return found


def _host_value(pkg, file, node, scope) -> str | None:
    """A host known at analysis time: a string, or the default of the flag
    behind ``*host`` (``host := flag.String("host", "127.0.0.1", ...)``)."""
    node = unparen(node)
    if node is None:
        return None
    value = resolve_string(pkg, file, node, scope)
    if value is not None or node.type != "unary_expression":
        return value
    defaults = set(_pointer_flag_defaults(pkg, file, node, scope))
    return defaults.pop() if len(defaults) == 1 else None


def _pointer_flag_defaults(pkg, file, node, scope) -> list:
    """``*p`` where every assignment of ``p`` in ``scope`` is a
    ``flag.String(name, default, usage)``: those defaults (None for any
    other assignment); empty when ``node`` is not such a dereference."""
    if scope is None or text(node.child_by_field_name("operator")) != "*":
        return []
    inner = unparen(node.child_by_field_name("operand"))
    if inner is None or inner.type != "identifier":
        return []
    return [_flag_default(pkg, file, unparen(m), scope) for m in pkg.assigned_from(scope, text(inner))]


def _flag_default(pkg, file, call, scope) -> str | None:
    if call is None or call.type != "call_expression" or callee_name(call) != "String":
        return None
    args = call.child_by_field_name("arguments").named_children
    return resolve_string(pkg, file, args[1], scope) if len(args) >= 2 else None


def _flag_var_default_loopback(pkg, file, name: str, scope) -> bool:
    """``StringVar(&name, "flag", "127.0.0.1:8596", usage)`` in ``scope`` binds
    ``name``, with a loopback default, and nothing else assigns it."""
    if pkg.assigned_from(scope, name):
        return False
    found = False
    for call in pkg.calls_in(file, "StringVar", "StringVarP"):
        if not (scope.start_byte <= call.start_byte < scope.end_byte):
            continue
        args = call.child_by_field_name("arguments").named_children
        if not args or text(args[0]).replace(" ", "") != "&" + name:
            continue
        default = args[3] if callee_name(call) == "StringVarP" and len(args) > 3 else (args[2] if len(args) > 2 else None)
        if default is None or not is_loopback_address(resolve_string(pkg, file, default, scope)):
            return False
        found = True
    return found
