"""Metadata of the runtime-evidence rules (SG9xx).

These rules only carry metadata: the analysers in ``steadygo.runtime`` (leaks,
heapcheck, gctrace, memstats) emit findings under these ids.  The list is
imported once, by ``steadygo.registry.all_rules()``.
"""

from __future__ import annotations

from steadygo.findings import Layer, Severity
from steadygo.rulemeta import EvidenceRule, RuleMeta

LEAK_PROVEN = EvidenceRule(RuleMeta(
    id="SG901",
    name="goroutine-leak-proven",
    layer=Layer.RUNTIME,
    severity=Severity.ERROR,
    breakpoint="goroutine leak",
    summary="The goroutineleak profile proves these goroutines can never be unblocked.",
))

BLOCKED_ON_CHANNEL = EvidenceRule(RuleMeta(
    id="SG902",
    name="goroutines-blocked-on-channel",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="goroutine leak",
    summary="Many goroutines from one creation site are parked on a channel send or receive.",
))

STUCK_IN_SELECT = EvidenceRule(RuleMeta(
    id="SG903",
    name="goroutines-stuck-in-select",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="goroutine leak",
    summary="Many goroutines from one creation site wait in a select (or an empty select) that never fires.",
))

STUCK_ON_LOCK = EvidenceRule(RuleMeta(
    id="SG904",
    name="goroutines-stuck-on-lock",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="lock contention / deadlock",
    summary="Many goroutines wait on a mutex, sync.Cond, WaitGroup or semaphore.",
))

OUTBOUND_IO_WAIT = EvidenceRule(RuleMeta(
    id="SG905",
    name="goroutines-waiting-on-outbound-io",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="missing client timeout",
    summary="Many goroutines wait on reads from outbound connections that do not answer.",
))

GOROUTINE_GROWTH = EvidenceRule(RuleMeta(
    id="SG906",
    name="goroutine-count-growth",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="goroutine leak",
    summary="Between two dumps, goroutines from one creation site grew.",
))

GOROUTINE_PILE_UP = EvidenceRule(RuleMeta(
    id="SG907",
    name="goroutine-pile-up",
    layer=Layer.RUNTIME,
    severity=Severity.INFO,
    breakpoint="goroutine leak",
    summary="A large bucket of goroutines parked in user code, state unknown (debug=1 or pprof dump).",
))

PROCESS_CRASHED = EvidenceRule(RuleMeta(
    id="SG908",
    name="process-crashed",
    layer=Layer.RUNTIME,
    severity=Severity.ERROR,
    breakpoint="crash",
    summary="The dump starts with a panic or fatal error: the process died.",
))

DATA_RACE = EvidenceRule(RuleMeta(
    id="SG909",
    name="data-race-reported",
    layer=Layer.RUNTIME,
    severity=Severity.ERROR,
    breakpoint="data race",
    summary="The race detector reported a data race in this output.",
))

DUMP_TRUNCATED = EvidenceRule(RuleMeta(
    id="SG910",
    name="goroutine-dump-truncated",
    layer=Layer.RUNTIME,
    severity=Severity.INFO,
    breakpoint="observability gap",
    summary="The dump was cut off (the runtime caps debug=2 at 64 MiB); counts are lower bounds.",
))

HEAP_GLOBAL_MAP = EvidenceRule(RuleMeta(
    id="SG911",
    name="heap-growth-under-map-insert",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="memory leak",
    summary="Live heap grows under map inserts from user code: an unbounded package-level map or cache.",
))

HEAP_READ_BUFFER = EvidenceRule(RuleMeta(
    id="SG912",
    name="heap-retained-read-buffer",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="memory leak",
    summary="Live heap is held by whole-body read buffers (io.ReadAll, bufio, bytes.Buffer.ReadFrom); sub-slices keep them alive.",
))

HEAP_BUFFER_POOL = EvidenceRule(RuleMeta(
    id="SG913",
    name="heap-growth-in-buffer-or-pool",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="memory leak",
    summary="Live heap grows inside bytes.Buffer growth or sync.Pool-allocated objects.",
))

HEAP_GROWTH = EvidenceRule(RuleMeta(
    id="SG914",
    name="heap-growth-by-function",
    layer=Layer.RUNTIME,
    severity=Severity.INFO,
    breakpoint="memory leak",
    summary="Between two heap profiles, live heap allocated from one function grew the most.",
))

GC_THRASH = EvidenceRule(RuleMeta(
    id="SG921",
    name="gc-thrash",
    layer=Layer.RUNTIME,
    severity=Severity.ERROR,
    breakpoint="memory limit / GC death spiral",
    summary="GC runs back to back while the heap stays near its goal or the memory limit.",
))

GC_HEAP_TREND = EvidenceRule(RuleMeta(
    id="SG922",
    name="gc-live-heap-growing",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="memory leak",
    summary="Live heap after each GC keeps rising across the trace.",
))

GC_FORCED = EvidenceRule(RuleMeta(
    id="SG923",
    name="gc-forced-cycles",
    layer=Layer.RUNTIME,
    severity=Severity.INFO,
    breakpoint="latency",
    summary="The trace shows forced GC cycles (runtime.GC or debug.FreeOSMemory).",
))

GC_LONG_PAUSE = EvidenceRule(RuleMeta(
    id="SG924",
    name="gc-long-stop-the-world",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="latency",
    summary="A stop-the-world phase of a GC cycle took longer than the threshold.",
))

HEAP_NEAR_LIMIT = EvidenceRule(RuleMeta(
    id="SG931",
    name="heap-near-memory-limit",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="OOM kill",
    summary="Memory obtained from the OS is close to GOMEMLIMIT or the container limit.",
))

GC_CPU_HIGH = EvidenceRule(RuleMeta(
    id="SG932",
    name="gc-cpu-fraction-high",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="GC overhead",
    summary="The GC has used a large share of the process's CPU since start.",
))

RULES = [
    LEAK_PROVEN, BLOCKED_ON_CHANNEL, STUCK_IN_SELECT, STUCK_ON_LOCK, OUTBOUND_IO_WAIT, GOROUTINE_GROWTH,
    GOROUTINE_PILE_UP, PROCESS_CRASHED, DATA_RACE, DUMP_TRUNCATED,
    HEAP_GLOBAL_MAP, HEAP_READ_BUFFER, HEAP_BUFFER_POOL, HEAP_GROWTH,
    GC_THRASH, GC_HEAP_TREND, GC_FORCED, GC_LONG_PAUSE,
    HEAP_NEAR_LIMIT, GC_CPU_HIGH,
]
