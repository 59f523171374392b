"""How chaos links a failed connection to its retry, on hand-made records:
the timing cases the live tests cannot pin down (sub-millisecond reconnects,
parallel calls, a gap past the window)."""

from __future__ import annotations

from steadygo.runtime.chaos_proxy import Conn
from steadygo.runtime.chaos_report import Bounds, analyse, retry_chains


def _conn(i, opened, closed, ended_by="proxy-reset", source="10.0.0.1"):
    return Conn(id=i, source=source, opened=opened, closed=closed, fault="reset", ended_by=ended_by)


def _ids(chains):
    return [[c.id for c in ch] for ch in chains]


def test_reconnects_within_a_millisecond_form_one_chain():
    # Each connection opens 0.3 ms after the previous one ended: an earlier
    # connection must never be taken for a later one's retry.
    conns = [_conn(i + 1, i * 0.0004, i * 0.0004 + 0.0001) for i in range(8)]
    assert _ids(retry_chains(conns, 1.0)) == [[1, 2, 3, 4, 5, 6, 7, 8]]


def test_parallel_calls_each_retried_once_are_chains_of_one():
    # Two calls opened together, both given up at 2 s, both retried 0.1 s later.
    conns = [_conn(1, 0.0, 2.0, "client"), _conn(2, 0.001, 2.001, "client"),
             _conn(3, 2.1, 4.1, "client"), _conn(4, 2.101, 4.101, "client")]
    for c in conns:
        c.gave_up_after = 2.0
    assert sorted(map(len, retry_chains(conns, 1.0))) == [2, 2]
    s = analyse(conns, 5.0, Bounds(hang_bound=5, retry_window=1.0, max_retries=3))["10.0.0.1"]
    assert s["retries"] == 2 and s["longest_retry_chain"] == 1 and s["gave_up"] == 4


def test_a_reconnect_after_the_window_or_after_success_is_no_retry():
    conns = [_conn(1, 0.0, 0.1), _conn(2, 1.5, 1.6),  # 1.4 s later: past a 1 s window
             _conn(3, 3.0, 3.5, "upstream"), _conn(4, 3.6, 3.7)]  # right after an answered connection
    conns[2].waits = [0.1]
    assert retry_chains(conns, 1.0) == []


def test_sources_are_counted_apart():
    conns = [_conn(1, 0.0, 0.01, source="a"), _conn(2, 0.02, 0.03, source="b"), _conn(3, 0.04, 0.05, source="a")]
    assert _ids(retry_chains([c for c in conns if c.source == "a"], 1.0)) == [[1, 3]]
    out = analyse(conns, 1.0, Bounds(hang_bound=0.5, retry_window=1.0, max_retries=3))
    assert out["a"]["retries"] == 1 and out["b"]["retries"] == 0
