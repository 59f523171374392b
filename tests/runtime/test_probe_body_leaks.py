"""SG954's body scan: what counts as leaking internals, what does not, and
that every example it shows is masked."""

from __future__ import annotations

import pytest

from steadygo.live import body_leaks

LIVEBROKEN = (b'{"status":"ok","version":"1.4.2","go":"go1.27.3","env":{"DATABASE_URL":'
              b'"postgres://shop:s3cret-pw@db.internal:5432/shop"}}\n')


def test_livebroken_health_body():
    leak = body_leaks.scan(LIVEBROKEN)
    assert leak.kinds == ["a connection string", "environment values", "internal host names", "versions"]
    assert leak.examples[0] == "postgres://shop:****@db.internal:5432/shop"
    assert leak.credential and not leak.version_only
    assert not any("s3cret" in e for e in leak.examples)


@pytest.mark.parametrize("body, kinds, credential", [
    (b"panic: boom\n\ngoroutine 7 [running]:\nmain.h()\n\t/app/h.go:9 +0x2a\n", ["a stack trace"], False),
    (b'Traceback (most recent call last):\n  File "app.py", line 3\n', ["a stack trace"], False),
    (b"REDIS_PASSWORD=hunter22\n", ["environment values"], True),
    (b'{"build":"abc123","status":"up"}', ["versions"], False),
    (b'{"db":"up","host":"pg-0.pg.svc"}', ["internal host names"], False),
    (b"mysql://app@10.0.0.5/orders", ["a connection string"], False),
])
def test_kinds(body, kinds, credential):
    leak = body_leaks.scan(body)
    assert leak is not None and leak.kinds == kinds and leak.credential is credential
    assert all("hunter22" not in e for e in leak.examples)


@pytest.mark.parametrize("body", [
    b"ok\n", b"OK", b"Prometheus Server is Healthy.\n", b'{"health":"true","reason":""}', b'{"status":"UP"}',
    b"ready\n", b"", b"\xff\xfe\x00binary",
])
def test_terse_or_plain_answers_are_not_leaks(body):
    assert body_leaks.scan(body) is None


def test_only_the_first_64_kib_is_read():
    assert body_leaks.scan(b" " * body_leaks.SCANNED + b"postgres://a:b@c/d") is None
