"""pgxpool and go-redis pool sizes in the Go facts (golang/client_pools.py),
read by SG828: explicit sizes, connection-string sizes, library defaults,
and the assignment that overrides both."""

from __future__ import annotations

import json

from steadygo.commands.facts import collect
from steadygo.golang.facts import facts_from_dict

POOLS = '''package main

import (
	"context"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
)

const cacheConns = 40

func main() {
	ctx := context.Background()
	a, _ := pgxpool.New(ctx, "postgres://app@db/app?pool_max_conns=12")
	b, _ := pgxpool.New(ctx, "postgres://app@db/app")
	c, _ := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	r := redis.NewClient(&redis.Options{Addr: "redis:6379", PoolSize: cacheConns})
	k := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"r0:6379"}})
	u, _ := redis.ParseURL("redis://cache:6379/0?pool_size=7")
	_, _, _, _, _, _ = a, b, c, r, k, u
}
'''

ASSIGNED = '''package store

import (
	"os"

	"github.com/jackc/pgx/v5/pgxpool"
)

func Config() (*pgxpool.Config, error) {
	const defaultMaxConns = int32(8)
	cfg, err := pgxpool.ParseConfig(os.Getenv("DATABASE_URL"))
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = defaultMaxConns
	return cfg, nil
}
'''


def _pools(tmp_path, name, src):
    (tmp_path / "go.mod").write_text("module example.com/p\n\ngo 1.24\n")
    (tmp_path / name).write_text(src)
    f = collect([str(tmp_path)], base=str(tmp_path))
    return f, [(p.library, p.setting, p.target, p.value, p.default, p.location.line) for p in f.pools]


def test_sizes_and_defaults(tmp_path):
    f, got = _pools(tmp_path, "main.go", POOLS)
    assert got == [
        ("pgxpool", "pool_max_conns", "pgxpool.New", 12.0, None, 15),
        ("pgxpool", "pool_max_conns", "pgxpool.New", None, "max(4, runtime.NumCPU())", 16),
        ("pgxpool", "pool_max_conns", "pgxpool.New", None, None, 17),  # the DSN may carry its own size
        ("go-redis", "pool_size", "redis.ParseURL", 7.0, None, 20),
        ("go-redis", "PoolSize", "redis.Options{}", 40.0, None, 18),
        ("go-redis", "PoolSize", "redis.ClusterOptions{}", None, "10 x GOMAXPROCS", 19),
    ]
    # the cache keeps them
    assert facts_from_dict(json.loads(json.dumps(f.to_dict()))).pools == f.pools


def test_assignment_overrides_the_connection_string(tmp_path):
    _, got = _pools(tmp_path, "store.go", ASSIGNED)
    assert got == [("pgxpool", "MaxConns", "cfg", 8.0, None, 15)]


def test_no_client_library_no_pools(tmp_path):
    _, got = _pools(tmp_path, "main.go", "package main\n\ntype opts struct{ PoolSize int }\n\n"
                    "func main() { o := opts{}; o.PoolSize = 3; _ = o }\n")
    assert got == []
