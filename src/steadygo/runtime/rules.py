"""The runtime-evidence rules' metadata, re-exported for the analysers of this
package.  It lives in ``steadygo.evidence.rules.sg9_runtime`` so the registry
lists it without importing ``steadygo.runtime``."""

from __future__ import annotations

from steadygo.evidence.rules.sg9_runtime import (  # noqa: F401
    LEAK_PROVEN,
    BLOCKED_ON_CHANNEL,
    STUCK_IN_SELECT,
    STUCK_ON_LOCK,
    OUTBOUND_IO_WAIT,
    GOROUTINE_GROWTH,
    GOROUTINE_PILE_UP,
    PROCESS_CRASHED,
    DATA_RACE,
    DUMP_TRUNCATED,
    HEAP_GLOBAL_MAP,
    HEAP_READ_BUFFER,
    HEAP_BUFFER_POOL,
    HEAP_GROWTH,
    GC_THRASH,
    GC_HEAP_TREND,
    GC_FORCED,
    GC_LONG_PAUSE,
    HEAP_NEAR_LIMIT,
    GC_CPU_HIGH,
    RULES,
)
