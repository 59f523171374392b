"""The fault-injecting TCP proxy of ``steadygo chaos``: byte-transparent,
bounded in time (``duration``) and in connections (``max_connections``), and
recording per connection what the client did.

Faults, decided per connection when it is accepted:
- ``blackhole``: every connection after the first ``blackhole_after`` is
  accepted and read, and never answered (a dead dependency whose TCP stack
  still accepts);
- ``reset``: with probability ``reset_rate`` the connection is reset (RST)
  when the client first sends;
- otherwise the client's bytes are held ``latency`` +- ``jitter`` seconds
  each time it starts a request while nothing is outstanding, then passed on.

What is recorded is the client's side: when it started waiting for an
answer (``pending_since``), whether it gave up while waiting (closed the
connection: it has a timeout, and the wait measures it), and how long each
answered wait took.  An idle keep-alive connection waits for nothing and is
not a hung call."""

from __future__ import annotations

import asyncio
import contextlib
import random
import signal
import socket
import struct
import time
from dataclasses import dataclass, field

from steadygo.errors import UserError

CHUNK = 64 << 10
QUEUED_CHUNKS = 64  # at most 4 MiB of a client's bytes held during a delay
UPSTREAM_CONNECT_TIMEOUT = 5.0


@dataclass(frozen=True)
class Faults:
    latency: float = 0.0
    jitter: float = 0.0
    reset_rate: float = 0.0
    blackhole_after: int | None = None
    seed: int | None = None


@dataclass
class Conn:
    id: int
    source: str  # the client's host: its reconnects are counted per source
    opened: float  # seconds since the proxy started
    fault: str  # none | latency | reset | blackhole | over-limit | upstream-refused
    closed: float | None = None
    ended_by: str = ""  # client | proxy-reset | upstream | end-of-run | over-limit | upstream-refused
    pending_since: float | None = None
    waits: list[float] = field(default_factory=list)  # answered waits, seconds
    gave_up_after: float | None = None  # the client closed while waiting this long
    bytes_up: int = 0
    bytes_down: int = 0


def parse_hostport(text: str, what: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise UserError(f"{what} {text!r}: expected HOST:PORT")
    return host, int(port)


def check_upstream(host: str, port: int, timeout: float = 3.0) -> None:
    """A proxy in front of nothing proves nothing: refuse to start."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        raise UserError(f"upstream {host}:{port}: {exc.strerror or exc}") from None


MAX_CONNECTIONS = 10_000
# Descriptors kept free besides two per connection (client and upstream):
# the listener, the event loop, the report files, over-limit connections
# accepted to be reset.
_SPARE_FILES = 64


def fit_open_files(max_connections: int) -> None:
    """Make room for ``max_connections`` proxied connections under the
    open-file limit, raising the soft limit up to the hard one as Go
    programs do; refuse when even that is too low.  Without it a busy run
    ran out of descriptors: asyncio printed a traceback per failed accept
    and failed upstream dials were counted as the client's retries."""
    try:
        import resource
    except ImportError:  # not POSIX: nothing to fit
        return
    need = 2 * max_connections + _SPARE_FILES
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= need:
        return
    if hard == resource.RLIM_INFINITY or hard >= need:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
            return
        except (ValueError, OSError):
            pass
    most = max(1, (max(soft, hard if hard != resource.RLIM_INFINITY else soft) - _SPARE_FILES) // 2)
    raise UserError(f"--max-connections {max_connections} needs {need} open files (two per connection and "
                    f"{_SPARE_FILES} spare), the limit is {soft} (hard {hard}): use --max-connections {most} "
                    "or raise ulimit -n")


class Proxy:
    def __init__(self, listen: tuple[str, int], upstream: tuple[str, int], faults: Faults, duration: float,
                 max_connections: int):
        self.listen, self.upstream, self.faults = listen, upstream, faults
        self.duration, self.max_connections = duration, max_connections
        self.rng = random.Random(faults.seed)
        self.conns: list[Conn] = []
        self.active = 0
        self.began = time.monotonic()
        self.ended: float | None = None
        self.bound_address = ""
        self._tasks: set[asyncio.Task] = set()

    def now(self) -> float:
        return time.monotonic() - self.began

    def run(self, on_listening=None) -> None:
        """Serve until ``duration`` has passed or SIGINT/SIGTERM arrives."""
        asyncio.run(self._main(on_listening))

    async def _main(self, on_listening) -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, stop.set)
        try:
            server = await asyncio.start_server(self._serve, self.listen[0], self.listen[1], reuse_address=True)
        except OSError as exc:
            raise UserError(f"--listen {self.listen[0]}:{self.listen[1]}: cannot listen: {exc.strerror or exc}") from None
        host, port = server.sockets[0].getsockname()[:2]
        self.bound_address = f"{host}:{port}"
        self.began = time.monotonic()
        if on_listening:
            on_listening(self.bound_address)
        try:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), self.duration)
        finally:
            self.ended = self.now()
            server.close()
            for t in list(self._tasks):
                t.cancel()
            if self._tasks:
                await asyncio.wait(self._tasks, timeout=2.0)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2.0)
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.remove_signal_handler(sig)

    def _fault(self, conn_no: int) -> str:
        f = self.faults
        if f.blackhole_after is not None and conn_no > f.blackhole_after:
            return "blackhole"
        if f.reset_rate and self.rng.random() < f.reset_rate:
            return "reset"
        return "latency" if f.latency or f.jitter else "none"

    def _delay(self) -> float:
        f = self.faults
        return max(0.0, f.latency + (self.rng.uniform(-f.jitter, f.jitter) if f.jitter else 0.0))

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._tasks.add(task)
        peer = writer.get_extra_info("peername") or ("?", 0)
        conn = Conn(id=len(self.conns) + 1, source=str(peer[0]), opened=self.now(), fault="")
        self.conns.append(conn)
        try:
            if self.active >= self.max_connections:
                conn.fault = conn.ended_by = "over-limit"
                _reset(writer)
                return
            self.active += 1
            try:
                conn.fault = self._fault(conn.id)
                if conn.fault == "blackhole":
                    await self._blackhole(conn, reader)
                elif conn.fault == "reset":
                    await self._reset_on_first_bytes(conn, reader, writer)
                else:
                    await self._forward(conn, reader, writer)
            finally:
                self.active -= 1
        except asyncio.CancelledError:
            conn.ended_by = conn.ended_by or "end-of-run"
        except OSError:
            # The client reset its side (a timeout that closes with RST):
            # for the record that is the client hanging up.
            if conn.closed is None:
                self._client_closed(conn)
        finally:
            if conn.closed is None:
                conn.closed = self.now()
            if not writer.is_closing():
                writer.close()
            self._tasks.discard(task)

    async def _blackhole(self, conn: Conn, reader: asyncio.StreamReader) -> None:
        while True:
            data = await reader.read(CHUNK)
            if not data:
                self._client_closed(conn)
                return
            conn.bytes_up += len(data)
            if conn.pending_since is None:
                conn.pending_since = self.now()

    async def _reset_on_first_bytes(self, conn: Conn, reader, writer) -> None:
        data = await reader.read(CHUNK)
        if not data:
            self._client_closed(conn)
            return
        conn.bytes_up += len(data)
        conn.pending_since = self.now()
        conn.closed, conn.ended_by = self.now(), "proxy-reset"
        _reset(writer)

    async def _forward(self, conn: Conn, reader, writer) -> None:
        # Bounded: a fast sender held by the delay waits on TCP, not in our memory.
        queue: asyncio.Queue = asyncio.Queue(maxsize=QUEUED_CHUNKS)
        upstream: asyncio.Future = asyncio.get_running_loop().create_future()
        # Reading the client never waits for the injected delay, so a client
        # that gives up during it is seen giving up at that moment.  The
        # upstream is dialled when the first delayed bytes are due, not at
        # accept: an upstream with a ReadHeaderTimeout shorter than the delay
        # would otherwise hang up on the held connection and turn latency
        # into a failure.
        pumps = [asyncio.ensure_future(self._client_to_queue(conn, reader, queue)),
                 asyncio.ensure_future(self._queue_to_upstream(conn, queue, upstream, writer)),
                 asyncio.ensure_future(self._upstream_to_client(conn, upstream, writer))]
        try:
            done, _ = await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
            if pumps[2] in done and not conn.ended_by:
                conn.ended_by = "upstream"
        finally:
            for p in pumps:
                p.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            if upstream.done() and not upstream.cancelled() and upstream.exception() is None:
                upstream.result()[1].close()
            elif not upstream.done():
                upstream.cancel()

    async def _dial(self, conn: Conn, upstream: asyncio.Future, writer) -> bool:
        try:
            pair = await asyncio.wait_for(asyncio.open_connection(*self.upstream), UPSTREAM_CONNECT_TIMEOUT)
        except (OSError, asyncio.TimeoutError) as exc:
            conn.fault = conn.ended_by = "upstream-refused"
            conn.closed = self.now()
            upstream.set_exception(ConnectionError(str(exc)))
            _reset(writer)
            return False
        upstream.set_result(pair)
        return True

    async def _client_to_queue(self, conn: Conn, reader, queue: asyncio.Queue) -> None:
        while True:
            try:
                data = await reader.read(CHUNK)
            except OSError:
                data = b""
            if not data:
                self._client_closed(conn)
                return
            conn.bytes_up += len(data)
            if conn.pending_since is None:
                conn.pending_since = self.now()
                await queue.put((data, time.monotonic() + self._delay()))
            else:
                await queue.put((data, 0.0))

    async def _queue_to_upstream(self, conn: Conn, queue: asyncio.Queue, upstream: asyncio.Future, writer) -> None:
        while True:
            data, due = await queue.get()
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if not upstream.done() and not await self._dial(conn, upstream, writer):
                return
            up_writer = upstream.result()[1]
            up_writer.write(data)
            await up_writer.drain()

    async def _upstream_to_client(self, conn: Conn, upstream: asyncio.Future, writer) -> None:
        try:
            up_reader = (await asyncio.shield(upstream))[0]
        except ConnectionError:
            await asyncio.Event().wait()  # the dialling pump ends the connection
        while True:
            data = await up_reader.read(CHUNK)
            if not data:
                return
            if conn.pending_since is not None:
                conn.waits.append(self.now() - conn.pending_since)
                conn.pending_since = None
            conn.bytes_down += len(data)
            writer.write(data)
            await writer.drain()

    def _client_closed(self, conn: Conn) -> None:
        if conn.closed is not None:  # the proxy ended it first (reset, upstream gone): the EOF is its echo
            return
        conn.closed, conn.ended_by = self.now(), "client"
        if conn.pending_since is not None:
            conn.gave_up_after = conn.closed - conn.pending_since


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST, not FIN: SO_LINGER 0, then abort."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
