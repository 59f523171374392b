"""The inventory of a real scan: what the code showed, per module.

Apart from test_scorecard.py, whose autouse fixture swaps the registry for a
fake one: a real scan under it would leave the engine's rule lookup built
from the fake rules for every later test."""

from __future__ import annotations

from steadygo.config import Config


def test_inventory_of_a_real_scan(tmp_path):
    from steadygo import inventory
    from steadygo.engine import scan

    (tmp_path / "go.mod").write_text("module example.com/inv\n\ngo 1.24\n")
    (tmp_path / "main.go").write_text(
        'package main\n\nimport (\n\t"context"\n\t"net/http"\n\t"os"\n\t"time"\n)\n\n'
        'func main() {\n\tmux := http.NewServeMux()\n\tmux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {})\n'
        '\tsrv := &http.Server{Addr: os.Getenv("ADDR"), Handler: mux, ReadHeaderTimeout: time.Second}\n'
        '\tgo srv.ListenAndServe()\n\tctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)\n'
        '\tdefer cancel()\n\tsrv.Shutdown(ctx)\n}\n')
    res = scan([str(tmp_path)], Config(), base=str(tmp_path))
    (inv,) = inventory.of_result(res)
    assert (inv.module, dict(inv.servers), inv.routes, inv.health, inv.shutdown) == ("example.com/inv", {"net/http": 1}, 1, 1, 1)
    assert inv.unresolved == ["1 listener address"]
    assert inv.line().startswith("example.com/inv: HTTP servers: 1 net/http; routes 1; health endpoints 1; shutdown paths 1")


KRATOS_MAIN = '''package main

import (
	"github.com/go-kratos/kratos/v2"
	"github.com/go-kratos/kratos/v2/transport/http"
)

func main() {
	hs := http.NewServer(http.Address(":8000"))
	app := kratos.New(kratos.Name("helloworld"), kratos.Server(hs))
	if err := app.Run(); err != nil {
		panic(err)
	}
}
'''


def test_a_server_framework_steadygo_does_not_model_is_not_checked_never_passed(tmp_path):
    """A kratos service (the shape of go-kratos/kratos-layout): its HTTP server
    is real but not modelled, so the server rules say "not checked" with the
    framework named, in the text summary and in the HTML scorecard, never
    "nothing to check" or a green mark."""
    import re

    from helpers import run_cli

    (tmp_path / "go.mod").write_text("module example.com/hello\n\ngo 1.24\n\nrequire github.com/go-kratos/kratos/v2 v2.8.3\n")
    (tmp_path / "main.go").write_text(KRATOS_MAIN)
    page = tmp_path / "r.html"
    # --preview: the rules that judge servers (SG101-SG104, SG601, SG603, ...) are preview rules
    proc = run_cli("check", "--preview", "--no-cache", "--isolated", "--format", f"text,html={page}", ".",
                   cwd=str(tmp_path))
    framework = "github.com/go-kratos/kratos/v2/transport/http"
    assert f"servers not modelled (not judged): {framework}" in proc.stdout
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("not checked: the HTTP servers here use"))
    assert framework in line and line.endswith("not judged)") and "SG601" in line
    assert "nothing to check: no HTTP server found" not in proc.stdout
    html = page.read_text()
    # the server rows are "not checked" with the framework named, not "covered"
    # nor "nothing to check"
    rows = re.findall(r'<span class="chip (st-[a-z-]+)">[^<]*</span></td><td>[^<]*<br><span class="why">([^<]*)</span>',
                      html)
    why = f"not checked: the HTTP servers here use {framework}, which steadygo does not model"
    assert ("st-not-checked", why) in rows
    assert not any(w == why and st != "st-not-checked" for st, w in rows)
