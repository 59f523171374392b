"""Read runtime.MemStats as published by expvar (``/debug/vars``) or dumped as
JSON, and compare what the process holds against its limits (SG931, SG932)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from steadygo.errors import UserError
from steadygo.findings import Finding
from steadygo.runtime import fetch
from steadygo.evidence.rules.sg9_runtime import sg931_heap_near_memory_limit as sg931
from steadygo.evidence.rules.sg9_runtime import sg932_gc_cpu_fraction_high as sg932

_REQUIRED = ("HeapAlloc", "HeapInuse", "Sys")
# The MemStats fields steadygo reads, all uint64 in Go; a hostile or broken
# /debug/vars can put anything there, so each is checked before use.
_COUNTERS = ("HeapAlloc", "HeapInuse", "HeapIdle", "HeapReleased", "HeapSys", "Sys", "StackInuse", "NextGC",
             "NumGC", "NumForcedGC", "HeapObjects", "PauseTotalNs")
_UINT64_MAX = (1 << 64) - 1
_PAUSES_MAX = 4096  # MemStats.PauseNs is a [256]uint64 ring


@dataclass
class MemStats:
    source: str
    raw: dict
    cmdline: list[str]

    def get(self, key: str, default=0):
        return self.raw.get(key, default)

    @property
    def runtime_total(self) -> int:
        # What GOMEMLIMIT counts, approximately: memory mapped by the runtime
        # minus what it returned to the OS.
        return int(self.get("Sys")) - int(self.get("HeapReleased"))


def _is_uint64(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= _UINT64_MAX


def _checked(ms: dict, source: str) -> dict:
    """``ms`` once the fields we read are type-checked (the others are kept
    as they are and never read)."""
    out = dict(ms)
    for key in _COUNTERS:
        if key not in ms:
            continue
        v = ms[key]
        if not _is_uint64(v):
            raise UserError(f"{source}: memstats {key} is {_shown(v)}, expected a whole number of 0 or more")
        out[key] = v
    if "GCCPUFraction" in ms:
        v = ms["GCCPUFraction"]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:  # also refuses NaN and inf
            raise UserError(f"{source}: memstats GCCPUFraction is {_shown(v)}, expected a fraction between 0 and 1")
        out["GCCPUFraction"] = float(v)
    pauses = ms.get("PauseNs")
    if pauses is None:
        out.pop("PauseNs", None)  # "PauseNs": null is no pauses, not a list to read
    else:
        if not isinstance(pauses, list) or len(pauses) > _PAUSES_MAX or not all(_is_uint64(p) for p in pauses):
            raise UserError(f"{source}: memstats PauseNs is not a list of nanosecond counts")
        out["PauseNs"] = pauses
    return out


def _shown(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "an object"
    text = repr(v) if isinstance(v, str) else str(v)
    return text if len(text) <= 40 else text[:37] + "..."


def parse(data: bytes, source: str) -> MemStats:
    if fetch.looks_like_html(data):
        raise UserError(f"{source}: this is an HTML page, not expvar JSON (is /debug/vars served?)")
    try:
        doc = json.loads(data.decode("utf-8-sig", errors="replace"))
    except json.JSONDecodeError as exc:
        raise UserError(f"{source}: not JSON ({exc.msg} at line {exc.lineno})") from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise UserError(f"{source}: not usable JSON ({exc})") from None
    except RecursionError:
        raise UserError(f"{source}: not usable JSON (nested too deeply)") from None
    if not isinstance(doc, dict):
        raise UserError(f"{source}: expected a JSON object with memstats")
    ms = doc.get("memstats", doc)
    if not isinstance(ms, dict) or not all(k in ms for k in _REQUIRED):
        raise UserError(f"{source}: no runtime.MemStats found (expected expvar /debug/vars or MemStats JSON)")
    cmd = doc.get("cmdline") if isinstance(doc.get("cmdline"), list) else []
    return MemStats(source=source, raw=_checked(ms, source), cmdline=[_arg(x) for x in cmd])


def _arg(x) -> str:
    # cmdline entries are strings in expvar; anything else is shown, bounded.
    return x if isinstance(x, str) else _shown(x)


def load(source: str, max_bytes: int, timeout: float) -> MemStats:
    art = fetch.read_artifact(source, max_bytes=max_bytes, timeout=timeout)
    return parse(art.data, source)


def summary(ms: MemStats) -> dict:
    pauses = [p for p in ms.get("PauseNs", []) if p]
    return {
        "heap_alloc": ms.get("HeapAlloc"), "heap_inuse": ms.get("HeapInuse"), "heap_idle": ms.get("HeapIdle"),
        "heap_released": ms.get("HeapReleased"), "heap_sys": ms.get("HeapSys"), "sys": ms.get("Sys"),
        "stack_inuse": ms.get("StackInuse"), "runtime_total": ms.runtime_total, "next_gc": ms.get("NextGC"),
        "num_gc": ms.get("NumGC"), "num_forced_gc": ms.get("NumForcedGC"), "heap_objects": ms.get("HeapObjects"),
        "gc_cpu_fraction": ms.get("GCCPUFraction", 0.0),
        "max_recent_pause_ns": max(pauses) if pauses else 0, "pause_total_ns": ms.get("PauseTotalNs"),
    }


def findings(ms: MemStats, memory_limit: int | None = None, container_limit: int | None = None,
             warn_at: float = 0.8, error_at: float = 0.95, gc_cpu_max: float = 0.10) -> list[Finding]:
    out: list[Finding] = []
    total = ms.runtime_total
    limits = [(n, v) for n, v in (("GOMEMLIMIT", memory_limit), ("container limit", container_limit)) if v]
    if limits:
        name, limit = min(limits, key=lambda t: t[1])
        if total / limit >= warn_at:
            out.append(sg931.finding(ms.source, total, ms.get("HeapInuse"), name, limit, error_at))
    frac = float(ms.get("GCCPUFraction", 0.0) or 0.0)
    if frac > gc_cpu_max:
        out.append(sg932.finding(ms.source, frac, ms.get("NumGC")))
    return out
