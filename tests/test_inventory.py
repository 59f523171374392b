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
