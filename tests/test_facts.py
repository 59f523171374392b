"""Service facts: the structure the deploy checks and the report read."""

from __future__ import annotations

import json
import textwrap

from steadygo.cli import main as cli_main
from steadygo.commands.facts import collect
from steadygo.golang.facts import build_fq_name, health_kind, merge_facts

SERVICE = textwrap.dedent('''
    package main

    import (
        "context"
        "errors"
        "net/http"
        _ "net/http/pprof"
        "os"
        "os/signal"
        "runtime/debug"
        "syscall"
        "time"

        "github.com/gin-gonic/gin"
        "github.com/prometheus/client_golang/prometheus"
        "github.com/prometheus/client_golang/prometheus/promauto"
        _ "go.uber.org/automaxprocs"
    )

    const ns = "shop"
    const grace = 25 * time.Second

    var reqs = promauto.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: "http", Name: "requests_total", Help: "x"}, []string{"code"})
    var lat = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "lat_seconds"})

    func main() {
        debug.SetMemoryLimit(512 << 20)
        r := gin.New()
        r.GET("/livez", func(c *gin.Context) {})
        api := r.Group("/api")
        v1 := api.Group("/v1")
        v1.POST("/orders", func(c *gin.Context) {})
        mux := http.NewServeMux()
        mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {})
        srv := &http.Server{Addr: ":8080", Handler: r}
        go func() {
            if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
                panic(err)
            }
        }()
        go http.ListenAndServe(os.Getenv("DEBUG_ADDR"), nil)
        ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
        defer stop()
        <-ctx.Done()
        sctx, cancel := context.WithTimeout(context.Background(), grace+5*time.Second)
        defer cancel()
        srv.Shutdown(sctx)
    }
''')


def _facts(tmp_path):
    (tmp_path / "main.go").write_text(SERVICE)
    return collect([str(tmp_path)], base=str(tmp_path))


def test_routes_with_groups_and_patterns(tmp_path):
    f = _facts(tmp_path)
    assert [(r.method, r.path, r.framework) for r in f.routes] == [
        ("GET", "/livez", "gin"), ("POST", "/api/v1/orders", "gin"), ("GET", "/readyz", "net/http"),
    ]
    assert [(h.path, h.kind) for h in f.health_endpoints] == [("/livez", "liveness"), ("/readyz", "readiness")]


def test_listeners_shutdown_and_limits(tmp_path):
    f = _facts(tmp_path)
    assert [(l.call, l.addr, l.port, l.addr_source, l.handler) for l in f.listeners] == [
        ("Server.ListenAndServe", ":8080", 8080, "literal", "r"),
        ("http.ListenAndServe", None, None, "env:DEBUG_ADDR", "DefaultServeMux"),
    ]
    assert f.shutdown_timeout_seconds == 30.0
    assert [(s.kind, s.deadline) for s in f.shutdown_calls] == [("http", "timeout")]
    assert f.signals == ["SIGINT", "SIGTERM"]
    assert [m.kind for m in f.memory_limit] == ["debug.SetMemoryLimit"]
    assert [m.kind for m in f.gomaxprocs] == ["automaxprocs"]
    assert len(f.pprof) == 1


def test_metrics_joined_like_build_fq_name(tmp_path):
    f = _facts(tmp_path)
    assert [(m.name, m.type, m.vec, m.labels, m.help, m.buckets) for m in f.metrics] == [
        ("shop_http_requests_total", "counter", True, ["code"], "x", False),
        ("lat_seconds", "histogram", False, [], "", False),
    ]
    assert build_fq_name("", "", "x") == "x" and build_fq_name("a", "", "x") == "a_x" and build_fq_name("a", "b", "") == ""


def test_json_round_trip_and_merge(tmp_path):
    f = _facts(tmp_path)
    d = json.loads(json.dumps(f.to_dict()))
    assert d["shutdown_timeout_seconds"] == 30.0 and d["routes"][1]["path"] == "/api/v1/orders"
    both = merge_facts([f, f])
    assert len(both.routes) == 6 and both.signals == ["SIGINT", "SIGTERM"]


def test_health_kind():
    assert health_kind("/healthz") == "health" and health_kind("/api/ready/") == "readiness"
    assert health_kind("/users/{ready}") is None and health_kind("/orders") is None
    assert health_kind("/_status", {"/_status": "health"}) == "health"


def test_cli_facts_json(tmp_path, capsys):
    (tmp_path / "main.go").write_text(SERVICE)
    assert cli_main(["facts", str(tmp_path), "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["listeners"][0]["port"] == 8080
    assert cli_main(["facts", str(tmp_path)]) == 0
    assert "shutdown timeout: 30s" in capsys.readouterr().out


def test_cli_facts_missing_path_is_exit_2(tmp_path, capsys):
    (tmp_path / "main.go").write_text(SERVICE)
    assert cli_main(["facts", str(tmp_path), str(tmp_path / "nope"), "--format", "json"]) == 2
    out, err = capsys.readouterr()
    assert json.loads(out)["listeners"] and "no such file or directory" in err


GRPC_SERVICE = textwrap.dedent('''
    package main

    import (
        "net"

        grpc "google.golang.org/grpc"
        "google.golang.org/grpc/health"
        hv1 "google.golang.org/grpc/health/grpc_health_v1"
    )

    func main() {
        lis, _ := net.Listen("tcp", ":9090")
        s := grpc.NewServer()
        hs := health.NewServer()
        hv1.RegisterHealthServer(s, hs)
        _ = s.Serve(lis)
    }

    func other() {
        health := fake{}
        health.NewServer()   // a local value, not the package
        _ = httptest.NewServer(nil)
    }
''')


def test_grpc_server_and_health_service_facts_survive_the_cache_form(tmp_path):
    from steadygo.golang.facts import facts_from_dict

    (tmp_path / "go.mod").write_text("module example.com/g\n\ngo 1.24\n")
    (tmp_path / "main.go").write_text(GRPC_SERVICE)
    f = collect([str(tmp_path)], base=str(tmp_path))
    assert [(x.path, x.line) for x in f.grpc_servers] == [("main.go", 14)]
    assert [(x.path, x.line) for x in f.grpc_health] == [("main.go", 15), ("main.go", 16)]
    back = facts_from_dict(json.loads(json.dumps(f.to_dict())))
    assert back.grpc_servers == f.grpc_servers and back.grpc_health == f.grpc_health
    assert len(merge_facts([f, f]).grpc_health) == 4


REAL_SHAPES = '''package main

import (
	"context"
	"net/http"
	"os/signal"
	"path"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
)

type server struct{ prefix string }

func (s *server) prefixedPath(p string) string { return s.prefix + p }
func (s *server) handlerFor(name string) http.HandlerFunc { return nil }

type job struct{}

func (job) Run() {}

func main() {
	r := gin.Default()
	r.GET("/ping", func(c *gin.Context) {})
	go r.Run()
	var j job
	j.Run()
	s := &server{prefix: "/svc"}
	mux := http.NewServeMux()
	mux.HandleFunc(s.prefixedPath("/readyz"), func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc(path.Join(s.prefix, "/livez"), func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc(s.prefix+"/metrics", func(w http.ResponseWriter, r *http.Request) {})
	mux.Handle(s.handlerFor("/not-a-path-builder"), nil)
	srv := &http.Server{Addr: ":8081", Handler: mux, ReadHeaderTimeout: time.Second}
	go srv.ListenAndServe()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = ctx
	}()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	srv.Shutdown(ctx)
}
'''


def test_facts_on_shapes_real_services_use(tmp_path):
    (tmp_path / "go.mod").write_text("module example.com/real\n\ngo 1.24\n\nrequire github.com/gin-gonic/gin v1.10.0\n")
    (tmp_path / "main.go").write_text(REAL_SHAPES)
    f = collect([str(tmp_path)], base=str(tmp_path))
    # gin's bare Run() listens on $PORT or :8080; job.Run() is not a listener.
    assert [(l.call, l.addr, l.port, l.addr_source) for l in f.listeners] == [
        ("gin.Run", ":8080", 8080, "default"), ("Server.ListenAndServe", ":8081", 8081, "literal")]
    # Paths built by helpers are routes under their constant tail; a helper
    # whose name says nothing about paths is not guessed at.
    assert [r.path for r in f.routes] == ["/ping", "/readyz", "/livez", "/metrics"]
    assert [(h.path, h.kind) for h in f.health_endpoints] == [("/ping", "liveness"), ("/readyz", "readiness"), ("/livez", "liveness")]
    # The redeclared ctx reaching Shutdown is the 20 s one, not NotifyContext's
    # (no deadline) nor the 1 s one inside the goroutine.
    assert [(s.target, s.deadline, s.timeout_seconds) for s in f.shutdown_calls] == [("srv", "timeout", 20.0)]
