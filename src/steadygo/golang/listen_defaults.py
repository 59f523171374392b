"""Settings whose default listen address is loopback.

A server listening on ``cfg.ListenAddressRestActions`` is reachable from
other hosts only if someone changes a default the code sets to
``localhost:1338`` (``config.ListenOnHost = DefaultListenOnHost``,
``InspectAddr: "127.0.0.1:4040"``, ``fs.StringVar(&c.BindAddr, "bind",
"127.0.0.1:8080", ...)``, a struct tag's ``default:"127.0.0.1:9000"``, a
configuration library's ``viper.SetDefault("server.bind_addr",
"localhost:8080")`` for the field tagged ``mapstructure:"bind_addr"``).  The
defaults are read module-wide (they usually live in a config package) by the
field's name, and a name counts only when no code gives it a public address
(``0.0.0.0:80``, ``:8080``) too.  Generic
names (``Addr``, ``Host``) are left out: a Redis client's
``Addr: "localhost:6379"`` says nothing about a server's ``cfg.Addr``.
"""

from __future__ import annotations

import re

from steadygo.artifacts.config_addresses import normalise
from steadygo.golang.parse import string_value, text, unparen

# Field names that can hold a listen address or host.
_ADDRESS_NAME = re.compile(r"(?i)addr|host|listen|bind|inspect")
_GENERIC = frozenset({"addr", "address", "host", "hostname", "server", "endpoint", "url", "uri", "target"})
_FLAG_VARS = ("StringVar", "StringVarP")
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
_TAG = re.compile(r'([\w-]+):"([^"]*)"')  # yaml:"listen_uri,omitempty" -> (yaml, listen_uri,omitempty)
# Tags that give the field's default value rather than the key it is read
# by (creasty/defaults, caarlos0/env, ilyakaznacheev/cleanenv, go-flags).
_DEFAULT_TAGS = frozenset({"default", "envDefault", "env-default"})
# Calls that give a configuration key its default: viper.SetDefault(key, v),
# koanf-style k.Set is left out (it also writes overrides).
_KEY_DEFAULTS = ("SetDefault",)
# Entries of the loopback/public lists that name a configuration key, not a
# field: ``key:bindaddr``.
KEY_PREFIX = "key:"
# What may follow an address-named field where it is written: ``Name: v``
# (a keyed element), ``.Name = v`` (an assignment), ``Name string `yaml:"..."` ``
# (a tagged field declaration).
_WRITTEN = re.compile(rb"\s*(?::(?!=)|=(?!=)|[ \t][^\n`]*`)")
_WORDS = (b"addr", b"host", b"listen", b"bind", b"inspect")
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_")


def _written_names(source: bytes):
    """(start, end) of identifiers naming an address (``InspectAddr``,
    ``ListenOnHost``) followed by what writes them.  Found with bytes.find on
    the lower-cased text: a case-blind regular expression over every file
    cost a twentieth of a preview run."""
    low = source.lower()
    seen = set()
    for word in _WORDS:
        i = low.find(word)
        while i != -1:
            start, end = i, i + len(word)
            while start > 0 and low[start - 1] in _WORD_BYTES:
                start -= 1
            while end < len(low) and low[end] in _WORD_BYTES:
                end += 1
            if (start, end) not in seen and _WRITTEN.match(source, end):
                seen.add((start, end))
                yield start, end
            i = low.find(word, end)


def settings_of(pkg) -> tuple[list[str], list[str], list[str]]:
    """(field names the package sets to a loopback address, field names it
    sets to another address, ``Field=key`` for the keys a configuration file
    or command line sets a field by: its struct tags, the flag it is bound
    to), non-test files only."""
    from steadygo.golang.facts import is_loopback_address, resolve_string
    from steadygo.golang.listener_reach import loopback_address_expr

    loopback: set[str] = set()
    public: set[str] = set()
    keys: set[str] = set()

    def classify(name: str, s, loopback_expr: bool = False) -> None:
        if s in _LOOPBACK_HOSTS or loopback_expr:
            loopback.add(name)  # a host ("127.0.0.1") or an address ("localhost:4040")
        elif s and not is_loopback_address(s) and (":" in s or "." in s):
            public.add(name)  # "0.0.0.0:80", ":8080", "0.0.0.0": reachable from elsewhere

    def address_name(name: str) -> bool:
        return bool(_ADDRESS_NAME.search(name)) and name.lower() not in _GENERIC

    def judge(name: str, value, file, scope) -> None:
        if address_name(name):
            classify(name, resolve_string(pkg, file, value, scope), loopback_address_expr(pkg, file, value, scope))

    for f in pkg.files:
        if f.is_test:
            continue
        funcs = pkg.functions(f)
        # The places a setting is written are found by their text first: a
        # query over every keyed element and assignment of every file cost
        # a tenth of a preview run.
        for start, end in _written_names(f.source):
            node = f.root.descendant_for_byte_range(start, end)
            if node is None or node.type not in ("field_identifier", "identifier"):
                continue
            name, parent = text(node), node.parent
            if parent is not None and parent.type == "field_declaration":
                tag = parent.child_by_field_name("tag")
                if tag is not None:
                    for tag_name, value in _TAG.findall(text(tag)):
                        if tag_name in _DEFAULT_TAGS:
                            if address_name(name):
                                classify(name, value, is_loopback_address(value))
                            continue
                        key = normalise(value.split(",", 1)[0])
                        if key:
                            keys.add(f"{name}={key}")
                continue
            if parent is not None and parent.type == "literal_element":
                element = parent.parent
                if element is not None and element.type == "keyed_element" and element.named_child(0) == parent:
                    value = element.named_child(1)
                    if value is not None and value.type == "literal_element" and value.named_child_count:
                        judge(name, value.named_child(0), f, _outer_body(funcs, element))
                continue
            if parent is not None and parent.type == "selector_expression" and parent.child_by_field_name("field") == node:
                left = parent.parent
                a = left.parent if left is not None and left.type == "expression_list" else None
                if a is not None and a.type == "assignment_statement" and a.child_by_field_name("left") == left:
                    right = a.child_by_field_name("right")
                    if left.named_child_count == 1 and right is not None and right.named_child_count == 1:
                        judge(name, right.named_child(0), f, _outer_body(funcs, a))
        for call in pkg.calls_in(f, *_KEY_DEFAULTS):
            # The key's last part names the setting (``server.bind_addr`` is
            # read into the field tagged ``bind_addr``); a generic one
            # (``address``) could be any struct's and is left out.
            args = call.child_by_field_name("arguments").named_children
            if len(args) != 2:
                continue
            scope = _outer_body(funcs, call)
            key = resolve_string(pkg, f, args[0], scope)
            if key and address_name(key.rsplit(".", 1)[-1]):
                classify(KEY_PREFIX + normalise(key), resolve_string(pkg, f, args[1], scope),
                         loopback_address_expr(pkg, f, args[1], scope))
        for call in pkg.calls_in(f, *_FLAG_VARS):
            args = call.child_by_field_name("arguments").named_children
            if len(args) < 3:
                continue
            dest = unparen(args[0])
            if dest is not None and dest.type == "unary_expression":
                dest = unparen(dest.child_by_field_name("operand"))
            if dest is not None and dest.type == "selector_expression":
                default = args[3] if text(call.child_by_field_name("function")).endswith("VarP") and len(args) > 3 else args[2]
                field = text(dest.child_by_field_name("field"))
                judge(field, default, f, _outer_body(funcs, call))
                flag = string_value(args[1])
                if flag and _ADDRESS_NAME.search(field):
                    keys.add(f"{field}={normalise(flag)}")
    return sorted(loopback), sorted(public), sorted(keys)


def _outer_body(funcs, node):
    chain = list(funcs.enclosing_chain(node))
    return chain[-1].body if chain else None


def loopback_by_default(pkg, node) -> bool:
    """``node`` is ``x.y.Field``, the module sets ``Field`` only to loopback
    addresses, and no deployment file of the module sets it (by the field's
    name, a struct tag's key or its flag) to a public one (module facts with
    topic "listen_defaults")."""
    facts = pkg.module_facts
    node = unparen(node)
    if facts is None or not facts.loopback_settings or node is None or node.type != "selector_expression":
        return False
    name = text(node.child_by_field_name("field"))
    held = _SETS.get(id(facts))
    if held is None or held[0] is not facts:
        by_field: dict[str, set[str]] = {}
        for pair in facts.setting_keys:
            field, _, key = pair.partition("=")
            by_field.setdefault(field, set()).add(key)
        held = _SETS[id(facts)] = (facts, (set(facts.loopback_settings), set(facts.public_settings), by_field,
                                           set(facts.deployed_public_keys)))
    loopback, public, keys, deployed = held[1]
    own_keys = keys.get(name, set())
    by_key = {KEY_PREFIX + k for k in own_keys}
    if name in public or by_key & public or not (name in loopback or by_key & loopback):
        return False
    # The project's deployment files set it public by a key or flag.
    return not ({normalise(name)} | own_keys) & deployed


_SETS: dict[int, tuple[object, tuple]] = {}
