"""Content-addressed cache of per-package results.

The key covers everything a package's findings depend on: tool version and
the identity of the installed analysis code (a checkout between releases keeps
its version number while its rules change), the
rules of the pass and their options, the Go version in force, the module's
go.mod, the repository root the package's role is judged from, every file's
path and content hash, and (second pass) the digest of the module facts its
rules read.  Values are JSON (never pickle: the cache directory is not a place
we trust to run code from), carry a checksum over their body, and are
validated field by field on load: an entry that fails any check is a miss and
is rebuilt, never a wrong or empty result.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field

from steadygo import __version__
from steadygo.findings import Finding, finding_from_dict, finding_to_dict

SCHEMA = "11"  # 11: listen_defaults read tag defaults and SetDefault keys; 10: ServiceFacts.unreferenced_funcs/selected_names; 9: suppressions carry from_nolint; 8: Metric.registry; 7: ServiceFacts.error_checks/error_inspectors/error_returns; 6: ServiceFacts.import_edges/mains, Metric.registered; 5: ServiceFacts.unmodelled_servers; 4: ShutdownCall.readiness_flip, PoolSetting.library/default


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "steadygo", f"v{SCHEMA}")


_code_identity: str | None = None


def code_identity() -> str:
    """A digest of every Python file of the installed steadygo (path, size,
    mtime): editing a rule in a development checkout, or installing a newer
    commit under the same version number, must not serve results the old
    rules computed.  Stat only, no reads: a few hundred files cost about a
    millisecond, once per process."""
    global _code_identity
    if _code_identity is None:
        root = os.path.dirname(os.path.abspath(__file__))
        h = hashlib.sha256()
        for base, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(names):
                if name.endswith(".py"):
                    path = os.path.join(base, name)
                    try:
                        st = os.stat(path)
                    except OSError:
                        continue
                    h.update(f"{os.path.relpath(path, root)}\x00{st.st_size}\x00{st.st_mtime_ns}\x00".encode())
        _code_identity = h.hexdigest()
    return _code_identity


def package_key(settings_digest: str, files: list[tuple[str, bytes]]) -> str:
    h = hashlib.sha256()
    h.update(f"{__version__}\x00{code_identity()}\x00{settings_digest}\x00".encode())
    for relpath, data in files:
        h.update(relpath.encode("utf-8", "surrogateescape"))
        h.update(b"\x00")
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


def settings_digest(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class Entry:
    findings: list[Finding]
    diagnostics: list[tuple[str, str, str]]
    facts: object | None = None  # golang.facts.ServiceFacts
    pending: tuple[str, ...] = ()
    suppressions: list = field(default_factory=list)  # suppress.FileSuppressions


def _path(key: str) -> str:
    return os.path.join(cache_dir(), key[:2], key + ".json")


def _checksum(body: str) -> str:
    return hashlib.sha256(f"{__version__}\x00{body}".encode("utf-8", "surrogateescape")).hexdigest()


def load(key: str) -> Entry | None:
    """The entry under ``key``, or None when absent, unreadable, tampered with
    or malformed in any field."""
    try:
        with open(_path(key), encoding="utf-8", errors="surrogateescape") as fh:
            raw = fh.read(64 << 20)
        head, sep, body = raw.partition("\n")
        if not sep or head != _checksum(body):
            return None
        return _entry_from_dict(json.loads(body))
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None


def _entry_from_dict(d: dict) -> Entry:
    from steadygo.golang.facts import facts_from_dict
    from steadygo.suppress import FileSuppressions

    if not isinstance(d, dict) or set(d) != {"findings", "diagnostics", "facts", "pending", "suppressions"}:
        raise ValueError("not a cache entry")
    diags = []
    for item in d["diagnostics"]:
        if not (isinstance(item, list) and len(item) == 3 and all(isinstance(x, str) for x in item)):
            raise ValueError("bad diagnostic")
        diags.append(tuple(item))
    pending = d["pending"]
    if not (isinstance(pending, list) and all(isinstance(x, str) for x in pending)):
        raise ValueError("bad pending list")
    return Entry(
        findings=[finding_from_dict(x) for x in d["findings"]],
        diagnostics=diags,
        facts=facts_from_dict(d["facts"]) if d["facts"] is not None else None,
        pending=tuple(pending),
        suppressions=[FileSuppressions.from_dict(x) for x in d["suppressions"]],
    )


_made_dirs: set[str] = set()  # per process: a cold scan stores hundreds of entries


def store(key: str, entry: Entry) -> None:
    path = _path(key)
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        d = os.path.dirname(path)
        if d not in _made_dirs:
            os.makedirs(d, exist_ok=True)
            _made_dirs.add(d)
        body = json.dumps({
            "findings": [finding_to_dict(f) for f in entry.findings],
            "diagnostics": [list(x) for x in entry.diagnostics],
            "facts": entry.facts.to_dict() if entry.facts is not None else None,
            "pending": list(entry.pending),
            "suppressions": [s.to_dict() for s in entry.suppressions],
        })
        try:
            fh = open(tmp, "w", encoding="utf-8", errors="surrogateescape")
        except FileNotFoundError:  # the directory went away since we made it
            os.makedirs(d, exist_ok=True)
            fh = open(tmp, "w", encoding="utf-8", errors="surrogateescape")
        with fh:
            fh.write(_checksum(body) + "\n" + body)
        os.replace(tmp, path)
    except OSError:
        # a read-only or full cache directory must never fail a scan, nor
        # leave half-written temporary files behind
        try:
            os.unlink(tmp)
        except OSError:
            pass
