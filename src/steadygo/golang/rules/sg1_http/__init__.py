from steadygo.golang.rules.sg1_http.sg101_server_without_any_timeout import ServerWithoutAnyTimeout
from steadygo.golang.rules.sg1_http.sg102_server_without_read_header_timeout import ServerWithoutReadHeaderTimeout
from steadygo.golang.rules.sg1_http.sg103_server_without_write_timeout import ServerWithoutWriteTimeout
from steadygo.golang.rules.sg1_http.sg104_server_without_idle_timeout import ServerWithoutIdleTimeout
from steadygo.golang.rules.sg1_http.sg105_http_client_without_timeout import ClientWithoutTimeout
from steadygo.golang.rules.sg1_http.sg106_outbound_request_without_caller_context import OutboundRequestWithoutCallerContext
from steadygo.golang.rules.sg1_http.sg107_transport_without_timeouts import TransportWithoutTimeouts
from steadygo.golang.rules.sg1_http.sg108_transport_default_max_idle_conns_per_host import TransportDefaultIdleConnsPerHost
from steadygo.golang.rules.sg1_http.sg109_transport_created_per_request import TransportPerRequest

RULES = [
    ServerWithoutAnyTimeout(),
    ServerWithoutReadHeaderTimeout(),
    ServerWithoutWriteTimeout(),
    ServerWithoutIdleTimeout(),
    ClientWithoutTimeout(),
    OutboundRequestWithoutCallerContext(),
    TransportWithoutTimeouts(),
    TransportDefaultIdleConnsPerHost(),
    TransportPerRequest(),
]
