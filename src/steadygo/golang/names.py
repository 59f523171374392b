"""Identifier words and the names that hold secrets.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


def lowered(ctx: FileContext) -> bytes:
    """The file's source in lower case, shared by the secret rules."""
    return ctx.pkg.memo(("lowered", ctx.file.path), ctx.file.source.lower)


# (no "pwd": in Go code it is almost always the working directory)
SECRET_WORDS = {"password", "passwd", "passwords", "secret", "secrets", "token", "tokens", "apikey", "authorization",
                 "cookie", "cookies", "dsn", "credential", "credentials", "creds", "privatekey", "accesskey", "secretkey",
                 "passphrase", "bearer", "jwt"}


SECRET_PAIRS = {("api", "key"), ("private", "key"), ("access", "key"), ("secret", "key"), ("client", "secret"), ("auth", "header")}


BENIGN_WORDS = {"name", "names", "domain", "domains", "action", "message", "msg", "id", "ids", "type", "types", "count", "len", "length", "expiry", "expires", "expiration",
                 "expired", "ttl", "url", "uri", "path", "file", "filename", "hash", "hashed", "header", "source", "provider",
                 "manager", "store", "service", "client", "config", "cfg", "err", "error", "errors", "invalid", "missing",
                 "required", "valid", "validation", "empty", "format", "field", "param", "mode", "kind", "prefix", "max",
                 "min", "size", "policy", "rotation", "version", "set", "present", "ok", "exists", "endpoint", "key", "keys",
                 "reset", "changed", "change", "strength", "policy", "at", "age", "duration", "timeout", "limit", "used",
                 "type", "scope", "scopes", "issuer", "audience", "claims", "sub", "env", "var", "flag", "label", "mask",
                 "masked", "redacted", "sha", "sha256", "fingerprint", "digest", "len", "bytes", "lifetime", "refresh",
                 "cluster", "lookup", "kind", "pos", "position", "start", "end", "index", "idx", "connector", "connectors",
                 "grant", "number", "num", "total"}

# A name that starts with one of these counts things (NumberSecrets, numTokens,
# total_passwords) or states a flag about them (fallback_to_password,
# has_secret, use_token): its value is a number or a bool, never the secret.
# (fallbackPassword is a password; fallback_to_password is a flag.)
COUNT_OR_FLAG_PREFIXES = {"num", "number", "count", "total", "is", "has", "use", "uses", "enable", "enabled",
                          "allow", "require", "requires", "skip", "no"}


# Last words that hold the secret they follow (password_plain, token_value,
# tokenResp): a name ending in any other word names something else.
SECRET_CARRIERS = {"value", "val", "str", "string", "raw", "plain", "plaintext", "text", "data", "b64", "base64",
                   "encoded", "hex", "resp", "response", "req", "request", "body", "payload", "json", "pair", "pairs",
                   "bytes", "buf", "buffer", "in", "out", "input", "output", "arg", "args", "param", "params", "opt",
                   "opts", "option", "options", "conf", "settings", "env", "var", "vars", "map", "list", "cache",
                   "all", "new", "old", "current", "cur", "prev", "previous", "pem", "der", "blob", "content",
                   "contents", "material"}
IDENTIFIER_QUALIFIERS = {"cluster", "discovery", "balance", "balancer", "lb", "page", "pagination", "continuation",
                          "next", "idempotency", "sync", "cancel", "cancellation", "resume", "lexer", "parser"}
WORD_SPLIT = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def words(name: str) -> list[str]:
    return [w.lower() for w in WORD_SPLIT.findall(name)]


def secret_name(name: str) -> bool:
    """Does an identifier or key name denote a secret value (not its id,
    length, header name...)?"""
    ws = words(name)
    if not ws:
        return False
    hit = any(w in SECRET_WORDS for w in ws) or any((a, b) in SECRET_PAIRS for a, b in zip(ws, ws[1:]))
    if not hit:
        return False
    # refresh_token is a secret; "token_refresh" (an event) is not; a cluster,
    # discovery, page or load-balance "token" is an identifier, not a credential
    if any(w in IDENTIFIER_QUALIFIERS for w in ws):
        return False
    if len(ws) > 1 and (ws[0] in COUNT_OR_FLAG_PREFIXES or (ws[0] == "fallback" and ws[1] == "to")):
        return False
    if ws[-1] in SECRET_WORDS or (len(ws) > 1 and (ws[-2], ws[-1]) in SECRET_PAIRS):
        return True
    if ws[-1] not in SECRET_CARRIERS:
        # The last word names the thing: token_user is the user a token
        # belongs to, token_channel its channel (centrifugo), not the token.
        return False
    return not any(w in BENIGN_WORDS for w in ws)
