"""Read one runtime artifact (file, stdin or live URL) into memory, bounded.

Every artifact steadygo reads is capped: a goroutine dump pulled from a sick
process can be tens of MiB, and a wrong path can point at a multi-GiB file.
We check the size before reading (no 2 GB read just to refuse it), cap gzip
expansion, and give live endpoints a time and byte budget.  Redirects are
followed only to the same host, so a URL cannot walk us off the target.
"""

from __future__ import annotations

import os
import stat
import sys
import zlib
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from steadygo.errors import UserError

MiB = 1 << 20
# The runtime caps a debug=2 dump at 64 MiB; gzip and the odd concatenated
# dump fit comfortably in 256 MiB while a mistaken 2 GB file is refused.
DEFAULT_MAX_BYTES = 256 * MiB
DEFAULT_TIMEOUT = 30.0
_MAX_REDIRECTS = 3


@dataclass(frozen=True)
class Artifact:
    source: str  # the path, URL or "-" the user gave
    data: bytes  # decompressed
    gzipped: bool
    content_type: str = ""


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def read_artifact(source: str, max_bytes: int = DEFAULT_MAX_BYTES, timeout: float = DEFAULT_TIMEOUT,
                  params: dict[str, str] | None = None) -> Artifact:
    if is_url(source):
        raw, ctype = _fetch(source, max_bytes, timeout, params)
    elif source == "-":
        raw, ctype = _read_stream(sys.stdin.buffer, max_bytes, "standard input"), ""
    else:
        raw, ctype = _read_file(source, max_bytes), ""
    gz = raw[:2] == b"\x1f\x8b"
    data = _gunzip(raw, max_bytes, source) if gz else raw
    return Artifact(source=source, data=data, gzipped=gz, content_type=ctype)


def _read_file(path: str, max_bytes: int) -> bytes:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise UserError(f"{path}: is a directory, expected a dump or profile file")
    if stat.S_ISREG(st.st_mode) and st.st_size > max_bytes:
        raise UserError(
            f"{path}: {st.st_size / MiB:,.0f} MiB is over the {max_bytes / MiB:,.0f} MiB input limit "
            f"(raise it with --max-bytes, or cut the file down)")
    try:
        with open(path, "rb") as fh:
            return _read_stream(fh, max_bytes, path)
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None


def _read_stream(fh, max_bytes: int, name: str) -> bytes:
    # Read one byte past the cap so "exactly at the limit" and "over it" differ.
    data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UserError(f"{name}: input is over the {max_bytes / MiB:,.0f} MiB limit (raise it with --max-bytes)")
    return data


def _gunzip(raw: bytes, max_bytes: int, name: str) -> bytes:
    # Decompress with an output cap so a gzip bomb stops at the limit instead
    # of filling memory.
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    pending = raw
    try:
        while True:
            out += d.decompress(pending, max_bytes + 1 - len(out))
            if len(out) > max_bytes:
                raise UserError(f"{name}: decompressed size is over the {max_bytes / MiB:,.0f} MiB limit")
            if d.eof:
                break
            pending = d.unconsumed_tail
            if not pending:
                raise UserError(f"{name}: gzip stream is truncated")
    except zlib.error as exc:
        raise UserError(f"{name}: corrupt gzip data ({exc})") from None
    return bytes(out)


def _fetch(url: str, max_bytes: int, timeout: float, params: dict[str, str] | None) -> tuple[bytes, str]:
    import httpx  # imported here: only the live-URL path needs it

    host = urlsplit(url).netloc
    current = url
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            for _ in range(_MAX_REDIRECTS + 1):
                with client.stream("GET", current, params=params) as resp:
                    if resp.is_redirect:
                        target = urljoin(current, resp.headers.get("location", ""))
                        if urlsplit(target).netloc != host:
                            raise UserError(f"{url}: redirected to another host ({urlsplit(target).netloc}); not following")
                        current, params = target, None
                        continue
                    if resp.status_code != 200:
                        raise UserError(f"{url}: HTTP {resp.status_code} {resp.reason_phrase}")
                    buf = bytearray()
                    for chunk in resp.iter_raw():
                        buf += chunk
                        if len(buf) > max_bytes:
                            raise UserError(f"{url}: response is over the {max_bytes / MiB:,.0f} MiB limit")
                    return bytes(buf), resp.headers.get("content-type", "")
            raise UserError(f"{url}: too many redirects")
    except httpx.TimeoutException:
        raise UserError(f"{url}: timed out after {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise UserError(f"{url}: {type(exc).__name__}: {exc}") from None


def looks_like_html(data: bytes) -> bool:
    head = data[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in head[:200]


# Kept for callers that want to sniff gzip without reading the artifact.
def is_gzip(data: bytes) -> bool:
    return data[:2] == b"\x1f\x8b"


__all__ = ["Artifact", "read_artifact", "is_url", "looks_like_html", "is_gzip", "DEFAULT_MAX_BYTES"]
