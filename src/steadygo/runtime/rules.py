"""Metadata of the runtime-evidence rules (SG9xx).

These rules only carry metadata: the analysers in this package (leaks,
heapcheck, gctrace, memstats) emit findings under these ids.  The list is
imported once, by ``steadygo.registry.all_rules()``.
"""

from __future__ import annotations

from steadygo.findings import Layer, Severity
from steadygo.registry import EvidenceRule, RuleMeta


def _rule(id: str, name: str, severity: Severity, breakpoint: str, summary: str, status: str = "stable") -> EvidenceRule:
    return EvidenceRule(RuleMeta(id=id, name=name, layer=Layer.RUNTIME, severity=severity,
                                 breakpoint=breakpoint, summary=summary, status=status))


LEAK_PROVEN = _rule(
    "SG901", "goroutine-leak-proven", Severity.ERROR,
    "goroutine leak",
    "The goroutineleak profile proves these goroutines can never be unblocked.")
BLOCKED_ON_CHANNEL = _rule(
    "SG902", "goroutines-blocked-on-channel", Severity.WARNING,
    "goroutine leak",
    "Many goroutines from one creation site are parked on a channel send or receive.")
STUCK_IN_SELECT = _rule(
    "SG903", "goroutines-stuck-in-select", Severity.WARNING,
    "goroutine leak",
    "Many goroutines from one creation site wait in a select (or an empty select) that never fires.")
STUCK_ON_LOCK = _rule(
    "SG904", "goroutines-stuck-on-lock", Severity.WARNING,
    "lock contention / deadlock",
    "Many goroutines wait on a mutex, sync.Cond, WaitGroup or semaphore.")
OUTBOUND_IO_WAIT = _rule(
    "SG905", "goroutines-waiting-on-outbound-io", Severity.WARNING,
    "missing client timeout",
    "Many goroutines wait on reads from outbound connections that do not answer.")
GOROUTINE_GROWTH = _rule(
    "SG906", "goroutine-count-growth", Severity.WARNING,
    "goroutine leak",
    "Between two dumps, goroutines from one creation site grew.")
GOROUTINE_PILE_UP = _rule(
    "SG907", "goroutine-pile-up", Severity.INFO,
    "goroutine leak",
    "A large bucket of goroutines parked in user code, state unknown (debug=1 or pprof dump).")
PROCESS_CRASHED = _rule(
    "SG908", "process-crashed", Severity.ERROR,
    "crash",
    "The dump starts with a panic or fatal error: the process died.")
DATA_RACE = _rule(
    "SG909", "data-race-reported", Severity.ERROR,
    "data race",
    "The race detector reported a data race in this output.")
DUMP_TRUNCATED = _rule(
    "SG910", "goroutine-dump-truncated", Severity.INFO,
    "observability gap",
    "The dump was cut off (the runtime caps debug=2 at 64 MiB); counts are lower bounds.")
HEAP_GLOBAL_MAP = _rule(
    "SG911", "heap-growth-under-map-insert", Severity.WARNING,
    "memory leak",
    "Live heap grows under map inserts from user code: an unbounded package-level map or cache.")
HEAP_READ_BUFFER = _rule(
    "SG912", "heap-retained-read-buffer", Severity.WARNING,
    "memory leak",
    "Live heap is held by whole-body read buffers (io.ReadAll, bufio, bytes.Buffer.ReadFrom); sub-slices keep them alive.")
HEAP_BUFFER_POOL = _rule(
    "SG913", "heap-growth-in-buffer-or-pool", Severity.WARNING,
    "memory leak",
    "Live heap grows inside bytes.Buffer growth or sync.Pool-allocated objects.")
HEAP_GROWTH = _rule(
    "SG914", "heap-growth-by-function", Severity.INFO,
    "memory leak",
    "Between two heap profiles, live heap allocated from one function grew the most.")
GC_THRASH = _rule(
    "SG921", "gc-thrash", Severity.ERROR,
    "memory limit / GC death spiral",
    "GC runs back to back while the heap stays near its goal or the memory limit.")
GC_HEAP_TREND = _rule(
    "SG922", "gc-live-heap-growing", Severity.WARNING,
    "memory leak",
    "Live heap after each GC keeps rising across the trace.")
GC_FORCED = _rule(
    "SG923", "gc-forced-cycles", Severity.INFO,
    "latency",
    "The trace shows forced GC cycles (runtime.GC or debug.FreeOSMemory).")
GC_LONG_PAUSE = _rule(
    "SG924", "gc-long-stop-the-world", Severity.WARNING,
    "latency",
    "A stop-the-world phase of a GC cycle took longer than the threshold.")
HEAP_NEAR_LIMIT = _rule(
    "SG931", "heap-near-memory-limit", Severity.WARNING,
    "OOM kill",
    "Memory obtained from the OS is close to GOMEMLIMIT or the container limit.")
GC_CPU_HIGH = _rule(
    "SG932", "gc-cpu-fraction-high", Severity.WARNING,
    "GC overhead",
    "The GC has used a large share of the process's CPU since start.")

RULES = [
    LEAK_PROVEN, BLOCKED_ON_CHANNEL, STUCK_IN_SELECT, STUCK_ON_LOCK, OUTBOUND_IO_WAIT, GOROUTINE_GROWTH,
    GOROUTINE_PILE_UP, PROCESS_CRASHED, DATA_RACE, DUMP_TRUNCATED,
    HEAP_GLOBAL_MAP, HEAP_READ_BUFFER, HEAP_BUFFER_POOL, HEAP_GROWTH,
    GC_THRASH, GC_HEAP_TREND, GC_FORCED, GC_LONG_PAUSE,
    HEAP_NEAR_LIMIT, GC_CPU_HIGH,
]
