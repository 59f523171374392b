"""Deploy-layer rules (SG8xx): Kubernetes manifests."""

from steadygo.artifacts.rules.sg8_deploy.sg800_manifest_schema_violation import ManifestSchemaViolation
from steadygo.artifacts.rules.sg8_deploy.sg801_no_readiness_probe import NoReadinessProbe
from steadygo.artifacts.rules.sg8_deploy.sg802_no_liveness_probe import NoLivenessProbe
from steadygo.artifacts.rules.sg8_deploy.sg803_liveness_same_as_readiness import LivenessSameAsReadiness
from steadygo.artifacts.rules.sg8_deploy.sg804_liveness_probe_too_tight import LivenessProbeTooTight
from steadygo.artifacts.rules.sg8_deploy.sg805_no_resource_requests_or_limits import NoResourceRequests
from steadygo.artifacts.rules.sg8_deploy.sg806_memory_limit_without_gomemlimit import MemoryLimitWithoutGomemlimit
from steadygo.artifacts.rules.sg8_deploy.sg807_gomemlimit_without_headroom import GomemlimitWithoutHeadroom
from steadygo.artifacts.rules.sg8_deploy.sg808_single_replica_behind_service import SingleReplicaBehindService
from steadygo.artifacts.rules.sg8_deploy.sg809_rollout_allows_zero_ready_pods import RolloutAllowsZeroReadyPods
from steadygo.artifacts.rules.sg8_deploy.sg810_service_selects_no_workload import ServiceSelectsNoWorkload
from steadygo.artifacts.rules.sg8_deploy.sg811_hpa_target_missing import HpaTargetMissing
from steadygo.artifacts.rules.sg8_deploy.sg812_multiple_hpas_one_target import MultipleHpasOneTarget
from steadygo.artifacts.rules.sg8_deploy.sg813_cpu_limit_without_gomaxprocs import CpuLimitWithoutGomaxprocs
from steadygo.artifacts.rules.sg8_deploy.sg820_grace_period_shorter_than_shutdown import GracePeriodShorterThanShutdown
from steadygo.artifacts.rules.sg8_deploy.sg822_prestop_exec_missing_in_image import PreStopExecMissingInImage
from steadygo.artifacts.rules.sg8_deploy.sg823_probe_not_served_by_code import ProbeNotServedByCode
from steadygo.artifacts.rules.sg8_deploy.sg824_grpc_probe_without_health_service import GrpcProbeWithoutHealthService
from steadygo.artifacts.rules.sg8_deploy.sg825_gogc_off_without_memory_limit import GogcOffWithoutMemoryLimit
from steadygo.artifacts.rules.sg8_deploy.sg826_run_as_non_root_unverifiable import RunAsNonRootUnverifiable
from steadygo.artifacts.rules.sg8_deploy.sg827_sigterm_handler_never_runs import SigtermHandlerNeverRuns
from steadygo.artifacts.rules.sg8_deploy.sg828_connection_budget_exceeded import ConnectionBudgetExceeded
from steadygo.artifacts.rules.sg8_deploy.sg829_conn_lifetime_beyond_idle_timeout import ConnLifetimeBeyondIdleTimeout
from steadygo.artifacts.rules.sg8_deploy.sg821_probe_timeout_below_dependency_check import ProbeTimeoutBelowDependencyCheck
from steadygo.artifacts.rules.sg8_deploy.sg830_traffic_routed_to_terminating_pod import TrafficRoutedToTerminatingPod

RULES = [
    ManifestSchemaViolation(),
    NoReadinessProbe(),
    NoLivenessProbe(),
    LivenessSameAsReadiness(),
    LivenessProbeTooTight(),
    NoResourceRequests(),
    MemoryLimitWithoutGomemlimit(),
    GomemlimitWithoutHeadroom(),
    SingleReplicaBehindService(),
    RolloutAllowsZeroReadyPods(),
    ServiceSelectsNoWorkload(),
    HpaTargetMissing(),
    MultipleHpasOneTarget(),
    CpuLimitWithoutGomaxprocs(),
    GracePeriodShorterThanShutdown(),
    ProbeTimeoutBelowDependencyCheck(),
    PreStopExecMissingInImage(),
    ProbeNotServedByCode(),
    GrpcProbeWithoutHealthService(),
    GogcOffWithoutMemoryLimit(),
    RunAsNonRootUnverifiable(),
    SigtermHandlerNeverRuns(),
    ConnectionBudgetExceeded(),
    ConnLifetimeBeyondIdleTimeout(),
    TrafficRoutedToTerminatingPod(),
]
