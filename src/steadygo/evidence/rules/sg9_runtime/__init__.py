"""SG9xx: findings from runtime evidence (goroutine dumps, heap profiles,
gctrace, memstats, metric expositions, live probes), one rule per file: ``sg9NN_<name>.py`` holds the rule's
metadata, the function that words its finding, and where its fixtures are."""

from steadygo.evidence.rules.sg9_runtime.sg901_goroutine_leak_proven import LEAK_PROVEN
from steadygo.evidence.rules.sg9_runtime.sg902_goroutines_blocked_on_channel import BLOCKED_ON_CHANNEL
from steadygo.evidence.rules.sg9_runtime.sg903_goroutines_stuck_in_select import STUCK_IN_SELECT
from steadygo.evidence.rules.sg9_runtime.sg904_goroutines_stuck_on_lock import STUCK_ON_LOCK
from steadygo.evidence.rules.sg9_runtime.sg905_goroutines_waiting_on_outbound_io import OUTBOUND_IO_WAIT
from steadygo.evidence.rules.sg9_runtime.sg906_goroutine_count_growth import GOROUTINE_GROWTH
from steadygo.evidence.rules.sg9_runtime.sg907_goroutine_pile_up import GOROUTINE_PILE_UP
from steadygo.evidence.rules.sg9_runtime.sg908_process_crashed import PROCESS_CRASHED
from steadygo.evidence.rules.sg9_runtime.sg909_data_race_reported import DATA_RACE
from steadygo.evidence.rules.sg9_runtime.sg910_goroutine_dump_truncated import DUMP_TRUNCATED
from steadygo.evidence.rules.sg9_runtime.sg911_heap_growth_under_map_insert import HEAP_GLOBAL_MAP
from steadygo.evidence.rules.sg9_runtime.sg912_heap_retained_read_buffer import HEAP_READ_BUFFER
from steadygo.evidence.rules.sg9_runtime.sg913_heap_growth_in_buffer_or_pool import HEAP_BUFFER_POOL
from steadygo.evidence.rules.sg9_runtime.sg914_heap_growth_by_function import HEAP_GROWTH
from steadygo.evidence.rules.sg9_runtime.sg921_gc_thrash import GC_THRASH
from steadygo.evidence.rules.sg9_runtime.sg922_gc_live_heap_growing import GC_HEAP_TREND
from steadygo.evidence.rules.sg9_runtime.sg923_gc_forced_cycles import GC_FORCED
from steadygo.evidence.rules.sg9_runtime.sg924_gc_long_stop_the_world import GC_LONG_PAUSE
from steadygo.evidence.rules.sg9_runtime.sg931_heap_near_memory_limit import HEAP_NEAR_LIMIT
from steadygo.evidence.rules.sg9_runtime.sg932_gc_cpu_fraction_high import GC_CPU_HIGH
from steadygo.evidence.rules.sg9_runtime.sg941_exposed_metric_name_breaks_conventions import EXPOSED_NAME_CONVENTIONS
from steadygo.evidence.rules.sg9_runtime.sg942_exposed_metric_without_help import EXPOSED_WITHOUT_HELP
from steadygo.evidence.rules.sg9_runtime.sg943_metric_family_high_cardinality import FAMILY_HIGH_CARDINALITY
from steadygo.evidence.rules.sg9_runtime.sg944_metric_label_value_unbounded import LABEL_VALUE_UNBOUNDED
from steadygo.evidence.rules.sg9_runtime.sg945_histogram_too_few_buckets import HISTOGRAM_TOO_FEW_BUCKETS
from steadygo.evidence.rules.sg9_runtime.sg946_histogram_no_bucket_near_slo import HISTOGRAM_NO_BUCKET_NEAR_SLO
from steadygo.evidence.rules.sg9_runtime.sg951_no_health_endpoint_answers import NO_HEALTH_ENDPOINT
from steadygo.evidence.rules.sg9_runtime.sg952_health_endpoint_failing_or_slow import HEALTH_FAILING_OR_SLOW
from steadygo.evidence.rules.sg9_runtime.sg953_readiness_answers_like_liveness import READINESS_LIKE_LIVENESS
from steadygo.evidence.rules.sg9_runtime.sg954_health_body_leaks_internals import HEALTH_BODY_LEAKS
from steadygo.evidence.rules.sg9_runtime.sg961_pprof_reachable_on_probed_address import PPROF_REACHABLE
from steadygo.evidence.rules.sg9_runtime.sg962_expvar_reachable_on_probed_address import EXPVAR_REACHABLE
from steadygo.evidence.rules.sg9_runtime.sg971_slow_client_not_cut import SLOW_CLIENT_NOT_CUT
from steadygo.evidence.rules.sg9_runtime.sg972_idle_connection_not_closed import IDLE_NOT_CLOSED
from steadygo.evidence.rules.sg9_runtime.sg981_requests_failed_during_shutdown import REQUESTS_FAILED_DURING_SHUTDOWN
from steadygo.evidence.rules.sg9_runtime.sg982_readiness_not_failed_before_listener_closed import READINESS_NOT_FAILED_BEFORE_CLOSE
from steadygo.evidence.rules.sg9_runtime.sg983_drain_longer_than_grace_period import DRAIN_LONGER_THAN_GRACE_PERIOD
from steadygo.evidence.rules.sg9_runtime.sg984_sigterm_not_handled import SIGTERM_NOT_HANDLED
from steadygo.evidence.rules.sg9_runtime.sg985_goroutines_left_at_exit import GOROUTINES_LEFT_AT_EXIT
from steadygo.evidence.rules.sg9_runtime.sg991_outbound_call_hung_past_bound import OUTBOUND_CALL_HUNG
from steadygo.evidence.rules.sg9_runtime.sg992_retry_storm import RETRY_STORM

RULES = [
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
    EXPOSED_NAME_CONVENTIONS,
    EXPOSED_WITHOUT_HELP,
    FAMILY_HIGH_CARDINALITY,
    LABEL_VALUE_UNBOUNDED,
    HISTOGRAM_TOO_FEW_BUCKETS,
    HISTOGRAM_NO_BUCKET_NEAR_SLO,
    NO_HEALTH_ENDPOINT,
    HEALTH_FAILING_OR_SLOW,
    READINESS_LIKE_LIVENESS,
    HEALTH_BODY_LEAKS,
    PPROF_REACHABLE,
    EXPVAR_REACHABLE,
    SLOW_CLIENT_NOT_CUT,
    IDLE_NOT_CLOSED,
    REQUESTS_FAILED_DURING_SHUTDOWN,
    READINESS_NOT_FAILED_BEFORE_CLOSE,
    DRAIN_LONGER_THAN_GRACE_PERIOD,
    SIGTERM_NOT_HANDLED,
    GOROUTINES_LEFT_AT_EXIT,
    OUTBOUND_CALL_HUNG,
    RETRY_STORM,
]
