"""Keep secrets out of every report.

Snippets are copied from the user's source into text, JSON, SARIF and HTML
output.  Anything that looks like a credential is masked at the moment a
finding is created, so no reporter can leak it; and where a credential rule
recognised a secret on a line the patterns here missed, every finding on that
line is masked again by ``mask_credential_lines``.
"""

from __future__ import annotations

import re
from typing import Iterable

_SECRET_NAME = r"(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|apikey|auth(?:orization)?|credential|creds|private[_-]?key|access[_-]?key|dsn|cookie|jwt|bearer)"
# An identifier containing a secret name.  The lookahead finds the name and
# the possessive \w++ takes the whole word without backtracking: the plain
# \w*NAME\w* form is quadratic in the word's length (a line holding one
# 80,000-character identifier took minutes).
_SECRET_WORD = r"\b(?=\w*?" + _SECRET_NAME + r")\w++"
# name = "value" / name: "value" / "name", "value" (structured logging pairs)
_ASSIGNED = re.compile(
    r"(?i)(" + _SECRET_WORD + r"\"?\s*(?::=|=|:|,)\s*)(\"(?:[^\"\\]|\\.)*\"|`[^`]*`)"
)
# scheme://user:password@host.  Passwords are not always percent-encoded:
# 'P@ss' or 'wJal/rX' (an AWS-style key) appear as they are, so the password
# runs to the *last* '@' of the token; a port ('host:8080/x@y') is not one.
# Done by hand in _mask_url_userinfo: as one regex it is quadratic on a line
# like 'a-a-a-...' or 'http://http://...'.
_SCHEME_SEP = re.compile(r"(?<=[A-Za-z0-9+.-])://")
_USERINFO_USER = re.compile(r"[^:/\s\"'`@\[\]]*:")
_PORT = re.compile(r"\d+(?:[/?#]|\Z)")
# user:password@tcp(host) / @unix(path): go-sql-driver/mysql DSNs; the
# password may hold '/', '@' or ':', so it runs from the first ':' of the
# token to the '@tcp(' itself (see _mask_mysql: a regex that lazily scans
# from every 'word:' is quadratic on 'a:a:a:...').
_MYSQL_AT = re.compile(r"@(?:tcp6?|unix)\(")
_TOKEN_EDGES = frozenset(" \t\r\n\f\v\"'`")
# ?api_key=... &access_token=... client_secret=... in URLs, form bodies and
# query strings: no spaces around '=' (gofmt'd Go assignments have them).
_QUERY = re.compile(
    r"(?i)((?:^|(?<=[?&#;\"'`\s]))[\w.-]*(?:key|token|secret|passw(?:or)?d|pwd|signature|sig|credentials?|auth)=)"
    r"(?!%[sdvq])([^\s&#\"'`;=]+)"
)
# Slack incoming webhooks: the path is the credential.
_SLACK_WEBHOOK = re.compile(r"(hooks\.slack\.com/(?:services|workflows|triggers)/)([A-Za-z0-9/_-]+)")
# A credential written in a comment: "// password: hunter2", "/* token is x */".
# Searched only from the first comment opener on (see _mask_comment): a
# pattern that tries every '//' as a start is quadratic on a line of them.
_COMMENT_OPENER = re.compile(r"//|/\*")
_COMMENT_SECRET = re.compile(r"(?i)(" + _SECRET_WORD + r"\s*(?::|=|\bis\b)\s*)(?!\*\*\*\*)([^\s\"'`*]+)")
# key=value pairs inside DSN strings: password=hunter2
_KV = re.compile(r"(?i)(\b(?:password|passwd|pwd|secret|token)\s*=\s*)([^\s\"'`;&]+)")
# Well-known token shapes
_TOKENS = re.compile(r"\b(?:AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|xox[abpr]-[A-Za-z0-9-]{10,}|sk_live_[A-Za-z0-9]{16,})\b")

MASK = "****"


def redact(text: str) -> str:
    if not text:
        return text
    # Each guard is a character the pattern cannot match without: most
    # messages have no quote and no '=', and the two lookahead patterns cost
    # ~60 us a line (a tenth of a 2,400-finding run).
    out = text
    if '"' in out or "`" in out:
        out = _ASSIGNED.sub(lambda m: m.group(1) + _mask_literal(m.group(2)), out)
    out = _mask_url_userinfo(out)
    out = _mask_mysql(out)
    if "=" in out:
        out = _KV.sub(lambda m: m.group(1) + MASK, out)
        out = _QUERY.sub(lambda m: m.group(1) + MASK, out)
    if "hooks.slack.com/" in out:
        out = _SLACK_WEBHOOK.sub(lambda m: m.group(1) + MASK, out)
    out = _mask_comment(out)
    out = _TOKENS.sub(MASK, out)
    return out


# Rules whose finding means "a credential is written on this line".
CREDENTIAL_RULES = frozenset({"SG640", "SG503"})
# Go string literals (interpreted, raw, rune) and the rest of a line comment.
_LITERALS = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`|\'(?:[^\'\\\n]|\\.)*\'|//.*$|/\*.*?\*/', re.S)


def mask_literals(snippet: str) -> str:
    """``snippet`` with the content of every string literal and comment
    masked: whatever shape the secret has, it is in one of those."""
    def one(m: re.Match) -> str:
        tok = m.group()
        if tok.startswith("//"):
            return "// " + MASK
        if tok.startswith("/*"):
            return "/* " + MASK + " */"
        return tok[0] + MASK + tok[-1] if len(tok) > 2 else tok
    return _LITERALS.sub(one, snippet)


def mask_credential_lines(findings: Iterable) -> list:
    """Processor: when a credential rule reported a line, every finding on
    that line (its own included) gets its snippet's literals and comments
    masked, since the rule recognised a secret there that the patterns above
    may not have."""
    findings = list(findings)
    lines = {(f.path, f.line) for f in findings if f.rule_id in CREDENTIAL_RULES and f.line > 0}
    if not lines:
        return findings
    return [f.with_(snippet=mask_literals(f.snippet)) if (f.path, f.line) in lines and f.snippet else f
            for f in findings]


def _mask_url_userinfo(text: str) -> str:
    if "://" not in text:
        return text
    out, pos = [], 0
    token_end = last_at = -1  # of the token the previous '://' was in
    for m in _SCHEME_SEP.finditer(text):
        if m.start() < pos:
            continue  # inside the userinfo just masked
        user = _USERINFO_USER.match(text, m.end())
        if user is None:
            continue
        if m.start() >= token_end:
            token_end = m.end()
            while token_end < len(text) and text[token_end] not in _TOKEN_EDGES:
                token_end += 1
            last_at = text.rfind("@", m.end(), token_end)
        start = user.end()
        if last_at <= start or _PORT.match(text, start, last_at):
            continue
        out.append(text[pos:start] + MASK)
        pos = last_at
    out.append(text[pos:])
    return "".join(out)


def _mask_mysql(text: str) -> str:
    if "@" not in text:
        return text
    out, pos = [], 0
    for m in _MYSQL_AT.finditer(text):
        # Back from the '@' to the start of its token, never past the text
        # already handled: every character is looked at once.
        start = m.start()
        while start > pos and text[start - 1] not in _TOKEN_EDGES:
            start -= 1
        colon = text.find(":", start, m.start())
        if colon > start and colon + 1 < m.start():
            out.append(text[pos:colon + 1] + MASK + m.group())
        else:
            out.append(text[pos:m.end()])
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def _mask_comment(text: str) -> str:
    m = _COMMENT_OPENER.search(text)
    if m is None:
        return text
    start = m.start()
    return text[:start] + _COMMENT_SECRET.sub(lambda m: m.group(1) + MASK, text[start:])


def _mask_literal(lit: str) -> str:
    quote = lit[0]
    inner = lit[1:-1]
    if not inner:
        return lit
    return f"{quote}{MASK}{quote}"
