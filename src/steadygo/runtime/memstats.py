"""Read runtime.MemStats as published by expvar (``/debug/vars``) or dumped as
JSON, and compare what the process holds against its limits (SG931, SG932)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from steadygo.errors import UserError
from steadygo.findings import Finding, Severity
from steadygo.runtime import fetch
from steadygo.runtime import rules as R

_REQUIRED = ("HeapAlloc", "HeapInuse", "Sys")


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


def parse(data: bytes, source: str) -> MemStats:
    if fetch.looks_like_html(data):
        raise UserError(f"{source}: this is an HTML page, not expvar JSON (is /debug/vars served?)")
    try:
        doc = json.loads(data.decode("utf-8", errors="replace"))
    except json.JSONDecodeError as exc:
        raise UserError(f"{source}: not JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(doc, dict):
        raise UserError(f"{source}: expected a JSON object with memstats")
    ms = doc.get("memstats", doc)
    if not isinstance(ms, dict) or not all(k in ms for k in _REQUIRED):
        raise UserError(f"{source}: no runtime.MemStats found (expected expvar /debug/vars or MemStats JSON)")
    cmd = doc.get("cmdline") if isinstance(doc.get("cmdline"), list) else []
    return MemStats(source=source, raw=ms, cmdline=[str(x) for x in cmd])


def load(source: str, max_bytes: int, timeout: float) -> MemStats:
    art = fetch.read_artifact(source, max_bytes=max_bytes, timeout=timeout)
    return parse(art.data, source)


def summary(ms: MemStats) -> dict:
    pauses = [p for p in ms.get("PauseNs", []) or [] if p]
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
        share = total / limit
        if share >= warn_at:
            m = R.HEAP_NEAR_LIMIT.meta
            sev = Severity.ERROR if share >= error_at else m.severity
            out.append(Finding(rule_id=m.id, rule_name=m.name, severity=sev, layer=m.layer, path=ms.source, line=0,
                               col=0, breakpoint=m.breakpoint,
                               message=(f"runtime holds {total / 2**20:,.1f} MiB (Sys - HeapReleased; heap in use "
                                        f"{ms.get('HeapInuse') / 2**20:,.1f} MiB), {share:.0%} of the {name} of "
                                        f"{limit / 2**20:,.0f} MiB")))
    frac = float(ms.get("GCCPUFraction", 0.0) or 0.0)
    if frac > gc_cpu_max:
        m = R.GC_CPU_HIGH.meta
        out.append(Finding(rule_id=m.id, rule_name=m.name, severity=m.severity, layer=m.layer, path=ms.source, line=0,
                           col=0, breakpoint=m.breakpoint,
                           message=f"GC has used {frac:.1%} of the CPU since start ({ms.get('NumGC'):,} cycles)"))
    return out
