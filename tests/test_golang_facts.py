"""Import resolution, shadowing, handler detection and value tracing."""

from steadygo.golang.functions import FunctionIndex
from steadygo.golang.module import read_go_mod
from steadygo.golang.parse import captures, text
from steadygo.golang.source import GoFile


def gofile(src: str) -> GoFile:
    return GoFile("/x/main.go", "main.go", src.encode())


def test_import_forms():
    f = gofile('package p\nimport (\n h "net/http"\n . "fmt"\n _ "net/http/pprof"\n "github.com/labstack/echo/v4"\n "gopkg.in/yaml.v3"\n "github.com/go-chi/chi/v5"\n)\n')
    t = f.imports
    assert t.by_name == {"h": "net/http", "echo": "github.com/labstack/echo/v4", "yaml": "gopkg.in/yaml.v3", "chi": "github.com/go-chi/chi/v5"}
    assert t.dot == ["fmt"] and t.blank == ["net/http/pprof"]
    assert t.imports_prefix("net/http") and t.imports_prefix("net") and not t.imports_prefix("ne")
    assert not t.imports_prefix("database/sql")


def _calls(f):
    return [(c.start_point[0] + 1, f.call_target(c)) for c in captures("(call_expression) @c", f.root)["c"]]


def test_shadowing_by_local_and_param():
    f = gofile('''package p
import "net/http"
func a() { http.Get("x") }
func b() { http := client{}; http.Get("x") }
func c(http *client) { http.Get("x") }
func d() {
	if true { http := 1; _ = http }
	http.Get("x")
}
func e() { http.Get("x"); http := 2; _ = http }
''')
    targets = {line: t for line, t in _calls(f)}
    assert targets[3] == ("net/http", "Get")
    assert targets[4] is None
    assert targets[5] is None
    assert targets[8] == ("net/http", "Get")  # the shadow lives only inside the if block
    assert targets[10] == ("net/http", "Get")  # use before the shadowing declaration


def test_dot_import_call_target():
    f = gofile('package p\nimport . "net/http"\nfunc a() { ListenAndServe(":1", nil) }\n')
    assert _calls(f) == [(3, ("net/http", "ListenAndServe"))]


def test_handler_detection():
    f = gofile('''package p
import (
	"context"
	nh "net/http"
	"github.com/gin-gonic/gin"
	"github.com/labstack/echo/v4"
	"github.com/gofiber/fiber/v2"
)
func A(w nh.ResponseWriter, r *nh.Request) {}
func B(c *gin.Context) {}
func C(c echo.Context) error { return nil }
func D(c *fiber.Ctx) error { return nil }
func E(ctx context.Context, id string) {}
func F(w nh.ResponseWriter, r nh.Request) {}
var G = func(w nh.ResponseWriter, r *nh.Request) {}
''')
    idx = FunctionIndex(f)
    kinds = {fi.name or f"lit@{fi.line}": fi.handler for fi in idx.funcs}
    assert kinds == {"A": "net/http", "B": "gin", "C": "echo", "D": "fiber", "E": "", "F": "", "lit@15": "net/http"}
    assert next(fi for fi in idx.funcs if fi.name == "E").ctx_params == ["ctx"]


def test_grpc_method_detection_needs_grpc_in_package():
    src = '''package p
import "context"
type S struct{}
func (s *S) GetUser(ctx context.Context, req *pb.GetUserRequest) (*pb.User, error) { return nil, nil }
func (s *S) helper(ctx context.Context, req *pb.GetUserRequest) (*pb.User, error) { return nil, nil }
'''
    f = gofile(src)
    assert {fi.name: fi.handler for fi in FunctionIndex(f, package_uses_grpc=True).funcs} == {"GetUser": "grpc", "helper": ""}
    assert {fi.name: fi.handler for fi in FunctionIndex(f, package_uses_grpc=False).funcs} == {"GetUser": "", "helper": ""}


def test_go_mod_directive(tmp_path):
    (tmp_path / "go.mod").write_text("module example.com/x\n\ngo 1.21.5 // toolchain pinned\n")
    info = read_go_mod(str(tmp_path / "go.mod"))
    assert info.path == "example.com/x" and info.go_version == (1, 21)
    assert info.go_at_least(1, 21) and not info.go_at_least(1, 23)
