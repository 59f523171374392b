"""Keep secrets out of every report.

Snippets are copied from the user's source into text, JSON, SARIF and HTML
output.  Anything that looks like a credential is masked at the moment a
finding is created, so no reporter can leak it.
"""

from __future__ import annotations

import re

_SECRET_NAME = r"(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|apikey|auth(?:orization)?|credential|private[_-]?key|access[_-]?key|dsn|cookie)"
# name = "value" / name: "value" / "name", "value" (structured logging pairs)
_ASSIGNED = re.compile(
    r"(?i)(\b\w*" + _SECRET_NAME + r"\w*\b\"?\s*(?::=|=|:|,)\s*)(\"(?:[^\"\\]|\\.)*\"|`[^`]*`)"
)
# scheme://user:password@host
_URL_CREDS = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:/\s\"'`@]+:)([^@/\s\"'`]+)(@)")
# key=value pairs inside DSN strings: password=hunter2
_KV = re.compile(r"(?i)(\b(?:password|passwd|pwd|secret|token)\s*=\s*)([^\s\"'`;&]+)")
# Well-known token shapes
_TOKENS = re.compile(r"\b(?:AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|xox[abpr]-[A-Za-z0-9-]{10,}|sk_live_[A-Za-z0-9]{16,})\b")

MASK = "****"


def redact(text: str) -> str:
    if not text:
        return text
    out = _ASSIGNED.sub(lambda m: m.group(1) + _mask_literal(m.group(2)), text)
    out = _URL_CREDS.sub(lambda m: m.group(1) + MASK + m.group(3), out)
    out = _KV.sub(lambda m: m.group(1) + MASK, out)
    out = _TOKENS.sub(MASK, out)
    return out


def _mask_literal(lit: str) -> str:
    quote = lit[0]
    inner = lit[1:-1]
    if not inner:
        return lit
    return f"{quote}{MASK}{quote}"
