"""SG641 config-read-without-validation.

os.Getenv / os.LookupEnv / viper.Get* read and used with no emptiness or required-key check in the function or the package.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.facts import extract_facts
from steadygo.golang.frameworks import VIPER
from steadygo.golang.parse import string_value, text, unparen
from steadygo.golang.roles import TEST_SUPPORT_DIR
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_VIPER_GETTERS = ("GetString", "GetInt", "GetInt32", "GetInt64", "GetUint", "GetUint16", "GetUint32", "GetUint64",
                  "GetFloat64", "GetBool", "GetDuration", "GetTime", "GetStringSlice", "GetIntSlice", "GetStringMap",
                  "GetStringMapString", "GetSizeInBytes")
_ENV_READS = ("Getenv", "LookupEnv")


# Libraries whose whole point is required keys and validated config.
_VALIDATING_IMPORTS = ("github.com/kelseyhightower/envconfig", "github.com/caarlos0/env", "github.com/sethvargo/go-envconfig",
                       "github.com/go-playground/validator", "gopkg.in/go-playground/validator", "github.com/go-ozzo/ozzo-validation",
                       "github.com/ilyakaznacheev/cleanenv", "github.com/joho/godotenv/autoload")


_VALIDATING_CALLS = ("IsSet", "Validate", "validate", "ValidateStruct", "Struct", "MustGet", "mustGet", "Required",
                     "required", "MustEnv", "mustEnv")


# Process, platform and orchestrator environment, not service configuration:
# empty is a normal value for these.
_SYSTEM_ENV = re.compile(r"(?i)^(HOME|USER|USERNAME|PATH|PWD|TMPDIR|TEMP|TMP|SHELL|TERM|LANG|LC_\w+|HOSTNAME|CI|DEBUG|"
                         r"NO_COLOR|EDITOR|PAGER|GO\w*|CGO_\w+|XDG_\w+|APPDATA|LOCALAPPDATA|PROGRAMDATA|PROGRAMFILES\w*|"
                         r"USERPROFILE|SYSTEMROOT|WINDIR|COMSPEC|KRB5\w*|LISTEN_(FDS|FDNAMES|PID)|NOTIFY_SOCKET|"
                         r"KUBERNETES_\w+|POD_\w+|NODE_NAME|\w*_PROXY)$")


# Consumers for which an empty value means "the default": a temp dir, an empty list.
_EMPTY_OK_CONSUMERS = frozenset({("os", "MkdirTemp"), ("os", "CreateTemp"), ("io/ioutil", "TempDir"), ("io/ioutil", "TempFile"),
                                 ("strings", "Split"), ("strings", "Fields"), ("strings", "SplitN"), ("path/filepath", "SplitList")})


_CONFIG_PACKAGE = re.compile(r"(?i)^(main|\w*conf\w*|\w*settings?|\w*env)$")
_TEST_DIR = re.compile(r"(?i)(^|/)(\w*test\w*|examples?|_examples?|demos?|samples?|tools?|hack|scripts?)(/|$)")
_CHECKING_CALLEE = re.compile(r"(?i)valid|require|must|check|parse|atoi|default|fallback|orelse|\bor$|ensure|empty|lookup")
_COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">="})


def _last_name(node) -> str:
    node = unparen(node)
    if node is None:
        return ""
    if node.type == "selector_expression":
        return text(node.child_by_field_name("field"))
    if node.type == "call_expression" and text(node.child_by_field_name("function")) == "len":
        args = node.child_by_field_name("arguments").named_children
        return _last_name(args[0]) if args else ""
    return text(node) if node.type in ("identifier", "field_identifier") else ""


def _compared_names(file, lo: int, hi: int) -> set[str]:
    """Names compared with anything (``v == ""``, ``len(v) == 0``, ``c.Port <= 0``)
    in a byte range of a file."""
    out = set()
    for b in file.nodes("binary"):
        if lo <= b.start_byte < hi:
            op = b.child_by_field_name("operator")
            if op is not None and text(op) in _COMPARISONS:
                out.add(_last_name(b.child_by_field_name("left")))
                out.add(_last_name(b.child_by_field_name("right")))
    out.discard("")
    return out


class ConfigReadWithoutValidation(GoRule):
    meta = code_meta(
        id="SG641",
        name="config-read-without-validation",
        severity=Severity.INFO,
        breakpoint="A missing or misspelt variable in one environment starts the service with an empty DSN, port 0 or a zero timeout: it passes its probes and fails on the first real request, far from the cause.",
        summary="os.Getenv / os.LookupEnv / viper.Get* read and used with no emptiness or required-key check in the function or the package.",
        status="preview",
    )
    requires_imports = ("os", VIPER)

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        if b"Getenv" not in f.source and b"LookupEnv" not in f.source and b"viper" not in f.source:
            return
        d = ctx.module_dir
        if TEST_SUPPORT_DIR.search(d) or _TEST_DIR.search(d) or f.relpath.endswith("_windows.go"):
            return
        if not self._service_package(ctx.pkg, f):
            return
        reads = []
        for c in ctx.pkg.calls_in(f, *_ENV_READS, *_VIPER_GETTERS):
            t = f.call_target(c)
            if t is None or not ((t[0] == "os" and t[1] in _ENV_READS) or (t[0] == VIPER and t[1] in _VIPER_GETTERS)):
                continue
            args = c.child_by_field_name("arguments").named_children
            key = string_value(args[0]) if args else None
            if not key or _SYSTEM_ENV.match(key):
                continue  # a computed key is a helper's parameter: judged at its callers, not here
            reads.append((c, t, key))
        if not reads or self._package_validates(ctx.pkg):
            return
        defaults = self._viper_defaults(ctx.pkg)
        for c, t, key in reads:
            if t[0] == VIPER and key in defaults:
                continue
            use = self._unchecked_use(ctx, c, t)
            if use:
                what = f"{'os' if t[0] == 'os' else 'viper'}.{t[1]}({key!r})"
                ctx.report(c, f"{what} is {use} with no check that it is set: a missing key starts the service with a "
                           "zero value that fails later, on real traffic; check it at start-up (if v == \"\" { log.Fatal(...) }) "
                           "or validate the config struct")

    @staticmethod
    def _service_package(pkg, f) -> bool:
        """Service start-up code: a main package, a config package, or a
        package that serves HTTP.  Libraries read the environment for
        optional knobs whose empty value is a documented default."""
        if _CONFIG_PACKAGE.match(f.package_name):
            return True
        facts = extract_facts(pkg)
        return bool(facts.listeners or facts.routes)

    @staticmethod
    def _package_validates(pkg) -> bool:
        def compute():
            for f in pkg.files:
                if any(f.imports.imports_prefix(p) for p in _VALIDATING_IMPORTS):
                    return True
            return any(True for n in _VALIDATING_CALLS for _ in pkg.calls_to(n))

        return pkg.memo("config.validates", compute)

    @staticmethod
    def _viper_defaults(pkg) -> set[str]:
        def compute():
            out = set()
            for f, c in pkg.calls_to("SetDefault"):
                args = c.child_by_field_name("arguments").named_children
                k = string_value(args[0]) if args else None
                if k:
                    out.add(k)
            return out

        return pkg.memo("config.viper_defaults", compute)

    def _package_compared(self, pkg) -> set[str]:
        def compute():
            out = set()
            for f in pkg.files:
                out |= _compared_names(f, 0, len(f.source))
            return out

        return pkg.memo("config.compared", compute)

    def _unchecked_use(self, ctx, call, target) -> str:
        """How an unchecked read is used ('assigned to X', 'passed to F'), or
        '' when it is checked, returned to a caller, or its use is unclear."""
        f = ctx.file
        fi = ctx.funcs.enclosing(call)
        lo, hi = (fi.node.start_byte, fi.node.end_byte) if fi is not None else (0, len(f.source))
        parent = call.parent
        # ":" + os.Getenv("PORT") is used the way the sum is
        while parent is not None and (parent.type == "parenthesized_expression" or (
                parent.type == "binary_expression" and text(parent.child_by_field_name("operator")) == "+")):
            parent = parent.parent
        # a read inside an if/switch header or a comparison is its own check
        anc = parent
        while anc is not None and anc.type not in ("block", "source_file"):
            if anc.type in ("if_statement", "expression_switch_statement") or (
                    anc.type == "binary_expression" and text(anc.child_by_field_name("operator")) in _COMPARISONS):
                return ""
            anc = anc.parent
        if parent is None:
            return ""
        if parent.type == "expression_list" and parent.parent is not None and parent.parent.type in (
                "short_var_declaration", "assignment_statement", "var_spec"):
            stmt = parent.parent
            left = stmt.child_by_field_name("left") if stmt.type != "var_spec" else None
            names = left.named_children if left is not None else stmt.children_by_field_name("name")
            if not names:
                return ""
            if target[1] == "LookupEnv" and len(names) > 1 and text(names[1]) != "_":
                return ""  # v, ok := os.LookupEnv(...): the ok is the check
            first = names[0]
            name = _last_name(first)
            if not name or name == "_":
                return ""
            local = first.type == "identifier" and fi is not None
            compared = _compared_names(f, lo, hi) if local else self._package_compared(ctx.pkg)
            if name in compared or self._passed_to_checker(f, name, lo, hi):
                return ""
            return f"assigned to {text(first)}"
        if parent.type == "literal_element" and parent.parent is not None and parent.parent.type == "keyed_element":
            key = parent.parent.named_child(0)
            field_name = text(key)
            if field_name in self._package_compared(ctx.pkg):
                return ""
            return f"stored in field {field_name}"
        if parent.type == "argument_list":
            outer = parent.parent
            fn = outer.child_by_field_name("function") if outer is not None else None
            if fn is None:
                return ""
            callee = _last_name(fn) or text(fn)
            if _CHECKING_CALLEE.search(callee) or f.call_target(outer) in _EMPTY_OK_CONSUMERS or callee == "append":
                return ""
            return f"passed to {text(fn)}"
        if parent.type == "binary_expression":
            return ""
        return ""

    @staticmethod
    def _passed_to_checker(f, name, lo, hi) -> bool:
        for c in f.nodes("call"):
            if not lo <= c.start_byte < hi:
                continue
            fn = c.child_by_field_name("function")
            callee = _last_name(fn) or text(fn)
            if not _CHECKING_CALLEE.search(callee):
                continue
            if any(_last_name(a) == name for a in c.child_by_field_name("arguments").named_children):
                return True
        return False
