"""The deployment files' public listen settings (artifacts.config_addresses):
which keys and flags a shipped config binds to all interfaces."""

from __future__ import annotations

import os

from steadygo.artifacts.config_addresses import normalise, public_address_keys


def _write(root, rel, body):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(body if isinstance(body, bytes) else body.encode())
    return path


def test_keys_and_flags_given_public_addresses(tmp_path):
    root = str(tmp_path)
    _write(root, "build/docker/config.yaml", "api:\n  server:\n    listen_uri: 0.0.0.0:8080\n  listen_addr: 0.0.0.0\n")
    _write(root, "charts/app/templates/configmap.yaml", 'data:\n  "api-addr": ":2381"\n')
    _write(root, "Dockerfile", 'ENTRYPOINT ["/bin/app", "-listen-on-host=0.0.0.0"]\nCMD --http [::]:9000\n')
    _write(root, "deploy/app.env", "BIND_ADDR=0.0.0.0:7000\n")
    assert public_address_keys(root) == ["apiaddr", "bindaddr", "http", "listenaddr", "listenonhost", "listenuri"]


def test_not_public_addresses(tmp_path):
    root = str(tmp_path)
    # loopback, images with tags, port mappings, clock times, URLs a client calls
    _write(root, "deploy/config.yaml", "listen_uri: 127.0.0.1:8080\nimage: nginx:1.25\nports:\n  - \"8080:8080\"\n"
                                       "backup_at: 10:30\nurl: http://0.0.0.0:8080\nhost: localhost\n")
    _write(root, "Dockerfile", 'RUN yq -n \'.url="http://0.0.0.0:8080"\'\n')
    assert public_address_keys(root) == []


def test_tests_examples_and_odd_files_do_not_count(tmp_path):
    root = str(tmp_path)
    _write(root, "test/e2e/config.yaml", "listen_uri: 0.0.0.0:8080\n")
    _write(root, "examples/demo/config.yaml", "webui: 0.0.0.0:1340\n")
    _write(root, "vendor/x/config.yaml", "vendored: 0.0.0.0:1\n")
    _write(root, "deploy/blob.yaml", b"bind: 0.0.0.0:1\0\0")  # binary
    _write(root, "deploy/huge.yaml", "big: 0.0.0.0:1\n" + "#" * (600 * 1024))
    _write(root, "deploy/notes.txt", "listen: 0.0.0.0:80\n")  # not a configuration file type
    os.symlink(os.path.join(root, "deploy"), os.path.join(root, "deploy", "loop"))  # a loop is not followed
    assert public_address_keys(root) == []


def test_normalise():
    assert normalise("server.listen_uri") == "listenuri"
    assert normalise("api-addr") == "apiaddr"
    assert normalise("ListenOnHost") == "listenonhost"
