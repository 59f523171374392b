"""What a health answer should not show: stack traces, versions, environment
values, connection strings, internal host names.  Each kind is a list of
patterns over the decoded body (its first 64 KiB: a health answer is short,
and a long one is no less leaky for being cut); the first pattern that
matches gives the example, masked (``redact``) and cut short before anyone
sees it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from steadygo.redact import redact

SCANNED = 64 << 10
_EXAMPLE = 60

# In the order kinds are reported; within a kind, the most telling first.
_KINDS: tuple[tuple[str, tuple[re.Pattern, ...]], ...] = (
    ("a stack trace", (re.compile(r"goroutine \d+ \[[a-z ]+\]:|^panic: |\.go:\d+ \+0x", re.M),
                       re.compile(r"Traceback \(most recent call last\)|\bat [\w.$]+\(\w+\.java:\d+\)"))),
    ("a connection string", (re.compile(r"\b(?:postgres(?:ql)?|mysql|mongodb(?:\+srv)?|rediss?|amqps?|mssql|"
                                        r"sqlserver|clickhouse)://[^\s\"'<>]+", re.I),)),
    ("environment values", (re.compile(r"(?<![\w.-])[A-Z][A-Z0-9]*_[A-Z0-9_]+\"?\s*[=:]\s*\"?[^\s\",}]+"),
                            re.compile(r"\"(?:env|environ|environment)\"\s*:\s*\{"))),
    ("internal host names", (re.compile(r"\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\."
                                        r"(?:internal|local|lan|corp|intranet|svc)\b", re.I),)),
    ("versions", (re.compile(r"\bgo1\.\d+(?:\.\d+)?\b"),
                  re.compile(r"\"(?:version|go_?version|build|commit|git_?sha|revision)\"\s*:\s*\"[^\"]+\"", re.I))),
)
# A credential in the body makes the finding an error: a user:password in a
# URL, or a secret-named key with a value.
_CREDENTIAL = re.compile(r"://[^\s/\"'@:]+:[^\s/\"'@]+@|(?i:pass(?:word|wd)?|secret|token|api_?key)\"?\s*[=:]\s*\"?"
                         r"[^\s\",}]{3,}")


@dataclass(frozen=True)
class Leak:
    kinds: list[str]
    examples: list[str]  # masked, one per kind
    credential: bool

    @property
    def version_only(self) -> bool:
        return self.kinds == ["versions"]


def scan(body: bytes | bytearray) -> Leak | None:
    text = bytes(body[:SCANNED]).decode("utf-8", "replace")
    kinds, examples = [], []
    for kind, patterns in _KINDS:
        m = next((m for m in (p.search(text) for p in patterns) if m), None)
        if m:
            kinds.append(kind)
            examples.append(_example(m.group(0)))
    if not kinds:
        return None
    return Leak(kinds=kinds, examples=examples, credential=bool(_CREDENTIAL.search(text)))


def _example(found: str) -> str:
    shown = redact(found.strip())
    return shown if len(shown) <= _EXAMPLE else shown[:_EXAMPLE - 3] + "..."
