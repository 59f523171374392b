"""Observability rules on small trees the one-directory fixtures cannot
express (command-line directories, module-wide facts)."""

from __future__ import annotations

import textwrap

from steadygo.config import Config
from steadygo.engine import scan


def _write(root, rel, text):
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(textwrap.dedent(text))


def _ids(root, select):
    res = scan([str(root)], Config(select=select, preview=True), use_cache=False, jobs=1, base=str(root))
    return sorted((f.path, f.rule_id) for f in res.active)


def test_cli_directories_print_freely(tmp_path):
    body = '''
        package ctl

        import (
            "fmt"
            "log"
            "log/slog"
        )

        func PrintMembers(names []string) {
            slog.Debug("listing members")
            for _, n := range names {
                fmt.Println(n)
            }
            if len(names) == 0 {
                log.Printf("no members")
            }
        }
    '''
    _write(tmp_path, "cmd/ctl/print.go", body)
    _write(tmp_path, "internal/members/print.go", body.replace("package ctl", "package members"))
    assert _ids(tmp_path, ["SG501"]) == [("internal/members/print.go", "SG501")]


def test_module_wide_health_and_shutdown(tmp_path):
    _write(tmp_path, "go.mod", "module example.com/svc\n\ngo 1.22\n")
    _write(tmp_path, "internal/web/routes.go", '''
        package web

        import (
            "context"
            "net/http"
            "time"
        )

        func Routes(mux *http.ServeMux) {
            mux.HandleFunc("GET /livez", func(w http.ResponseWriter, r *http.Request) {})
            mux.HandleFunc("GET /orders", func(w http.ResponseWriter, r *http.Request) {})
        }

        func Stop(srv *http.Server) {
            ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
            defer cancel()
            srv.Shutdown(ctx)
        }
    ''')
    _write(tmp_path, "main.go", '''
        package main

        import (
            "net/http"
            "time"

            "example.com/svc/internal/web"
        )

        func main() {
            mux := http.NewServeMux()
            web.Routes(mux)
            srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: time.Second}
            go srv.ListenAndServe()
            web.Stop(srv)
        }
    ''')
    # health endpoint and Shutdown live in another package: no SG601/SG611
    assert _ids(tmp_path, ["SG601", "SG611", "SG620"]) == [("main.go", "SG620")]
