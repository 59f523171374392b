"""SG640 hard-coded-credentials.

Password, token, API key or DSN with credentials written as a string literal in service code.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.credentials import embedded_credentials, masked_line, PLACEHOLDER
from steadygo.golang.names import lowered, secret_name
from steadygo.golang.parse import captures, string_value, text
from steadygo.golang.roles import TEST_SUPPORT_DIR, fixture_file
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


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
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_HEADER_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*(-[A-Z][A-Za-z0-9]*)+$|^(Authorization|Cookie|Bearer|Basic)$")
_NAME_WORDS = re.compile(r"(?i)pass(word|wd)?|secret|token|key|auth|cred|cookie|session|dsn|jwt|bearer")


def _looks_like_credential(value: str, name: str) -> bool:
    if len(value) < 6 or " " in value.strip() or "\n" in value:
        return False
    if len(set(value)) < 6:
        return False  # "0000052D.", "2342000000...": a code or a placeholder, not a secret
    if "dsn" in name.lower():
        return False  # a DSN is a credential only with a password in it (embedded_credentials)
    # Secrets mix character classes; names, ids and modes do not.  A value
    # that spells a secret word is a name ("InvalidToken", "x-api-key").
    if not re.search(r"[0-9]", value) and not re.search(r"[^A-Za-z0-9_.:\-]", value):
        return False
    if _NAME_WORDS.search(re.sub(r"[^A-Za-z]", "", value)):
        return False
    if _ENV_NAME.match(value) or _HEADER_NAME.match(value) or PLACEHOLDER.search(value):
        return False
    if value.startswith(("/", "./", "../", "~/", "http://", "https://")) or value.endswith((".pem", ".key", ".json", ".yaml", ".txt")):
        return False
    lname = name.lower()
    if value.lower() in (lname, lname.replace("_", ""), "password", "secret", "token", "api_key", "apikey"):
        return False  # a form field or key name, not a value
    if re.fullmatch(r"[a-z]+(_[a-z]+)+|[a-z]+(\.[a-z]+)+|[a-z]+(-[a-z]+)+", value):
        return False  # identifier-shaped: a key, field or header name
    return True


class HardcodedCredentials(GoRule):
    meta = code_meta(
        id="SG640",
        name="hard-coded-credentials",
        severity=Severity.ERROR,
        status="preview",  # 0 of 10 judged true on the 46 real services (9 FP, 1 debatable): docs/rules/SG640.md
        breakpoint="A credential in source is in every clone, CI log, container image and fork; rotating it needs a redeploy, and a leak of the repository is a leak of production.",
        summary="Password, token, API key or DSN with credentials written as a string literal in service code.",
    )

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        if b'"' not in f.source and b"`" not in f.source:
            return
        if TEST_SUPPORT_DIR.search(ctx.module_dir) or fixture_file(f.relpath):
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
        ctx.report(lit, message, snippet=masked_line(ctx.file, lit))
