"""SG503 secret-in-log.

Log call that writes a value named like a password, token, secret, API key, cookie or DSN, or dumps request headers.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.frameworks import LOGGING_IMPORTS, SLOG, ZAP
from steadygo.golang.log_calls import log_calls
from steadygo.golang.names import BENIGN_WORDS, lowered, secret_name, SECRET_WORDS, words
from steadygo.golang.parse import string_value, text, unparen
from steadygo.golang.roles import is_cli
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


# Packages whose "token" is a lexer token, not a credential.
_LEXER_IMPORTS = ("go/token", "go/scanner", "text/scanner", "golang.org/x/net/html", "encoding/xml", "encoding/json",
                  "text/template/parse", "github.com/alecthomas/participle")


_FORMAT_SECRET = re.compile(r"(?i)\b(password|passwd|secret|token|api[_-]?key|authorization|cookie|dsn)\s*[=:]\s*%[-+# 0-9.]*[vsqdx]")
_SAFE_WRAPPERS = re.compile(r"(?i)^(len|mask\w*|redact\w*|hash\w*|sha\w*|fingerprint\w*|strings\.Repeat|bool)$")
# Getters of an object's identity: obj.GetName() of a Kubernetes Secret is
# the Secret's name, not its data.
_IDENTITY_GETTERS = re.compile(r"^(Get)?(Name|Namespace|ID|Id|UID|Kind|Type|Key)$")
# Types whose values are never a credential: a count or a flag.
_NUMERIC_OR_BOOL = re.compile(r"^(bool|u?int(8|16|32|64)?|float(32|64)|time\.Duration|uintptr)$")
_REQUEST_NAMES = frozenset({"r", "req", "request", "httpReq", "httpRequest"})
_REQUEST_DUMP = re.compile(r"^(\w+)\.(Header|Cookies\(\)|Form|PostForm)$")


def _secret_arguments(ctx: FileContext, args_node) -> str:
    """What in a log call's arguments is a secret (a description naming the
    key or variable, never its value), or ''."""
    f = ctx.file
    args = args_node.named_children
    for i, a in enumerate(args):
        a = unparen(a)
        if a is None:
            continue
        s = string_value(a)
        if s is not None:
            m = _FORMAT_SECRET.search(s)
            if m and not all(_benign_arg(x) for x in _printed_by(s, m, args[i + 1:])):
                return f"a format string that prints {m.group(1)}"
            # "password", value pairs
            if len(s) <= 40 and re.fullmatch(r"[\w.\-]+", s or "-") and secret_name(s) and i + 1 < len(args):
                if not _value_is_safe(args[i + 1], ctx):
                    return f"the field {s!r}"
            continue
        if a.type == "call_expression":
            t = f.call_target(a)
            inner = a.child_by_field_name("arguments").named_children
            if t is not None and t[0] == "net/http/httputil" and t[1].startswith("DumpRequest"):
                return "a full request dump (headers, cookies, body)"
            if t is not None and t[0] in (ZAP, SLOG) and len(inner) >= 2:
                key = string_value(inner[0])
                if key and secret_name(key) and not _value_is_safe(inner[1], ctx):
                    return f"the field {key!r}"
            fname = text(a.child_by_field_name("function"))
            if fname.endswith(".Get") and fname.split(".")[-2:-1] == ["Header"] and inner:
                hv = string_value(inner[0])
                if hv and hv.lower() in ("authorization", "cookie", "x-api-key", "proxy-authorization", "x-auth-token"):
                    return f"the {hv} header"
            if fname.endswith("GetHeader") and inner:
                hv = string_value(inner[0])
                if hv and hv.lower() in ("authorization", "cookie", "x-api-key", "x-auth-token"):
                    return f"the {hv} header"
            if (t is None and a.child_by_field_name("function").type == "selector_expression"
                    and text(a.child_by_field_name("function").child_by_field_name("field")) in ("Str", "Interface", "Any", "String")
                    and len(inner) >= 2):
                key = string_value(inner[0])
                if key and secret_name(key) and not _value_is_safe(inner[1], ctx):
                    return f"the field {key!r}"
            continue
        if a.type == "composite_literal":  # logrus.Fields{"password": p}
            body = a.child_by_field_name("body")
            for el in body.named_children if body is not None else []:
                if el.type != "keyed_element":
                    continue
                k = el.named_child(0)
                k = k.named_child(0) if k is not None and k.type == "literal_element" else k
                key = string_value(k)
                v = el.named_child(1)
                if key and secret_name(key) and not _value_is_safe(v, ctx):
                    return f"the field {key!r}"
            continue
        desc = _secret_expr(ctx, a)
        if desc:
            return desc
    return ""


_VERB = re.compile(r"%[-+# 0-9.*]*[a-zA-Z%]")


def _printed_by(fmt_: str, m: re.Match, args: list) -> list:
    """The argument the verb after ``token: `` prints (``Deleted token %d:
    %s`` with ``n, session.Name``: the name), or every argument when the
    format counts them some other way (``%[2]s``, ``%*d``)."""
    if "%[" in fmt_ or "*" in fmt_:
        return args
    index = sum(1 for v in _VERB.findall(fmt_, 0, m.end()) if v != "%%") - 1  # the verbs before the secret's
    return args[index:index + 1] if index < len(args) else args


def _benign_arg(a) -> bool:
    """An argument whose name says it is an id, name, length... of a secret."""
    last = re.split(r"[^A-Za-z0-9_]", text(a).strip())[-1] if text(a).strip() else ""
    ws = words(last)
    return bool(ws) and ws[-1] in BENIGN_WORDS or _value_is_safe(a)


def _value_is_safe(v, ctx=None) -> bool:
    """A value that cannot be the credential its key names: a literal, a
    length or hash, an identity getter, or (when the package's types tell) a
    number or bool."""
    v = unparen(v)
    if v is None:
        return True
    if v.type == "literal_element":
        v = v.named_child(0)
    if v.type in ("interpreted_string_literal", "raw_string_literal", "int_literal", "true", "false", "nil", "binary_expression", "unary_expression"):
        return True
    if v.type == "call_expression":
        fn = text(v.child_by_field_name("function"))
        last = fn.rsplit(".", 1)[-1]
        if _SAFE_WRAPPERS.match(last) or _SAFE_WRAPPERS.match(fn) or _IDENTITY_GETTERS.match(last):
            return True
    if ctx is not None and v.type == "identifier" and _is_constant(ctx, v):
        return True
    if ctx is not None and v.type in ("identifier", "selector_expression", "call_expression"):
        t = ctx.pkg.types.type_of(ctx.file, v)
        return t is not None and _NUMERIC_OR_BOOL.match(t) is not None
    return False


def _is_constant(ctx, ident) -> bool:
    """A ``const`` of the package (``ActionResetPassword``,
    ``logMessageEnablingSecrets``): its value is in the source already, a
    message or a name, not a credential read at run time (SG640 judges
    literals)."""
    decl = ctx.pkg.types.declaration_of(ctx.file, ident)
    if decl is None:
        return False
    st = decl.statement
    return st is not None and st.type == "const_spec"


def _lexer_token(ctx, name: str) -> bool:
    ws = words(name)
    if not ws or not all(w in ("token", "tokens", "tok") or w not in SECRET_WORDS for w in ws):
        return False
    return any(ctx.file.imports.imports(p) for p in _LEXER_IMPORTS) or any(
        k in ctx.file.package_name for k in ("lex", "pars", "scan", "token")
    )


# Calls whose result is a file-system path, not the secret the variable's
# name suggests (``credsFile := filepath.Join(dir, "creds.json")``).
_PATH_BUILDERS = frozenset({("path/filepath", "Join"), ("path/filepath", "Abs"), ("path/filepath", "Clean"),
                            ("path", "Join"), ("os", "UserHomeDir"), ("os", "UserConfigDir"), ("os", "TempDir")})


_PATH_FORMAT = re.compile(r"(^|[^%])/|\.(ya?ml|json|toml|ini|conf|pem|key|crt|txt|env)$")


def _holds_a_path(ctx, ident) -> bool:
    """Every assignment to ``ident`` in its function builds a file path:
    filepath.Join & co, or fmt.Sprintf with a path-shaped format."""
    fi = ctx.funcs.enclosing(ident)
    if fi is None:
        return False
    values = [unparen(v) for v in ctx.pkg.assigned_from(fi.body, text(ident))]
    if not values:
        return False
    for v in values:
        if v is None or v.type != "call_expression":
            return False
        t = ctx.file.call_target(v)
        if t in _PATH_BUILDERS:
            continue
        if t == ("fmt", "Sprintf"):
            args = v.child_by_field_name("arguments").named_children
            fmt_ = string_value(args[0]) if args else None
            if fmt_ is not None and "://" not in fmt_ and _PATH_FORMAT.search(fmt_):  # a URL may carry credentials
                continue
        return False
    return True


def _secret_expr(ctx, a) -> str:
    t = a.type
    if t in ("identifier", "selector_expression") and _value_is_safe(a, ctx):
        return ""  # a number or a bool, whatever its name
    if t == "identifier":
        name = text(a)
        if secret_name(name) and not _lexer_token(ctx, name):
            if _holds_a_path(ctx, a):
                return ""  # the location of a credentials file, not its content
            return f"the value of {name}"
        if name not in _REQUEST_NAMES:
            return ""
        fi = ctx.funcs.in_handler(a)
        if fi is not None and fi.handler == "net/http" and name == fi.request_param():
            return "the whole *http.Request (headers and cookies included)"
        return ""
    if t == "selector_expression":
        full = text(a).replace(" ", "")
        m = _REQUEST_DUMP.match(full)
        if m and m.group(1) in _REQUEST_NAMES:
            fi = ctx.funcs.in_handler(a)
            if fi is not None and m.group(1) == fi.request_param():
                return f"{full} (every header, including Authorization and Cookie)"
            return ""
        operand = a.child_by_field_name("operand")
        if operand is not None and operand.type == "identifier" and ctx.file.package_of(operand) is not None:
            # config.ReverseSecretKey: an exported name of another package is
            # a constant (a key or setting name) far more often than a live
            # credential; secrets arrive as variables, parameters and fields
            return ""
        field = text(a.child_by_field_name("field"))
        if secret_name(field) and not _lexer_token(ctx, field):
            return f"the value of {full}"
    return ""


class SecretInLog(GoRule):
    meta = code_meta(
        id="SG503",
        name="secret-in-log",
        severity=Severity.WARNING,
        status="preview",  # 2 of 8 judged true on the 46 real services (5 FP, 1 debatable): docs/rules/SG503.md
        breakpoint="Log pipelines copy every line to many systems and people; a password, token or session cookie written once is readable by everyone with log access for the retention period.",
        summary="Log call that writes a value named like a password, token, secret, API key, cookie or DSN, or dumps request headers.",
    )
    requires_imports = LOGGING_IMPORTS

    _HINT = (b"pass", b"pwd", b"secret", b"token", b"apikey", b"api_key", b"authorization", b"cookie", b"dsn", b"cred",
             b"privatekey", b"private_key", b"accesskey", b"access_key", b"bearer", b"jwt", b".header", b"dumprequest",
             b".form", b"http.request")

    def check(self, ctx: FileContext) -> None:
        calls = log_calls(ctx)
        if not calls:
            return
        low = lowered(ctx)
        if not any(w in low for w in self._HINT):
            return  # nothing secret-sounding anywhere in the file
        cli = is_cli(ctx)
        for call, label, path in calls:
            if path == "fmt" and cli:
                continue  # a command-line tool printing to its user is not logging
            if _debug_level(call):
                continue  # off unless someone turns debug logging on to look (judged debatable every time)
            args = call.child_by_field_name("arguments")
            if cli and _prints_generated_credential(ctx, args):
                continue  # a set-up command telling the operator the password it just made up
            what = _secret_arguments(ctx, args)
            if what:
                ctx.report(call, f"{label} logs {what}: log readers get the credential; log that it was present, "
                           "or a hash/last 4 characters, never the value")


_DEBUG_METHODS = re.compile(r"^(Debug|Trace)(f|w|ln|Context|Ctx)?$")


def _debug_level(call) -> bool:
    fn = call.child_by_field_name("function")
    name = text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else text(fn)
    return _DEBUG_METHODS.match(name) is not None


_GENERATORS = re.compile(r"(?i)^(random|rand|generate|gen)")


def _prints_generated_credential(ctx, args_node) -> bool:
    """The format's secret verb prints a local the function only ever assigns
    from a ``RandomPwd(...)``/``GeneratePassword(...)`` call: the first-run
    password a set-up command prints because that is how its operator learns it."""
    args = args_node.named_children
    for i, a in enumerate(args):
        fmt_ = string_value(unparen(a)) if a is not None else None
        m = _FORMAT_SECRET.search(fmt_) if fmt_ is not None else None
        if m is None:
            continue
        printed = [unparen(x) for x in _printed_by(fmt_, m, args[i + 1:])]
        return bool(printed) and all(_generated_local(ctx, x) for x in printed)
    return False


def _generated_local(ctx, ident) -> bool:
    if ident is None or ident.type != "identifier":
        return False
    fi = ctx.funcs.enclosing(ident)
    if fi is None:
        return False
    values = [unparen(v) for v in ctx.pkg.assigned_from(fi.body, text(ident))]
    return bool(values) and all(v is not None and v.type == "call_expression" and _GENERATORS.match(
        text(v.child_by_field_name("function")).rsplit(".", 1)[-1]) for v in values)
