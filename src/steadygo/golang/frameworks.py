"""Import paths of the frameworks and libraries the rules recognise, in one place.
"""

from __future__ import annotations

GIN = "github.com/gin-gonic/gin"
ECHO_PATHS = ("github.com/labstack/echo/v4", "github.com/labstack/echo")
FIBER_PATHS = ("github.com/gofiber/fiber/v2", "github.com/gofiber/fiber/v3", "github.com/gofiber/fiber")
CHI = ("github.com/go-chi/chi/v5", "github.com/go-chi/chi")
GORILLA = "github.com/gorilla/mux"
GRPC = "google.golang.org/grpc"
PROMETHEUS = "github.com/prometheus/client_golang/prometheus"
PROMAUTO = "github.com/prometheus/client_golang/prometheus/promauto"
PROMHTTP = "github.com/prometheus/client_golang/prometheus/promhttp"
AUTOMEMLIMIT = "github.com/KimMachineGun/automemlimit"
AUTOMAXPROCS = "go.uber.org/automaxprocs"
VIPER = "github.com/spf13/viper"
CONTEXT = "context"
# (package, function) of the contexts that are never cancelled and have no deadline
ROOT_CONTEXTS = ((CONTEXT, "Background"), (CONTEXT, "TODO"))
# context constructors that hand back a cancel function
CANCELLABLE_CONTEXTS = ("WithCancel", "WithTimeout", "WithDeadline", "WithCancelCause", "WithTimeoutCause",
                        "WithDeadlineCause")
NET_HTTP = "net/http"
CONTEXT_FRAMEWORKS = (NET_HTTP, GIN, *ECHO_PATHS, *FIBER_PATHS, GRPC)
SQL = "database/sql"
SQLX = "github.com/jmoiron/sqlx"
PGX = "github.com/jackc/pgx"
GORM = ("gorm.io/gorm", "github.com/jinzhu/gorm")
REDIS = ("github.com/redis/go-redis", "github.com/go-redis/redis")
SQL_DRIVERS = ("database/sql", "github.com/jmoiron/sqlx", "github.com/jackc/pgx")
TIME = "time"
ERRGROUP = "golang.org/x/sync/errgroup"
SERVER_IMPORTS = ("net/http", GIN, *ECHO_PATHS, *FIBER_PATHS)
SLOG = "log/slog"
ZAP = "go.uber.org/zap"
LOGRUS = "github.com/sirupsen/logrus"
ZEROLOG = "github.com/rs/zerolog"
ZEROLOG_LOG = "github.com/rs/zerolog/log"
LOGGING_IMPORTS = ("log", "fmt", SLOG, ZAP, LOGRUS, ZEROLOG, "github.com/go-kit", "github.com/go-logr", "github.com/hashicorp/go-hclog")
PROMETHEUS_CLIENT = (PROMETHEUS, PROMAUTO)
OTEL = ("go.opentelemetry.io/otel",)
OTEL_SDKTRACE = "go.opentelemetry.io/otel/sdk/trace"
SQL_DRIVERS_AND_GORM = ("database/sql", "github.com/jmoiron/sqlx", "github.com/jackc/pgx", "gorm.io/gorm")
# Servers whose connections carry long-lived streams (SG103).
H2C = "golang.org/x/net/http2/h2c"
HTTP2 = "golang.org/x/net/http2"
CMUX = "github.com/soheilhy/cmux"
GRPC_GATEWAY_RUNTIME = ("github.com/grpc-ecosystem/grpc-gateway/v2/runtime", "github.com/grpc-ecosystem/grpc-gateway/runtime")
