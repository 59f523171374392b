"""A container whose image a non-Go Dockerfile of the tree builds is not a Go
service: Go-runtime advice (SG806 GOMEMLIMIT) stays off it, found on
microservices-demo's Java and C# services (benchmarks/PRECISION-CROSS.md)."""

from __future__ import annotations

from steadygo.config import Config
from steadygo.engine import scan

DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
        - name: server
          image: {name}
          resources: {{limits: {{memory: 128Mi}}}}
"""


def test_non_go_dockerfile_marks_its_image_not_go(tmp_path):
    (tmp_path / "src" / "frontend").mkdir(parents=True)
    (tmp_path / "src" / "cartservice" / "src").mkdir(parents=True)
    (tmp_path / "src" / "frontend" / "go.mod").write_text("module example.com/frontend\n\ngo 1.27\n")
    (tmp_path / "src" / "frontend" / "main.go").write_text(
        'package main\n\nimport "net/http"\n\nfunc main() { http.ListenAndServe(":8080", nil) }\n')
    (tmp_path / "src" / "frontend" / "Dockerfile").write_text(
        "FROM golang:1.27 AS build\nCOPY . .\nRUN go build -o /app .\nFROM gcr.io/distroless/static\n"
        "COPY --from=build /app /app\nENTRYPOINT [\"/app\"]\n")
    # the nearest directory with a name of its own names it: cartservice, not src
    (tmp_path / "src" / "cartservice" / "src" / "Dockerfile").write_text(
        "FROM mcr.microsoft.com/dotnet/sdk:8.0\nCOPY . .\nENTRYPOINT [\"dotnet\", \"cart.dll\"]\n")
    (tmp_path / "k8s.yaml").write_text(DEPLOY.format(name="frontend") + "---\n" + DEPLOY.format(name="cartservice"))
    res = scan([str(tmp_path)], Config(select=["SG806"], preview=True, use_cache=False, jobs=1), base=str(tmp_path))
    assert [(f.rule_id, f.path) for f in res.findings] == [("SG806", "k8s.yaml")]
    assert "frontend" in res.findings[0].message
    assert [(r.workload, r.why) for r in res.links.not_go] == [
        ("Deployment/cartservice", "image built by src/cartservice/src/Dockerfile, which compiles no Go")]
