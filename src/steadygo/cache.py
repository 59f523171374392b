"""Content-addressed cache of per-package results.

The key covers everything a package's findings depend on: tool version, the
enabled rules and their options, the Go version in force, and every file's
path and content hash.  Values are JSON (never pickle: the cache directory is
not a place we trust to run code from).
"""

from __future__ import annotations

import hashlib
import json
import os

from steadygo import __version__
from steadygo.findings import Finding, Layer, Severity

SCHEMA = "1"


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "steadygo", f"v{SCHEMA}")


def package_key(settings_digest: str, files: list[tuple[str, bytes]]) -> str:
    h = hashlib.sha256()
    h.update(f"{__version__}\x00{settings_digest}\x00".encode())
    for relpath, data in files:
        h.update(relpath.encode("utf-8", "surrogateescape"))
        h.update(b"\x00")
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


def settings_digest(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _path(key: str) -> str:
    return os.path.join(cache_dir(), key[:2], key + ".json")


def load(key: str) -> dict | None:
    try:
        with open(_path(key), encoding="utf-8") as fh:
            data = json.load(fh)
        data["findings"] = [finding_from_dict(d) for d in data["findings"]]
        return data
    except (OSError, ValueError, KeyError, TypeError):
        return None


_made_dirs: set[str] = set()  # per process: a cold scan stores hundreds of entries


def store(key: str, findings: list[Finding], diagnostics: list[tuple[str, str, str]]) -> None:
    path = _path(key)
    try:
        d = os.path.dirname(path)
        if d not in _made_dirs:
            os.makedirs(d, exist_ok=True)
            _made_dirs.add(d)
        tmp = f"{path}.{os.getpid()}.tmp"
        body = json.dumps({"findings": [finding_to_dict(f) for f in findings], "diagnostics": diagnostics})
        try:
            fh = open(tmp, "w", encoding="utf-8")
        except FileNotFoundError:  # the directory went away since we made it
            os.makedirs(d, exist_ok=True)
            fh = open(tmp, "w", encoding="utf-8")
        with fh:
            fh.write(body)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only or full cache directory must never fail a scan


def finding_to_dict(f: Finding) -> dict:
    return {
        "rule_id": f.rule_id,
        "rule_name": f.rule_name,
        "severity": f.severity.label,
        "layer": f.layer.value,
        "path": f.path,
        "line": f.line,
        "col": f.col,
        "end_line": f.end_line,
        "end_col": f.end_col,
        "message": f.message,
        "snippet": f.snippet,
        "breakpoint": f.breakpoint,
        "fingerprint": f.fingerprint,
        "suppressed": f.suppressed,
        "extra": [list(kv) for kv in f.extra],
    }


def finding_from_dict(d: dict) -> Finding:
    return Finding(
        rule_id=d["rule_id"],
        rule_name=d["rule_name"],
        severity=Severity.parse(d["severity"]),
        layer=Layer(d["layer"]),
        path=d["path"],
        line=d["line"],
        col=d["col"],
        end_line=d.get("end_line", 0),
        end_col=d.get("end_col", 0),
        message=d["message"],
        snippet=d.get("snippet", ""),
        breakpoint=d.get("breakpoint", ""),
        fingerprint=d.get("fingerprint", ""),
        suppressed=d.get("suppressed"),
        extra=tuple(tuple(kv) for kv in d.get("extra", [])),
    )
