"""Credentials embedded in string literals (URLs, DSNs, key=value pairs).
"""

from __future__ import annotations

import re

from steadygo.redact import MASK


# The host group looks through a Go MySQL driver address, so
# "mysql://root:secret@tcp(localhost:%s)/db" is judged on localhost.
URL_CREDS = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://([^:/@\s]+):([^@/\s]+)@(?:(?:tcp|unix)\()?([^/:?\s()]+)")
MYSQL_CREDS = re.compile(r"^([^:/@\s]+):([^@/\s]+)@(?:tcp|unix)\(([^):]*)")
KV_PASSWORD = re.compile(r"(?i)(?:^|\s)password\s*=\s*'?([^\s';]+)")
TOKEN_SHAPES = re.compile(r"^(?:AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|xox[abpr]-[A-Za-z0-9-]{10,}|sk_live_[A-Za-z0-9]{16,}|-----BEGIN (?:RSA |EC |OPENSSH )?PRIVATE KEY-----\s*[A-Za-z0-9+/=\s]{40,}.*)$", re.S)
LOCAL_HOSTS = re.compile(r"^(localhost|127\.0\.0\.1|0\.0\.0\.0|::1|\[::1\]|db|postgres|mysql|redis|example\.\w+|.*\.local|.*\.example|host)$")
# Placeholders, and the sample passwords documentation ships with (tomcat's
# "s3cret", Java's "changeit"): a default a user is told to replace.
PLACEHOLDER = re.compile(r"(?i)%[sdvq]|\{\{|\$\{|<[^>]+>|^x+$|^\*+$|^(changeme|changeit|redacted|placeholder|todo|none|null"
                         r"|dummy|example|s3cr[e3]t|passw0rd|my-?secret|my-?password|your[-_]?(password|secret|token))$")


def embedded_credentials(value: str) -> str:
    """Kind of credential embedded in a connection string, or ''."""
    m = URL_CREDS.match(value)
    if m and not PLACEHOLDER.search(m.group(2)) and not LOCAL_HOSTS.match(m.group(3)):
        return "a password in a connection URL"
    m = MYSQL_CREDS.match(value)
    if m and not PLACEHOLDER.search(m.group(2)) and not LOCAL_HOSTS.match(m.group(3) or "localhost"):
        return "a password in a MySQL DSN"
    m = KV_PASSWORD.search(value)
    if m and "host=" in value and not PLACEHOLDER.search(m.group(1)) and not re.search(r"host=(localhost|127\.0\.0\.1|db|postgres)\b", value):
        return "a password in a DSN"
    if TOKEN_SHAPES.match(value.strip()):
        return "a token or private key"
    return ""


def masked_line(file, lit) -> str:
    """The source line of a string literal with the literal replaced by the
    mask, so a reported snippet never carries the credential itself."""
    line = lit.start_point[0] + 1
    src = file.line_text(line)
    if lit.start_point[0] == lit.end_point[0]:
        a, b = lit.start_point[1], lit.end_point[1]
        raw = src.encode("utf-8")
        src = (raw[:a] + f'"{MASK}"'.encode() + raw[b:]).decode("utf-8", "replace")
    else:
        src = src[: lit.start_point[1]] + f'"{MASK}..."'
    return src.strip()
