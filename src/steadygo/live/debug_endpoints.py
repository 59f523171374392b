"""pprof and expvar on the probed address (SG961, SG962).

A path "answers" only when the body is what the handler serves: the pprof
index names its profiles, /debug/vars is a JSON object with expvar's
standard variables.  A catch-all handler answering 200 to every path (an SPA,
a proxy's landing page) is not pprof."""

from __future__ import annotations

import json
import re

from steadygo.errors import UserError
from steadygo.evidence.rules.sg9_runtime import (sg961_pprof_reachable_on_probed_address as sg961,
                                                 sg962_expvar_reachable_on_probed_address as sg962)
from steadygo.live.outcome import Outcome
from steadygo.live.session import Session
from steadygo.runtime import goroutines

_PPROF_INDEX = re.compile(rb"Types of profiles available|/debug/pprof/goroutine|href=['\"]?goroutine\?debug=1")
_EXPVAR_KEYS = ("cmdline", "memstats")
_INDEX_CAP = 1 << 20


def pprof_base(path: str) -> str:
    return path if path.endswith("/") else path + "/"


def run(session: Session, pprof_path: str) -> Outcome:
    out = Outcome()
    base = pprof_base(pprof_path)
    index = session.get(base, max_bytes=min(_INDEX_CAP, session.max_bytes))
    if index is None:
        out.skipped.append(f"pprof: {session.last_error()}")
    else:
        out.checked.append("SG961")
        reachable = 200 <= index.status < 300 and bool(_PPROF_INDEX.search(bytes(index.data[:65536])))
        count = _goroutine_count(session, base) if reachable else None
        out.evidence["pprof"] = {"url": index.url, "status": index.status, "reachable": reachable,
                                 "goroutines": count}
        if reachable:
            out.findings.append(sg961.finding(index.url, count))
    vars_ = session.get("/debug/vars", accept="application/json", max_bytes=min(_INDEX_CAP, session.max_bytes))
    if vars_ is None:
        out.skipped.append(f"expvar: {session.last_error()}")
        return out
    out.checked.append("SG962")
    keys = _expvar_keys(vars_.data) if 200 <= vars_.status < 300 else None
    out.evidence["expvar"] = {"url": vars_.url, "status": vars_.status, "reachable": keys is not None}
    if keys is not None:
        out.findings.append(sg962.finding(vars_.url, keys))
    return out


def _goroutine_count(session: Session, base: str) -> int | None:
    r = session.get(base + "goroutine?debug=1")
    if r is None or r.status != 200:
        return None
    try:
        return goroutines.parse_bytes(bytes(r.data), r.url, session.max_bytes).total
    except UserError:
        return None


def _expvar_keys(data: bytes | bytearray) -> list[str] | None:
    try:
        doc = json.loads(bytes(data).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(doc, dict) or not any(k in doc for k in _EXPVAR_KEYS):
        return None
    return sorted(doc)
