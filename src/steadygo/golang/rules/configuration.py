"""Configuration (SG64x): credentials in source, configuration read without
validation.

Findings never carry the credential: the message names the variable or key,
and the snippet shows the line with the literal replaced by ``****``.
"""

from __future__ import annotations

import re

from steadygo.findings import Severity
from steadygo.golang.facts import extract_facts
from steadygo.golang.parse import captures, string_value, text, unparen
from steadygo.golang.rules.base import FileContext, GoRule, code_meta as _meta
from steadygo.golang.rules.logging import lowered, secret_name
from steadygo.redact import MASK

_NAMED_VALUES_Q = """
(keyed_element (literal_element (identifier) @name) (literal_element [(interpreted_string_literal) (raw_string_literal)] @value))
(keyed_element (literal_element (interpreted_string_literal) @name) (literal_element [(interpreted_string_literal) (raw_string_literal)] @value))
(const_spec name: (identifier) @name value: (expression_list . [(interpreted_string_literal) (raw_string_literal)] @value))
(var_spec name: (identifier) @name value: (expression_list . [(interpreted_string_literal) (raw_string_literal)] @value))
(short_var_declaration left: (expression_list . (identifier) @name) right: (expression_list . [(interpreted_string_literal) (raw_string_literal)] @value))
(assignment_statement left: (expression_list . [(identifier) (selector_expression)] @name) right: (expression_list . [(interpreted_string_literal) (raw_string_literal)] @value))
"""
_STRINGS_Q = "[(interpreted_string_literal) (raw_string_literal)] @s"
# Cheap byte searches that decide whether the queries are worth running.
# (each pass over the source costs, so few words: they cover password, passwd, secret,
# jwtSecret, clientSecret, token, credentials, creds, dsn, apiKey/api_key; private and
# access keys in source are caught by their shapes (PEM header, AKIA...) instead)
_SECRET_BYTES = (b"passw", b"secret", b"token", b"cred", b"dsn", b"apikey", b"api_key")
# one regex per shape, each with a literal prefix the regex engine can skip to;
# the two that need an '@' run only when the file has one (one memchr)
_AT_HINTS = (re.compile(rb"://[^\"`\s/@]+:[^\"`\s@/]+@"), re.compile(rb"@(?:tcp|unix)\("))
_EMBEDDED_HINTS = (re.compile(rb"AKIA[0-9A-Z]{16}"), re.compile(rb"PRIVATE KEY-----"), re.compile(rb"sk_live_"),
                   re.compile(rb"(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30}"), re.compile(rb"xox[abpr]-"))
_NAMED_HINT = re.compile(rb"(?:pass|pwd|secret|token|key|cred|dsn|jwt|bearer|cookie)[a-z0-9_]{0,40}\"?[ \t]*(?::=|=|:)[ \t]*[\"`]")  # on lowered source
_KV_HINT = re.compile(rb"password\s*=")

_URL_CREDS = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://([^:/@\s]+):([^@/\s]+)@([^/:?\s]+)")
_MYSQL_CREDS = re.compile(r"^([^:/@\s]+):([^@/\s]+)@(?:tcp|unix)\(([^):]*)")
_KV_PASSWORD = re.compile(r"(?i)(?:^|\s)password\s*=\s*'?([^\s';]+)")
_TOKEN_SHAPES = re.compile(r"^(?:AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|xox[abpr]-[A-Za-z0-9-]{10,}|sk_live_[A-Za-z0-9]{16,}|-----BEGIN (?:RSA |EC |OPENSSH )?PRIVATE KEY-----.*)$", re.S)
_LOCAL_HOSTS = re.compile(r"^(localhost|127\.0\.0\.1|0\.0\.0\.0|::1|\[::1\]|db|postgres|mysql|redis|example\.\w+|.*\.local|.*\.example|host)$")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_HEADER_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*(-[A-Z][A-Za-z0-9]*)+$|^(Authorization|Cookie|Bearer|Basic)$")
_PLACEHOLDER = re.compile(r"(?i)%[sdvq]|\{\{|\$\{|<[^>]+>|^x+$|^\*+$|^(changeme|redacted|placeholder|todo|none|null|dummy|example)$")




_NAME_WORDS = re.compile(r"(?i)pass(word|wd)?|secret|token|key|auth|cred|cookie|session|dsn|jwt|bearer")
_TEST_SUPPORT = re.compile(r"(^|/)(testutils?|testhelpers?|testing|mocks?|fakes?|testdata|integration|e2e|examples?|_examples?)(/|$)")


def _looks_like_credential(value: str, name: str) -> bool:
    if len(value) < 6 or " " in value.strip() or "\n" in value:
        return False
    # Secrets mix character classes; names, ids and modes do not.  A value
    # that spells a secret word is a name ("InvalidToken", "x-api-key").
    if not re.search(r"[0-9]", value) and not re.search(r"[^A-Za-z0-9_.:\-]", value):
        return False
    if _NAME_WORDS.search(re.sub(r"[^A-Za-z]", "", value)):
        return False
    if _ENV_NAME.match(value) or _HEADER_NAME.match(value) or _PLACEHOLDER.search(value):
        return False
    if value.startswith(("/", "./", "../", "~/", "http://", "https://")) or value.endswith((".pem", ".key", ".json", ".yaml", ".txt")):
        return False
    lname = name.lower()
    if value.lower() in (lname, lname.replace("_", ""), "password", "secret", "token", "api_key", "apikey"):
        return False  # a form field or key name, not a value
    if re.fullmatch(r"[a-z]+(_[a-z]+)+|[a-z]+(\.[a-z]+)+|[a-z]+(-[a-z]+)+", value):
        return False  # identifier-shaped: a key, field or header name
    return True


def embedded_credentials(value: str) -> str:
    """Kind of credential embedded in a connection string, or ''."""
    m = _URL_CREDS.match(value)
    if m and not _PLACEHOLDER.search(m.group(2)) and not _LOCAL_HOSTS.match(m.group(3)):
        return "a password in a connection URL"
    m = _MYSQL_CREDS.match(value)
    if m and not _PLACEHOLDER.search(m.group(2)) and not _LOCAL_HOSTS.match(m.group(3) or "localhost"):
        return "a password in a MySQL DSN"
    m = _KV_PASSWORD.search(value)
    if m and "host=" in value and not _PLACEHOLDER.search(m.group(1)) and not re.search(r"host=(localhost|127\.0\.0\.1|db|postgres)\b", value):
        return "a password in a DSN"
    if _TOKEN_SHAPES.match(value.strip()):
        return "a token or private key"
    return ""


class HardcodedCredentials(GoRule):
    meta = _meta(
        "SG640",
        "hard-coded-credentials",
        Severity.ERROR,
        "A credential in source is in every clone, CI log, container image and fork; rotating it needs a redeploy, and a leak of the repository is a leak of production.",
        "Password, token, API key or DSN with credentials written as a string literal in service code.",
    )

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        if b'"' not in f.source and b"`" not in f.source:
            return
        if _TEST_SUPPORT.search(ctx.module_dir):
            return  # test support and example code: fixtures, not deployed credentials
        reported: set[int] = set()
        low = lowered(ctx)
        named = any(w in low for w in _SECRET_BYTES) and _NAMED_HINT.search(low) is not None
        for m in captures(_NAMED_VALUES_Q, f.root).get("value", []) if named else ():
            parent = m.parent
            name_node = self._name_for(m)
            if name_node is None:
                continue
            name = string_value(name_node) if name_node.type == "interpreted_string_literal" else text(name_node).rsplit(".", 1)[-1]
            value = string_value(m)
            if not name or value is None or not secret_name(name):
                continue
            if not _looks_like_credential(value, name) and not embedded_credentials(value):
                continue
            reported.add(m.id)
            self._report(ctx, m, f"hard-coded {name}: the credential ships with the source and every image; read it from "
                         "the environment or a secret store at start-up")
            del parent
        src = f.source
        if (not (b"@" in src and any(h.search(src) for h in _AT_HINTS)) and not any(h.search(src) for h in _EMBEDDED_HINTS)
                and not (b"password" in low and _KV_HINT.search(low))):
            return
        for s in captures(_STRINGS_Q, f.root).get("s", []):
            if s.id in reported or s.parent is None or s.parent.type == "import_spec":
                continue
            value = string_value(s)
            if not value or len(value) < 12:
                continue
            kind = embedded_credentials(value)
            if kind:
                self._report(ctx, s, f"hard-coded connection string with {kind}: the credential ships with the source; "
                             "build the DSN from environment or secret-store values at start-up")

    @staticmethod
    def _name_for(value_node):
        """The key, field or variable a matched string literal is bound to."""
        p = value_node.parent
        if p is not None and p.type == "literal_element":
            kv = p.parent
            key = kv.named_child(0) if kv is not None else None
            key = key.named_child(0) if key is not None and key.type == "literal_element" else key
            return key
        if p is not None and p.type == "expression_list":
            stmt = p.parent
            if stmt is None:
                return None
            if stmt.type in ("const_spec", "var_spec"):
                names = stmt.children_by_field_name("name")
                return names[0] if names else None
            left = stmt.child_by_field_name("left")
            if left is not None and left.named_child_count:
                n = left.named_child(0)
                return n.child_by_field_name("field") if n.type == "selector_expression" else n
        return None

    @staticmethod
    def _report(ctx, lit, message):
        line = lit.start_point[0] + 1
        src = ctx.file.line_text(line)
        if lit.start_point[0] == lit.end_point[0]:
            a, b = lit.start_point[1], lit.end_point[1]
            raw = src.encode("utf-8")
            src = (raw[:a] + f'"{MASK}"'.encode() + raw[b:]).decode("utf-8", "replace")
        else:
            src = src[: lit.start_point[1]] + f'"{MASK}..."'
        ctx.report(lit, message, snippet=src.strip())


# --------------------------------------------------------------------------
# Configuration read without validation

VIPER = "github.com/spf13/viper"
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
    meta = _meta(
        "SG641",
        "config-read-without-validation",
        Severity.INFO,
        "A missing or misspelt variable in one environment starts the service with an empty DSN, port 0 or a zero timeout: it passes its probes and fails on the first real request, far from the cause.",
        "os.Getenv / os.LookupEnv / viper.Get* read and used with no emptiness or required-key check in the function or the package.",
        status="preview",
    )
    requires_imports = ("os", VIPER)

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        if b"Getenv" not in f.source and b"LookupEnv" not in f.source and b"viper" not in f.source:
            return
        d = ctx.module_dir
        if _TEST_SUPPORT.search(d) or _TEST_DIR.search(d) or f.relpath.endswith("_windows.go"):
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


RULES = [HardcodedCredentials(), ConfigReadWithoutValidation()]
