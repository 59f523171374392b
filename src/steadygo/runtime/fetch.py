"""Read one runtime artifact (file, stdin or live URL) into memory, bounded.

Every artifact steadygo reads is capped: a goroutine dump pulled from a sick
process can be tens of MiB, and a wrong path can point at a multi-GiB file.
We check the size before reading (no 2 GB read just to refuse it), read in
chunks, and peel gzip layers as the bytes arrive: the user's byte limit holds
for the raw input and for every decompressed layer, so neither a bomb nor a
gzip inside a gzip gets past it, and no layer is ever held twice.  A live
endpoint gets one wall-clock budget for resolving its name, connecting, the
headers and the body together (a server that trickles a byte a second is given up on in time).
Redirects are followed only to the same host, so a URL cannot walk us off the
target.
"""

from __future__ import annotations

import ipaddress
import itertools
import os
import socket
import stat
import sys
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlencode, urljoin, urlsplit

from steadygo.errors import UserError
from steadygo.textsafe import escape_control

MiB = 1 << 20
# The runtime caps a debug=2 dump at 64 MiB; gzip and the odd concatenated
# dump fit comfortably in 256 MiB while a mistaken 2 GB file is refused.
DEFAULT_MAX_BYTES = 256 * MiB
DEFAULT_TIMEOUT = 30.0
_MAX_REDIRECTS = 3
# pprof output is gzipped, and a server may gzip it again on the wire; a third
# layer is already odd, a fourth is a trick.
MAX_GZIP_LAYERS = 3
_CHUNK = 1 << 20
_GZIP_MAGIC = b"\x1f\x8b"
_GZIP_WBITS = 16 + zlib.MAX_WBITS


class OutOfTime(UserError):
    """A live URL gave no complete answer within its time budget: a probe
    tells this (a hanging endpoint) from a refused or malformed answer."""


@dataclass(frozen=True)
class Artifact:
    source: str  # the path, URL or "-" the user gave
    # Decompressed.  A bytearray, not bytes: converting would copy the whole
    # artifact once more at its largest.
    data: bytes | bytearray
    gzipped: bool
    content_type: str = ""


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def size_text(n: int) -> str:
    """A byte count for messages: '256 MiB', '1.5 KiB', '12 bytes'."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", MiB), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:,.{0 if n % scale == 0 else 1}f} {unit}"
    return f"{n:,} bytes"


def read_artifact(source: str, max_bytes: int = DEFAULT_MAX_BYTES, timeout: float = DEFAULT_TIMEOUT,
                  params: dict[str, str] | None = None, accept: str = "*/*", offer_gzip: bool = False) -> Artifact:
    """``accept`` is sent as the Accept header of a live URL (a /metrics
    endpoint picks its exposition format by it); ``offer_gzip`` asks for a
    gzipped body, safe because every layer is peeled under the byte limit."""
    content_type = ""
    if is_url(source):
        check_url(source)
        body = _UrlBody(source, timeout, params, accept, offer_gzip)
        chunks: Iterator[bytes] = body.chunks()
        over = f"{source}: response is over the {size_text(max_bytes)} limit"
    elif source == "-":
        body = None
        chunks = _file_chunks(sys.stdin.buffer)
        over = f"standard input: input is over the {size_text(max_bytes)} limit (raise it with --max-bytes)"
    else:
        body = None
        chunks = _open_file(source, max_bytes)
        over = f"{source}: input is over the {size_text(max_bytes)} limit (raise it with --max-bytes)"
    try:
        data, layers = collect(chunks, max_bytes, source, over)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()  # a generator left mid-body: closes the connection or file now
    if body is not None:
        content_type = body.content_type
    return Artifact(source=source, data=data, gzipped=layers > 0, content_type=content_type)


@dataclass(frozen=True)
class Response:
    """What a live endpoint answered, whatever its status (``get``)."""
    url: str
    status: int
    data: bytearray  # decompressed, capped at max_bytes
    content_type: str
    seconds: float  # from the request until the last body byte
    location: str = ""  # a redirect off the host or scheme, not followed
    refused: str = ""  # why that redirect was not followed, as read_artifact would say it


def get(url: str, max_bytes: int, timeout: float, accept: str = "*/*", budget: float | None = None,
        budget_name: str = "--timeout") -> Response:
    """GET ``url`` under the same bounds as ``read_artifact`` (one time
    budget, byte cap on every gzip layer, same-host redirects) but return
    any status with its body instead of refusing a non-200: a probe judges
    404s, 503s and redirects itself.  Transport failures are UserErrors;
    ``budget`` is the time limit they name, when ``timeout`` is what is left
    of a larger one; ``budget_name`` says whose limit it is (a check's own
    bound on one answer is not the --timeout of the whole run)."""
    check_url(url)
    body = _UrlBody(url, timeout, None, accept, offer_gzip=True, any_status=True)
    if budget is not None:
        body.budget = budget
    body.budget_name = budget_name
    started = time.monotonic()
    chunks = body.chunks()
    try:
        data, _ = collect(chunks, max_bytes, url, f"{url}: response is over the {size_text(max_bytes)} limit")
    finally:
        chunks.close()
    return Response(url=url, status=body.status, data=data, content_type=body.content_type,
                    seconds=time.monotonic() - started, location=body.location, refused=body.refused)


def resolve(host: str, port: int, timeout: float) -> list[str]:
    """The addresses of ``host`` within ``timeout`` seconds (a raw-socket
    client's look-up, bounded as the HTTP fetches' is)."""
    import httpcore

    try:
        return _resolve(host, port, _Deadline(timeout))
    except httpcore.ConnectTimeout:
        raise UserError(f"{host}: resolving the name took the whole {timeout:g} s time budget") from None
    except httpcore.ConnectError as exc:
        raise UserError(f"{host}: {exc}") from None


def collect(chunks: Iterable[bytes], max_bytes: int, name: str, over_message: str = "") -> tuple[bytearray, int]:
    """All of ``chunks`` with their gzip layers peeled, as (data, layers).
    Each layer, the raw one included, may hold at most ``max_bytes``."""
    stream: Iterator[bytes] = _capped(chunks, max_bytes, over_message or f"{name}: input is over the "
                                      f"{size_text(max_bytes)} limit (raise it with --max-bytes)")
    layers = 0
    while True:
        head, stream = _peek(stream, len(_GZIP_MAGIC))
        if not head.startswith(_GZIP_MAGIC):
            break
        if layers == MAX_GZIP_LAYERS:
            raise UserError(f"{name}: more than {MAX_GZIP_LAYERS} nested gzip layers; not a dump or profile")
        layers += 1
        stream = _gunzip_stream(stream, max_bytes, name)
    out = bytearray()
    for chunk in stream:
        out += chunk
    return out, layers


def gunzip(raw: bytes, max_bytes: int, name: str) -> bytearray:
    """Peel every gzip layer of ``raw``, each capped at ``max_bytes``."""
    return collect((raw,), max_bytes, name)[0]


def _capped(chunks: Iterable[bytes], max_bytes: int, message: str) -> Iterator[bytes]:
    seen = 0
    for chunk in chunks:
        seen += len(chunk)
        if seen > max_bytes:
            raise UserError(message)
        yield chunk


def _peek(stream: Iterator[bytes], n: int) -> tuple[bytes, Iterator[bytes]]:
    """The first n bytes (fewer at the end) and the whole stream again."""
    got: list[bytes] = []
    size = 0
    for chunk in stream:
        got.append(chunk)
        size += len(chunk)
        if size >= n:
            break
    head = b"".join(got) if len(got) != 1 else got[0]
    return bytes(head[:n]), itertools.chain(got, stream)


def _gunzip_stream(chunks: Iterable[bytes], max_bytes: int, name: str) -> Iterator[bytes]:
    """Decompress a gzip stream (several members allowed) chunk by chunk; at
    most _CHUNK bytes come out of zlib at a time, so a bomb is stopped when it
    passes the limit, not after it has filled memory."""
    over = f"{name}: decompressed size is over the {size_text(max_bytes)} limit (raise it with --max-bytes)"
    d = zlib.decompressobj(_GZIP_WBITS)
    produced = 0
    ended = False  # after the last member: trailing bytes are ignored, as gzip does
    try:
        for chunk in chunks:
            data = chunk
            while data and not ended:
                if d.eof:
                    if not data.startswith(_GZIP_MAGIC):
                        ended = True
                        break
                    d = zlib.decompressobj(_GZIP_WBITS)
                out = d.decompress(data, _CHUNK)
                data = d.unused_data if d.eof else d.unconsumed_tail
                produced += len(out)
                if produced > max_bytes:
                    raise UserError(over)
                if out:
                    yield out
        # Input exhausted: zlib may still hold output it could not hand over.
        while not d.eof:
            out = d.decompress(b"", _CHUNK)
            if not out:
                raise UserError(f"{name}: gzip stream is truncated")
            produced += len(out)
            if produced > max_bytes:
                raise UserError(over)
            yield out
    except zlib.error as exc:
        raise UserError(f"{name}: corrupt gzip data ({exc})") from None


def _open_file(path: str, max_bytes: int) -> Iterator[bytes]:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        raise UserError(f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise UserError(f"{path}: is a directory, expected a dump or profile file")
    if stat.S_ISREG(st.st_mode) and st.st_size > max_bytes:
        raise UserError(
            f"{path}: {st.st_size / MiB:,.0f} MiB is over the {size_text(max_bytes)} input limit "
            f"(raise it with --max-bytes, or cut the file down)")
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None
    return _file_chunks(fh, path, close=True)


def _file_chunks(fh, name: str = "standard input", close: bool = False) -> Iterator[bytes]:
    try:
        while True:
            try:
                chunk = fh.read(_CHUNK)
            except OSError as exc:
                raise UserError(f"{name}: cannot read ({exc.strerror or exc})") from None
            if not chunk:
                return
            yield chunk
    finally:
        if close:
            fh.close()


# --------------------------------------------------------------------------- live URLs


def check_url(url: str) -> None:
    """Refuse a URL that cannot be fetched as given, before any connection."""
    if any(c <= " " or c == "\x7f" for c in url):
        raise UserError(f"{escape_control(url)}: not a usable URL (it contains spaces or control characters)")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise UserError(f"{url}: not a usable URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(f"{url}: not a usable URL (expected http://host[:port]/path)")


def _with_params(url: str, params: dict[str, str] | None) -> str:
    if not params:
        return url
    return url + ("&" if urlsplit(url).query else "?") + urlencode(params)


class _Deadline:
    """One wall-clock budget; every socket operation gets what is left of it."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def left(self, timeout: float | None) -> float:
        import httpcore

        remaining = self.end - time.monotonic()
        if remaining <= 0:
            raise httpcore.ReadTimeout("time budget used up")
        return remaining if timeout is None else min(timeout, remaining)


def _deadline_backend(deadline: _Deadline):
    """An httpcore network backend whose every connect, read and write is
    bounded by what is left of the deadline: httpx's own timeouts are per
    operation, so a server sending a byte a second would never time out."""
    import httpcore

    class Stream(httpcore.NetworkStream):
        def __init__(self, inner):
            self._inner = inner

        def read(self, max_bytes, timeout=None):
            return self._inner.read(max_bytes, deadline.left(timeout))

        def write(self, buffer, timeout=None):
            self._inner.write(buffer, deadline.left(timeout))

        def close(self):
            self._inner.close()

        def start_tls(self, ssl_context, server_hostname=None, timeout=None):
            return Stream(self._inner.start_tls(ssl_context, server_hostname, deadline.left(timeout)))

        def get_extra_info(self, info):
            return self._inner.get_extra_info(info)

    class Backend(httpcore.NetworkBackend):
        def __init__(self):
            self._inner = httpcore.SyncBackend()

        def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
            # The name is resolved here, within the deadline, and each address
            # tried in turn, as socket.create_connection would; given an
            # address, httpcore's own connect resolves nothing.  TLS still
            # checks the certificate against the URL's host name (start_tls
            # gets it from httpcore, not from this address).
            last: OSError | None = None
            for address in _resolve(host, port, deadline):
                try:
                    return Stream(self._inner.connect_tcp(address, port, deadline.left(timeout), local_address,
                                                          socket_options))
                except httpcore.ConnectError as exc:
                    last = exc
            raise last if last is not None else httpcore.ConnectError(f"{host}: no address to connect to")

        def connect_unix_socket(self, path, timeout=None, socket_options=None):
            return Stream(self._inner.connect_unix_socket(path, deadline.left(timeout), socket_options))

        def sleep(self, seconds):
            time.sleep(min(seconds, max(deadline.end - time.monotonic(), 0)))

    return Backend()


def _resolve(host: str, port: int, deadline: _Deadline) -> list[str]:
    """The addresses of ``host``, looked up within what is left of the
    deadline.  getaddrinfo takes no timeout (a resolver that does not answer
    holds it for the resolver's own retries, tens of seconds), so it runs in
    a daemon thread that is abandoned, not waited for, when time is up."""
    import httpcore

    name = host.decode("ascii") if isinstance(host, bytes) else host
    try:
        return [str(ipaddress.ip_address(name.strip("[]")))]  # already an address: nothing to look up
    except ValueError:
        pass
    found: list = []

    def lookup():
        try:
            found.append(socket.getaddrinfo(name, port, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError) as exc:
            found.append(exc)

    worker = threading.Thread(target=lookup, name=f"steadygo-resolve-{name}", daemon=True)
    worker.start()
    worker.join(deadline.left(None))
    if not found:
        raise httpcore.ConnectTimeout(f"resolving {name} took the whole time budget")
    if isinstance(found[0], BaseException):
        raise httpcore.ConnectError(f"cannot resolve {name}: {getattr(found[0], 'strerror', None) or found[0]}")
    addresses = list(dict.fromkeys(info[4][0] for info in found[0]))
    if not addresses:
        raise httpcore.ConnectError(f"cannot resolve {name}: no address")
    return addresses


_REDIRECTS = (301, 302, 303, 307, 308)


class _UrlBody:
    """GET a URL within one time budget; ``chunks()`` yields the raw body.

    With ``any_status`` (a probe looking at what an endpoint answers) a
    non-200 status is not an error: it is recorded in ``status`` with its
    body, and a redirect off the host is returned as it came, not followed."""

    def __init__(self, url: str, timeout: float, params: dict[str, str] | None, accept: str = "*/*",
                 offer_gzip: bool = False, any_status: bool = False):
        self.url, self.timeout, self.params, self.accept = url, timeout, params, accept
        self.offer_gzip = offer_gzip
        self.any_status = any_status
        self.content_type = ""
        self.status = 0
        self.location = ""  # the Location of a redirect that was not followed
        self.refused = ""  # why it was not followed (the message read_artifact would raise)
        self.budget = timeout  # the --timeout named in messages (get: the whole probe's, not what was left)
        self.budget_name = "--timeout"

    def chunks(self) -> Iterator[bytes]:
        import httpcore

        url = self.url
        deadline = _Deadline(self.timeout)
        host = urlsplit(url).netloc
        current = _with_params(url, self.params)
        ext = {"timeout": {k: self.timeout for k in ("connect", "read", "write", "pool")}}
        headers = [(b"User-Agent", b"steadygo"), (b"Accept", self.accept.encode("latin-1"))]
        if self.offer_gzip:
            headers.append((b"Accept-Encoding", b"gzip"))
        try:
            with httpcore.ConnectionPool(network_backend=_deadline_backend(deadline), retries=0) as pool:
                for _ in range(_MAX_REDIRECTS + 1):
                    with pool.stream("GET", current, headers=headers, extensions=ext) as resp:
                        self.status = resp.status
                        if resp.status in _REDIRECTS:
                            try:
                                current = self._redirect_target(current, resp, host)
                                continue
                            except UserError as exc:
                                if not self.any_status:
                                    raise
                                self.location = escape_control(urljoin(current, _header(resp, b"location")))
                                self.refused = str(exc)
                        elif resp.status != 200 and not self.any_status:
                            reason = resp.extensions.get("reason_phrase", b"").decode("latin-1")
                            raise UserError(f"{url}: HTTP {resp.status} {escape_control(reason)}".rstrip())
                        self.content_type = escape_control(_header(resp, b"content-type"))
                        for chunk in resp.iter_stream():
                            deadline.left(None)
                            if chunk:
                                yield chunk
                        return
                raise UserError(f"{url}: too many redirects")
        except httpcore.TimeoutException:
            if self.budget_name == "--timeout":
                raise OutOfTime(f"{url}: no complete response within the {self.budget:g} s time budget "
                                "(--timeout)") from None
            raise OutOfTime(f"{url}: no complete response within {self.budget:g} s ({self.budget_name})") from None
        except httpcore.RemoteProtocolError as exc:
            # h11's words ("illegal request line") name its own state, not
            # what came back: say that the answer was not HTTP.
            detail = escape_control(str(exc))
            what = "" if "peer closed" in detail else "the answer is not valid HTTP: "
            raise UserError(f"{url}: {what}RemoteProtocolError: {detail}") from None
        except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol,
                httpcore.ProxyError, OSError, ValueError) as exc:
            raise UserError(f"{url}: {type(exc).__name__}: {escape_control(str(exc))}") from None

    def _redirect_target(self, current: str, resp, host: str) -> str:
        location = _header(resp, b"location")
        target = urljoin(current, location)
        try:
            parts = urlsplit(target)
        except ValueError:
            parts = None
        shown = escape_control(target)
        if parts is None or parts.scheme not in ("http", "https"):
            raise UserError(f"{self.url}: redirected to '{shown}', which is not an http(s) URL; not following")
        if parts.netloc != host:
            raise UserError(f"{self.url}: redirected to another host ({escape_control(parts.netloc)}); not following")
        check_url(target)
        return target


def _header(resp, name: bytes) -> str:
    for k, v in resp.headers:
        if k.lower() == name:
            return v.decode("latin-1")
    return ""


# --------------------------------------------------------------------------- sniffing


def looks_like_html(data: bytes) -> bool:
    head = data[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in head[:200]


# Kept for callers that want to sniff gzip without reading the artifact.
def is_gzip(data: bytes) -> bool:
    return data[:2] == _GZIP_MAGIC


__all__ = ["Artifact", "OutOfTime", "Response", "get", "resolve", "read_artifact", "collect", "gunzip", "check_url", "is_url", "looks_like_html", "is_gzip",
           "size_text", "DEFAULT_MAX_BYTES"]
