#!/usr/bin/env bash
# Installs the Debian Go sources used as the real-code corpus for precision and
# equivalence work (/usr/share/gocode/src): etcd, docker/moby, distribution,
# containerd, nats-server, crowdsec, gin, echo, client_golang, grpc, serf,
# memberlist, raft and their dependencies.  Not needed by the test suite.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
  golang-etcd-server-dev golang-github-docker-docker-dev golang-github-docker-distribution-dev \
  golang-github-containerd-containerd-dev golang-github-nats-io-nats-server-dev \
  golang-github-crowdsecurity-crowdsec-dev golang-github-gin-gonic-gin-dev golang-github-labstack-echo-dev \
  golang-github-prometheus-client-golang-dev golang-google-grpc-dev golang-github-hashicorp-serf-dev \
  golang-github-hashicorp-memberlist-dev golang-github-hashicorp-raft-dev >/dev/null
echo "corpus: $(find /usr/share/gocode/src -name '*.go' ! -name '*_test.go' | wc -l) Go files under /usr/share/gocode/src"
