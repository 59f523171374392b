"""database/sql pool settings from the load, by Little's law.

Little's law (J. D. C. Little, "A Proof for the Queuing Formula L = λW",
Operations Research 9(3), 1961): in a stable system the mean number of items
inside equals their arrival rate times the mean time each spends inside,
``L = λ × W``.  For a connection pool the items are queries (or
transactions) holding a connection: ``busy connections = QPS × time held``.

Assumptions, each visible in the printed arithmetic:

* ``qps`` is what *one* process (one ``*sql.DB``) sends; the pool is per
  process, so replicas only matter for the database's connection budget.
* The p95 latency stands in for the mean time a connection is held.  The law
  is about the mean; the p95 is larger, so the estimate is already above the
  average concurrency, and ``headroom`` (default 1.5) covers bursts above
  that.  A transaction holds its connection for its whole length: give the
  transaction's p95 when the code uses ``BeginTx``.
* The idle pool keeps the steady concurrency, ``ceil(QPS × p95)``, warm: a
  smaller one closes and reopens connections under steady load (database/sql
  keeps 2 idle by default), a larger one only holds database slots.
* Lifetime: database/sql checks ``SetConnMaxLifetime`` when it hands out a
  connection (``DB.conn`` discards an expired one before use), so a lifetime
  below the server's or a proxy's idle timeout means no connection it hands
  out can have sat idle long enough to be cut.  The lifetime is 90 % of that
  timeout, capped at 30 minutes so a failover, DNS change or credential
  rotation reaches every pool within half an hour.  The idle time is half the
  lifetime: connections left idle after a burst go back to the database
  sooner than the recycle period.  Both are judgements, not laws.
* Budget: ``max(3, ceil(10 % of max-connections))`` is kept back for
  superusers (PostgreSQL reserves ``superuser_reserved_connections``, 3 by
  default, inside ``max_connections``), migrations, admin shells and
  monitoring; the rest is shared by the replicas.
* At least 2 open connections: with 1, code that runs a query while
  iterating another's rows (or inside a transaction, outside it) waits for
  itself forever.  0 is never advised: to database/sql it means "no limit".
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from steadygo.durations import go_expression, go_string

DEFAULT_HEADROOM = 1.5
MIN_OPEN = 2
LIFETIME_SHARE_OF_IDLE_TIMEOUT = 0.9
LIFETIME_CAP_S = 30 * 60
IDLE_TIME_SHARE_OF_LIFETIME = 0.5
RESERVE_SHARE = 0.10
RESERVE_MIN = 3


@dataclass(frozen=True)
class PoolLoad:
    qps: float  # queries (or transactions) per second one process sends
    p95_s: float  # seconds a connection is held, p95
    headroom: float = DEFAULT_HEADROOM
    replicas: int | None = None
    db_max_connections: int | None = None
    idle_timeout_s: float | None = None  # the server's or proxy's idle timeout

    def __post_init__(self) -> None:
        for name in ("qps", "p95_s"):
            _positive(name, getattr(self, name))
        _positive("headroom", self.headroom)
        if self.headroom < 1:
            raise ValueError(f"headroom must be at least 1 (got {self.headroom:g})")
        if self.idle_timeout_s is not None:
            _positive("idle_timeout_s", self.idle_timeout_s)
        for name in ("replicas", "db_max_connections"):
            v = getattr(self, name)
            if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 1):
                raise ValueError(f"{name} must be a whole number of at least 1 (got {v!r})")


def _positive(name: str, v: float) -> None:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a positive finite number (got {v!r})")


@dataclass(frozen=True)
class Step:
    name: str
    formula: str  # the arithmetic with the numbers put in
    value: str
    why: str = ""  # what the number is for, when the formula does not say


@dataclass(frozen=True)
class Budget:
    replicas: int
    max_connections: int | None
    reserve: int | None = None
    per_pod: int | None = None  # connections each replica may open, reserve kept back
    per_pod_without_reserve: int | None = None  # floor(M / replicas)
    needed: int = 0  # open × replicas as first computed
    fits: bool | None = None  # None when no limit is known


@dataclass(frozen=True)
class PoolAdvice:
    concurrency: float
    max_open: int
    max_idle: int
    lifetime_s: float
    idle_time_s: float
    budget: Budget | None
    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def go_code(self, db: str = "db") -> list[str]:
        return [
            f"{db}.SetMaxOpenConns({self.max_open})",
            f"{db}.SetMaxIdleConns({self.max_idle})",
            f"{db}.SetConnMaxLifetime({go_expression(self.lifetime_s)})",
            f"{db}.SetConnMaxIdleTime({go_expression(self.idle_time_s)})",
        ]

    def to_dict(self) -> dict:
        return {
            "concurrency": self.concurrency,
            "recommendation": {
                "max_open_conns": self.max_open, "max_idle_conns": self.max_idle,
                "conn_max_lifetime_seconds": self.lifetime_s, "conn_max_lifetime": go_string(self.lifetime_s),
                "conn_max_idle_time_seconds": self.idle_time_s, "conn_max_idle_time": go_string(self.idle_time_s),
                "go": self.go_code(),
            },
            "budget": asdict(self.budget) if self.budget else None,
            "steps": [asdict(s) for s in self.steps],
            "notes": list(self.notes),
        }


def _ceil(v: float) -> int:
    """ceil of a product of decimal inputs: 300/s × 0.1 s is 30.000000000000004
    in binary floating point, and must give 30 connections, not 31."""
    return math.ceil(round(v, 9))


def _num(v: float) -> str:
    """A number as the arithmetic shows it: no trailing zeros, no exponent for everyday sizes."""
    return f"{v:.6f}".rstrip("0").rstrip(".") if abs(v) < 1e12 else f"{v:g}"


def advise(load: PoolLoad) -> PoolAdvice:
    steps: list[Step] = []
    notes: list[str] = []
    c = round(load.qps * load.p95_s, 9)  # binary float noise off, see _ceil
    steps.append(Step("concurrency", f"qps × p95 = {_num(load.qps)}/s × {_num(load.p95_s)}s", _num(c)))

    open_ = _ceil(c * load.headroom)
    steps.append(Step("max open", f"ceil(concurrency × headroom) = ceil({_num(c)} × {_num(load.headroom)})", str(open_)))
    if open_ < MIN_OPEN:
        steps.append(Step("max open", f"max({open_}, {MIN_OPEN})", str(MIN_OPEN), "a pool of 1 deadlocks on nested queries"))
        open_ = MIN_OPEN

    steady = _ceil(c)
    budget = _budget(load, open_, steady, steps, notes)
    if budget is not None and budget.fits is False and budget.per_pod:
        steps.append(Step("max open", f"min({open_}, per pod {budget.per_pod})", str(min(open_, budget.per_pod)),
                          "capped by the database budget"))
        open_ = min(open_, budget.per_pod)

    idle = max(1, min(steady, open_))  # 0 would mean "keep none idle" to SetMaxIdleConns
    steps.append(Step("max idle", f"min(ceil(concurrency), max open) = min(ceil({_num(c)}), {open_})", str(idle)))

    if load.idle_timeout_s is not None:
        raw = load.idle_timeout_s * LIFETIME_SHARE_OF_IDLE_TIMEOUT
        lifetime = min(raw, LIFETIME_CAP_S)
        formula = (f"min({_num(LIFETIME_SHARE_OF_IDLE_TIMEOUT)} × idle timeout {go_string(load.idle_timeout_s)}, "
                   f"cap {go_string(LIFETIME_CAP_S)}) = min({go_string(raw)}, {go_string(LIFETIME_CAP_S)})")
    else:
        lifetime = float(LIFETIME_CAP_S)
        formula = f"cap {go_string(LIFETIME_CAP_S)} (no idle timeout given)"
        notes.append("no idle timeout given (--idle-timeout or [database] idle-timeout): the lifetime is only the "
                     "30-minute cap; a database, proxy or load balancer that cuts idle connections sooner "
                     "breaks connections the pool still hands out")
    # Whole seconds (or milliseconds for sub-second timeouts): what one writes in Go.
    lifetime = math.floor(lifetime) if lifetime >= 1 else math.floor(lifetime * 1000) / 1000
    steps.append(Step("conn max lifetime", formula, go_string(lifetime)))
    idle_time = lifetime * IDLE_TIME_SHARE_OF_LIFETIME
    idle_time = math.floor(idle_time) if idle_time >= 1 else math.floor(idle_time * 1000) / 1000
    steps.append(Step("conn max idle time", f"lifetime × {_num(IDLE_TIME_SHARE_OF_LIFETIME)} = "
                      f"{go_string(lifetime)} × {_num(IDLE_TIME_SHARE_OF_LIFETIME)}", go_string(idle_time)))
    if idle_time <= 0:
        notes.append("the idle timeout is under a few milliseconds: no lifetime can stay below it; "
                     "check the timeout's unit")
    return PoolAdvice(c, open_, idle, lifetime, idle_time, budget, steps, notes)


def _budget(load: PoolLoad, open_: int, steady: int, steps: list[Step], notes: list[str]) -> Budget | None:
    if load.replicas is None and load.db_max_connections is None:
        return None
    n = load.replicas or 1
    needed = open_ * n
    steps.append(Step("needed", f"max open × replicas = {open_} × {n}", str(needed)))
    m = load.db_max_connections
    if m is None:
        notes.append("no database connection limit given (--db-max-connections or [database] max-connections): "
                     "the total was not checked")
        return Budget(replicas=n, max_connections=None, needed=needed)
    reserve = min(m, max(RESERVE_MIN, _ceil(m * RESERVE_SHARE)))
    steps.append(Step("reserve", f"max({RESERVE_MIN}, ceil({_num(RESERVE_SHARE)} × {m}))", str(reserve),
                      "kept for superusers, migrations, admin shells, monitoring"))
    usable = m - reserve
    per_pod = usable // n
    steps.append(Step("per pod", f"floor((max-connections − reserve) / replicas) = floor(({m} − {reserve}) / {n})",
                      str(per_pod), f"floor({m} / {n}) = {m // n} with no reserve"))
    fits = needed <= usable
    steps.append(Step("budget", f"needed {needed} {'≤' if fits else '>'} usable {usable} (= {m} − {reserve})",
                      "fits" if fits else "does not fit"))
    if not fits:
        if per_pod < 1:
            notes.append(f"no pool fits: {n} replicas cannot each have a connection within {usable} usable "
                         f"connections; fewer replicas, a connection pooler (PgBouncer, ProxySQL) or a higher limit")
        elif per_pod < steady:
            notes.append(f"even the steady concurrency ({steady}) does not fit in {per_pod} per pod: requests will "
                         "wait for connections (db.Stats().WaitCount grows); fewer replicas, a connection pooler "
                         "or a higher limit")
        else:
            notes.append(f"max open capped at {per_pod} per pod: bursts above it wait for a connection")
    return Budget(replicas=n, max_connections=m, reserve=reserve, per_pod=per_pod,
                  per_pod_without_reserve=m // n, needed=needed, fits=fits)
