from steadygo.golang.rules.sg5_observability.sg501_unstructured_log_in_service import UnstructuredLogInService
from steadygo.golang.rules.sg5_observability.sg502_handler_log_without_request_context import HandlerLogWithoutRequestContext
from steadygo.golang.rules.sg5_observability.sg503_secret_in_log import SecretInLog
from steadygo.golang.rules.sg5_observability.sg504_formatted_message_to_structured_logger import FormattedMessageToStructuredLogger
from steadygo.golang.rules.sg5_observability.sg510_metric_name_breaks_conventions import MetricNameBreaksConventions
from steadygo.golang.rules.sg5_observability.sg511_metric_without_help import MetricWithoutHelp
from steadygo.golang.rules.sg5_observability.sg512_invalid_metric_name import InvalidMetricName
from steadygo.golang.rules.sg5_observability.sg513_metric_name_encodes_label_or_quantile import MetricNameEncodesLabel
from steadygo.golang.rules.sg5_observability.sg514_duplicate_metric_name import DuplicateMetricName
from steadygo.golang.rules.sg5_observability.sg515_unbounded_metric_label import UnboundedMetricLabel
from steadygo.golang.rules.sg5_observability.sg516_metric_label_from_request_data import MetricLabelFromRequest
from steadygo.golang.rules.sg5_observability.sg517_histogram_default_buckets import HistogramDefaultBuckets
from steadygo.golang.rules.sg5_observability.sg518_metrics_endpoint_without_request_metrics import ServiceWithoutRequestMetrics

RULES = [
    UnstructuredLogInService(),
    HandlerLogWithoutRequestContext(),
    SecretInLog(),
    FormattedMessageToStructuredLogger(),
    MetricNameBreaksConventions(),
    MetricWithoutHelp(),
    InvalidMetricName(),
    MetricNameEncodesLabel(),
    DuplicateMetricName(),
    UnboundedMetricLabel(),
    MetricLabelFromRequest(),
    HistogramDefaultBuckets(),
    ServiceWithoutRequestMetrics(),
]
