"""Logging (SG50x): unstructured output, missing request correlation,
secrets in log lines, formatted messages handed to structured loggers.

A *log call* is a call of a logging package function (std ``log``,
``fmt.Print*``, ``log/slog``, logrus, zerolog's global ``log``, zap's
``zap.L()``) or a logging method (``Info``, ``Errorw``, ``WithField``,
``Str``...) on a receiver whose name says it is a logger (``logger``,
``log``, ``l``, ``zap``, ``sugar``, ``entry``...).  Messages never quote
the logged values: only the names that gave them away.
"""

from __future__ import annotations

import re

from steadygo.findings import Severity
from steadygo.golang.facts import STRUCTURED_LOGGERS, module_facts
from steadygo.golang.parse import string_value, text, unparen
from steadygo.golang.rules.base import FileContext, GoRule, code_meta as _meta

SLOG = "log/slog"
ZAP = "go.uber.org/zap"
LOGRUS = "github.com/sirupsen/logrus"
ZEROLOG = "github.com/rs/zerolog"
ZEROLOG_LOG = "github.com/rs/zerolog/log"

_LEVELS = ("Debug", "Info", "Warn", "Warning", "Error", "Fatal", "Panic", "Trace", "Print")
_LOG_METHODS = frozenset(
    [f"{l}{s}" for l in _LEVELS for s in ("", "f", "w", "ln", "Context", "Fn")]
    + ["Log", "LogAttrs", "With", "WithField", "WithFields", "WithError", "Str", "Interface", "Any", "Msg", "Msgf",
       "Printf", "Println", "Print", "Fatalf", "Fatalln", "Panicf", "Panicln"]
)
_PKG_LOG_FUNCS = {
    "log": {"Print", "Printf", "Println", "Fatal", "Fatalf", "Fatalln", "Panic", "Panicf", "Panicln"},
    "fmt": {"Print", "Printf", "Println"},
    SLOG: {"Debug", "Info", "Warn", "Error", "DebugContext", "InfoContext", "WarnContext", "ErrorContext", "Log", "LogAttrs", "With"},
    LOGRUS: {f"{l}{s}" for l in _LEVELS for s in ("", "f", "ln")} | {"WithField", "WithFields", "WithError"},
    ZEROLOG_LOG: {"Debug", "Info", "Warn", "Error", "Fatal", "Panic", "Trace", "Print", "Printf", "Log"},
}
_LOGGER_RECV = re.compile(
    r"(?:^|[.(])(?:log|logger|lg|l|zl|zlog|zap|sugar|sugared|slog|entry|logEntry|lgr|Log|Logger|[A-Za-z]*Logger|[a-z]+Log)(?:\(\))?$"
)
LOGGING_IMPORTS = ("log", "fmt", SLOG, ZAP, LOGRUS, ZEROLOG, "github.com/go-kit", "github.com/go-logr", "github.com/hashicorp/go-hclog")




def _receiver_chain_root(node):
    """For ``log.Info().Str(...)`` chains, the innermost operand text."""
    while node is not None and node.type in ("call_expression", "selector_expression"):
        if node.type == "call_expression":
            node = node.child_by_field_name("function")
        else:
            node = node.child_by_field_name("operand")
    return node


def log_calls(ctx: FileContext):
    """(call, label) for every log call in the file; memoised per file."""

    def compute():
        f = ctx.file
        out = []
        if _LOG_CALL_HINT.search(f.source) is None:
            return out  # most files never log: skip the query
        for call in ctx.pkg.calls_in(f, *_LOG_NAMES):
            if call.child_by_field_name("function").type != "selector_expression":
                continue
            t = f.call_target(call)
            if t is not None:
                if t[1] in _PKG_LOG_FUNCS.get(t[0], ()):
                    out.append((call, f"{t[0].rsplit('/', 1)[-1]}.{t[1]}", t[0]))
                continue
            fn = call.child_by_field_name("function")
            if fn.type != "selector_expression":
                continue
            method = text(fn.child_by_field_name("field"))
            if method not in _LOG_METHODS:
                continue
            operand = fn.child_by_field_name("operand")
            root = _receiver_chain_root(operand)
            if root is not None and root.type == "identifier":
                path = f.package_of(root)
                if path is not None:
                    if path in (ZEROLOG_LOG, ZAP, LOGRUS, SLOG, ZEROLOG):
                        out.append((call, f"{text(root)}...{method}", path))
                    continue
            rtext = text(operand).replace(" ", "")
            if _LOGGER_RECV.search(rtext):
                out.append((call, f"{rtext}.{method}", ""))
        return out

    return ctx.pkg.memo(("logging.calls", ctx.file.path), compute)


# Log calls always have arguments: "(" followed by ")" is err.Error(), d.Info()...
_LOG_CALL_HINT = re.compile(
    rb"\.(?:Print|Printf|Println|Fatal|Fatalf|Fatalln|Panic|Panicf|Panicln|Debug\w*|Info\w*|Warn\w*|Error|Errorw|Errorln"
    rb"|(?<!fmt)\.Errorf|Log|LogAttrs|With|WithFields?|WithError|Str|Interface|Any|Msgf?|Trace\w*)\((?!\))"
)
_LOG_NAMES = sorted(_LOG_METHODS | {n for names in _PKG_LOG_FUNCS.values() for n in names})


# --------------------------------------------------------------------------


def _structured(ctx) -> list[str]:
    """Structured loggers the package, or else its module, imports."""
    own = [p for f in ctx.pkg.files for p in f.imports.paths if p in STRUCTURED_LOGGERS]
    if own or not ctx.pkg.module.root:
        return own
    m = module_facts(ctx.pkg.module.root, ctx.pkg.module.go_version, "imports")
    return m.loggers if m is not None else []


# Directories of command-line tools: cmd/..., etcdctl/..., kubectl/...
_CLI_DIR = re.compile(r"/(?:cmd|cli|tools?|hack|scripts?|examples?|_examples|demos?|\w*demo|\w+ctl|\w+-cli|runner)/")


def is_cli(ctx: FileContext) -> bool:
    """A main package, or a file under a command-line/example directory."""
    if ctx.file.package_name == "main":
        return True
    d = ctx.file.relpath.rsplit("/", 1)[0] if "/" in ctx.file.relpath else ""
    return _CLI_DIR.search("/" + d + "/") is not None


class UnstructuredLogInService(GoRule):
    meta = _meta(
        "SG501",
        "unstructured-log-in-service",
        Severity.INFO,
        "Lines written with fmt/log bypass the service's structured logger: no level, no request or trace id, and a JSON log pipeline files them as unparsable text, so they are missing exactly when someone searches for them.",
        "fmt.Print*/std log call in service code of a module that logs with a structured logger (slog, zap, zerolog, logrus).",
        status="preview",
    )
    requires_imports = ("log", "fmt")

    def check(self, ctx: FileContext) -> None:
        loggers = ctx.pkg.memo("logging.structured", lambda: _structured(ctx))
        if not loggers:
            return
        # log.Fatal*/Panic* end the process or goroutine: start-up failures and invariants, not log lines
        calls = [(c, label, p) for c, label, p in log_calls(ctx)
                 if p in ("log", "fmt") and label.split(".")[-1].startswith("Print")]
        if not calls:
            return
        cli = is_cli(ctx)
        for call, label, path in calls:
            fi = ctx.funcs.enclosing(call)
            in_handler = ctx.funcs.in_handler(call) is not None
            if cli and not in_handler:
                continue  # start-up and command output of main packages and command-line tools
            if path == "fmt" and not in_handler:
                continue  # stdout outside a handler is program output more often than logging
            if fi is not None and fi.name in ("init", "main") and fi.node.type == "function_declaration":
                continue
            if fi is not None and fi.node.type == "method_declaration" and (fi.name in _LOG_METHODS or fi.name == "Write"):
                continue  # a logger adapter forwarding to std log (Fatalf, Write for log.New)
            ctx.report(call, f"{label} in a service that logs with {loggers[0]}: this line has no level or fields and "
                       "breaks the JSON log stream; use the structured logger")


_CORRELATION = re.compile(r"(?i)request.?id|req.?id|trace.?id|span.?id|correlation|TraceID|RequestID")


class HandlerLogWithoutRequestContext(GoRule):
    meta = _meta(
        "SG502",
        "handler-log-without-request-context",
        Severity.INFO,
        "Log lines from concurrent requests interleave; without a request or trace id nobody can tell which lines belong to the failing request.",
        "Log call inside a request handler through a global logger, without the request context or a request/trace id field.",
        status="preview",
    )
    requires_imports = (SLOG, ZEROLOG_LOG, LOGRUS, ZAP)

    _GLOBAL = {
        SLOG: {"Debug", "Info", "Warn", "Error", "Log", "LogAttrs"},
        ZEROLOG_LOG: {"Debug", "Info", "Warn", "Error", "Trace", "Print", "Printf", "Log"},
        LOGRUS: {f"{l}{s}" for l in _LEVELS for s in ("", "f", "ln")},
    }

    _NAMES = sorted({n for names in _GLOBAL.values() for n in names} | {"Debug", "Info", "Warn", "Error"})

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for call in ctx.pkg.calls_in(f, *self._NAMES):
            t = f.call_target(call)
            allowed = self._GLOBAL.get(t[0], set()) if t is not None else set()
            if t is None:  # zap.L().Info(...): zap's global logger (zap.Error(...) is a field, not a log call)
                t = self._zap_global(f, call)
                allowed = {"Debug", "Info", "Warn", "Error"}
            if t is None or t[1] not in allowed:
                continue
            h = ctx.funcs.in_handler(call)
            if h is None:
                continue
            stmt = call
            while stmt.parent is not None and stmt.parent.type in ("call_expression", "selector_expression", "argument_list"):
                stmt = stmt.parent
            if _CORRELATION.search(text(stmt)) or ".Ctx(" in text(stmt) or "WithContext(" in text(stmt):
                continue
            fix = {SLOG: "slog.InfoContext(ctx, ...) with a handler that adds the trace id",
                   ZEROLOG_LOG: "zerolog.Ctx(ctx) or log.Ctx(ctx)",
                   LOGRUS: "logrus.WithContext(ctx) or a request-scoped entry",
                   ZAP: "a request-scoped logger (logger.With(zap.String(\"request_id\", ...)))"}[t[0]]
            ctx.report(call, f"log call in a handler with no request or trace id: concurrent requests' lines cannot be told "
                       f"apart; use {fix}")

    @staticmethod
    def _zap_global(f, call):
        fn = call.child_by_field_name("function")
        if fn.type != "selector_expression":
            return None
        op = unparen(fn.child_by_field_name("operand"))
        if op is not None and op.type == "call_expression" and f.call_target(op) in ((ZAP, "L"), (ZAP, "S")):
            return ZAP, text(fn.child_by_field_name("field"))
        return None


# --------------------------------------------------------------------------
# Secrets


def lowered(ctx: FileContext) -> bytes:
    """The file's source in lower case, shared by the secret rules."""
    return ctx.pkg.memo(("lowered", ctx.file.path), ctx.file.source.lower)

# (no "pwd": in Go code it is almost always the working directory)
_SECRET_WORDS = {"password", "passwd", "passwords", "secret", "secrets", "token", "tokens", "apikey", "authorization",
                 "cookie", "cookies", "dsn", "credential", "credentials", "creds", "privatekey", "accesskey", "secretkey",
                 "passphrase", "bearer", "jwt"}
_PAIRS = {("api", "key"), ("private", "key"), ("access", "key"), ("secret", "key"), ("client", "secret"), ("auth", "header")}
_BENIGN_WORDS = {"name", "names", "id", "ids", "type", "types", "count", "len", "length", "expiry", "expires", "expiration",
                 "expired", "ttl", "url", "uri", "path", "file", "filename", "hash", "hashed", "header", "source", "provider",
                 "manager", "store", "service", "client", "config", "cfg", "err", "error", "errors", "invalid", "missing",
                 "required", "valid", "validation", "empty", "format", "field", "param", "mode", "kind", "prefix", "max",
                 "min", "size", "policy", "rotation", "version", "set", "present", "ok", "exists", "endpoint", "key", "keys",
                 "reset", "changed", "change", "strength", "policy", "at", "age", "duration", "timeout", "limit", "used",
                 "type", "scope", "scopes", "issuer", "audience", "claims", "sub", "env", "var", "flag", "label", "mask",
                 "masked", "redacted", "sha", "sha256", "fingerprint", "digest", "len", "bytes", "lifetime", "refresh",
                 "cluster", "lookup", "kind", "pos", "position", "start", "end", "index", "idx"}
# Packages whose "token" is a lexer token, not a credential.
_LEXER_IMPORTS = ("go/token", "go/scanner", "text/scanner", "golang.org/x/net/html", "encoding/xml", "encoding/json",
                  "text/template/parse", "github.com/alecthomas/participle")
_IDENTIFIER_QUALIFIERS = {"cluster", "discovery", "balance", "balancer", "lb", "page", "pagination", "continuation",
                          "next", "idempotency", "sync", "cancel", "cancellation", "resume", "lexer", "parser"}
_WORD_SPLIT = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def words(name: str) -> list[str]:
    return [w.lower() for w in _WORD_SPLIT.findall(name)]


def secret_name(name: str) -> bool:
    """Does an identifier or key name denote a secret value (not its id,
    length, header name...)?"""
    ws = words(name)
    if not ws:
        return False
    hit = any(w in _SECRET_WORDS for w in ws) or any((a, b) in _PAIRS for a, b in zip(ws, ws[1:]))
    if not hit:
        return False
    # refresh_token is a secret; "token_refresh" (an event) is not; a cluster,
    # discovery, page or load-balance "token" is an identifier, not a credential
    if any(w in _IDENTIFIER_QUALIFIERS for w in ws):
        return False
    if ws[-1] in _SECRET_WORDS or (len(ws) > 1 and (ws[-2], ws[-1]) in _PAIRS):
        return True
    return not any(w in _BENIGN_WORDS for w in ws)


_FORMAT_SECRET = re.compile(r"(?i)\b(password|passwd|secret|token|api[_-]?key|authorization|cookie|dsn)\s*[=:]\s*%[-+# 0-9.]*[vsqdx]")
_SAFE_WRAPPERS = re.compile(r"(?i)^(len|mask\w*|redact\w*|hash\w*|sha\w*|fingerprint\w*|strings\.Repeat|bool)$")
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
            if _FORMAT_SECRET.search(s) and not all(_benign_arg(x) for x in args[i + 1:]):
                return f"a format string that prints {_FORMAT_SECRET.search(s).group(1)}"
            # "password", value pairs
            if len(s) <= 40 and re.fullmatch(r"[\w.\-]+", s or "-") and secret_name(s) and i + 1 < len(args):
                if not _value_is_safe(args[i + 1]):
                    return f"the field {s!r}"
            continue
        if a.type == "call_expression":
            t = f.call_target(a)
            inner = a.child_by_field_name("arguments").named_children
            if t is not None and t[0] == "net/http/httputil" and t[1].startswith("DumpRequest"):
                return "a full request dump (headers, cookies, body)"
            if t is not None and t[0] in (ZAP, SLOG) and len(inner) >= 2:
                key = string_value(inner[0])
                if key and secret_name(key) and not _value_is_safe(inner[1]):
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
                if key and secret_name(key) and not _value_is_safe(inner[1]):
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
                if key and secret_name(key) and not _value_is_safe(v):
                    return f"the field {key!r}"
            continue
        desc = _secret_expr(ctx, a)
        if desc:
            return desc
    return ""


def _benign_arg(a) -> bool:
    """An argument whose name says it is an id, name, length... of a secret."""
    last = re.split(r"[^A-Za-z0-9_]", text(a).strip())[-1] if text(a).strip() else ""
    ws = words(last)
    return bool(ws) and ws[-1] in _BENIGN_WORDS or _value_is_safe(a)


def _value_is_safe(v) -> bool:
    v = unparen(v)
    if v is None:
        return True
    if v.type == "literal_element":
        v = v.named_child(0)
    if v.type in ("interpreted_string_literal", "raw_string_literal", "int_literal", "true", "false", "nil", "binary_expression", "unary_expression"):
        return True
    if v.type == "call_expression":
        fn = text(v.child_by_field_name("function"))
        return bool(_SAFE_WRAPPERS.match(fn.rsplit(".", 1)[-1]) or _SAFE_WRAPPERS.match(fn))
    return False


def _lexer_token(ctx, name: str) -> bool:
    ws = words(name)
    if not ws or not all(w in ("token", "tokens", "tok") or w not in _SECRET_WORDS for w in ws):
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
    meta = _meta(
        "SG503",
        "secret-in-log",
        Severity.WARNING,
        "Log pipelines copy every line to many systems and people; a password, token or session cookie written once is readable by everyone with log access for the retention period.",
        "Log call that writes a value named like a password, token, secret, API key, cookie or DSN, or dumps request headers.",
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
            what = _secret_arguments(ctx, call.child_by_field_name("arguments"))
            if what:
                ctx.report(call, f"{label} logs {what}: log readers get the credential; log that it was present, "
                           "or a hash/last 4 characters, never the value")


# --------------------------------------------------------------------------


class FormattedMessageToStructuredLogger(GoRule):
    meta = _meta(
        "SG504",
        "formatted-message-to-structured-logger",
        Severity.INFO,
        "A message built with Sprintf or + is a new string for every value: log search and aggregation cannot group or filter by the embedded values, and the format work is paid even when the level is disabled.",
        "fmt.Sprintf or string concatenation passed as the message of a structured logger (slog, zap, zerolog Msg).",
    )
    requires_imports = (SLOG, ZAP, ZEROLOG, ZEROLOG_LOG)

    _STRUCTURED_METHODS = {"Debug", "Info", "Warn", "Error", "DebugContext", "InfoContext", "WarnContext", "ErrorContext", "Msg"}

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        imports_sugar_only = not (f.imports.imports(SLOG) or f.imports.imports(ZAP) or f.imports.imports_prefix(ZEROLOG))
        if imports_sugar_only:
            return
        for call, label, path in log_calls(ctx):
            fn = call.child_by_field_name("function")
            method = text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else ""
            if method not in self._STRUCTURED_METHODS:
                continue
            if path in ("log", "fmt", LOGRUS):
                continue
            if method == "Msg" and not f.imports.imports_prefix(ZEROLOG):
                continue
            if path == "" and not (f.imports.imports(SLOG) or f.imports.imports(ZAP)) and method != "Msg":
                continue
            args = call.child_by_field_name("arguments").named_children
            idx = 1 if method.endswith("Context") else 0
            if len(args) <= idx:
                continue
            msg = unparen(args[idx])
            how = ""
            if msg is not None and msg.type == "call_expression" and f.call_target(msg) == ("fmt", "Sprintf"):
                sargs = msg.child_by_field_name("arguments").named_children
                fi = ctx.funcs.enclosing(call)
                if sargs and sargs[0].type == "identifier" and fi is not None and any(p.name == text(sargs[0]) for p in fi.params):
                    continue  # a Printf-style adapter (Infof(format, args...)) has no fields to give
                how = "fmt.Sprintf"
            elif msg is not None and msg.type == "binary_expression" and text(msg.child_by_field_name("operator")) == "+":
                if any(string_value(x) is None for x in (msg.child_by_field_name("left"), msg.child_by_field_name("right"))):
                    how = "string concatenation"
            if how:
                ctx.report(msg, f"message built with {how} for {label}: values baked into the message cannot be "
                           "searched or grouped; use a constant message and key-value fields")


RULES = [UnstructuredLogInService(), HandlerLogWithoutRequestContext(), SecretInLog(), FormattedMessageToStructuredLogger()]
