from steadygo.golang.rules.sg6_operability.sg601_server_without_graceful_shutdown import ServerWithoutGracefulShutdown
from steadygo.golang.rules.sg6_operability.sg602_shutdown_without_deadline import ShutdownWithoutDeadline
from steadygo.golang.rules.sg6_operability.sg603_shutdown_deadline_shorter_than_write_timeout import ShutdownDeadlineTooShort
from steadygo.golang.rules.sg6_operability.sg604_server_closed_treated_as_failure import ServerClosedTreatedAsFailure
from steadygo.golang.rules.sg6_operability.sg605_readiness_not_failed_before_shutdown import ReadinessNotFailedBeforeShutdown
from steadygo.golang.rules.sg6_operability.sg610_pprof_exposed_on_public_listener import PprofOnPublicListener
from steadygo.golang.rules.sg6_operability.sg611_missing_health_endpoints import MissingHealthEndpoints
from steadygo.golang.rules.sg6_operability.sg612_readiness_checks_nothing import ReadinessChecksNothing
from steadygo.golang.rules.sg6_operability.sg613_liveness_checks_dependencies import LivenessChecksDependencies
from steadygo.golang.rules.sg6_operability.sg614_readiness_ignores_pool_saturation import ReadinessIgnoresPoolSaturation
from steadygo.golang.rules.sg6_operability.sg620_missing_memory_limit import MissingMemoryLimit
from steadygo.golang.rules.sg6_operability.sg621_gomaxprocs_ignores_cpu_quota import GomaxprocsNotContainerAware
from steadygo.golang.rules.sg6_operability.sg622_gc_off_without_memory_limit import GcOffWithoutMemoryLimit
from steadygo.golang.rules.sg6_operability.sg630_tracer_provider_never_shut_down import TracerProviderNotShutDown
from steadygo.golang.rules.sg6_operability.sg631_trace_propagator_not_set import NoTracePropagator
from steadygo.golang.rules.sg6_operability.sg632_always_sample_in_production import AlwaysSampleInProduction
from steadygo.golang.rules.sg6_operability.sg633_http_handlers_not_traced import HandlersNotInstrumented
from steadygo.golang.rules.sg6_operability.sg640_hard_coded_credentials import HardcodedCredentials
from steadygo.golang.rules.sg6_operability.sg641_config_read_without_validation import ConfigReadWithoutValidation

RULES = [
    ServerWithoutGracefulShutdown(),
    ShutdownWithoutDeadline(),
    ShutdownDeadlineTooShort(),
    ServerClosedTreatedAsFailure(),
    ReadinessNotFailedBeforeShutdown(),
    PprofOnPublicListener(),
    MissingHealthEndpoints(),
    ReadinessChecksNothing(),
    LivenessChecksDependencies(),
    ReadinessIgnoresPoolSaturation(),
    MissingMemoryLimit(),
    GomaxprocsNotContainerAware(),
    GcOffWithoutMemoryLimit(),
    TracerProviderNotShutDown(),
    NoTracePropagator(),
    AlwaysSampleInProduction(),
    HandlersNotInstrumented(),
    HardcodedCredentials(),
    ConfigReadWithoutValidation(),
]
