"""Read pprof protobuf profiles (heap, allocs, CPU, goroutine) and rank them.

The wire format is decoded by the protobuf library through the generated
``profile_pb2`` module (see ``proto/profile.proto`` and
``scripts/gen_profile_pb2.sh``); we never hand-parse protobuf.

Aggregation is keyed on location-id tuples first (cheap: they are C-level
repeated fields) and turned into function names once per distinct location,
so a 20 MB profile is a few passes over arrays rather than string work per
sample.
"""

from __future__ import annotations

import functools

from collections import defaultdict
from itertools import chain
from dataclasses import dataclass, field

from google.protobuf.message import DecodeError

from steadygo.errors import UserError
from steadygo.runtime import fetch
from steadygo.runtime import profile_pb2

FrameT = tuple[str, str, int]  # (function, file, line)


@dataclass
class Profile:
    source: str
    pb: profile_pb2.Profile
    sample_types: list[tuple[str, str]]
    period_type: tuple[str, str] | None
    period: int
    default_sample_type: str
    # location id -> frames, innermost first (inlined functions expanded)
    loc_frames: dict[int, tuple[FrameT, ...]] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        names = {t for t, _ in self.sample_types}
        if {"inuse_space", "alloc_space"} & names:
            return "heap"
        if "cpu" in names or (self.period_type and self.period_type[0] == "cpu"):
            return "cpu"
        if names & {"goroutine", "goroutineleak"}:
            return "goroutine"
        return self.sample_types[0][0] if self.sample_types else "unknown"

    @functools.cached_property
    def sample_locations(self) -> list[tuple[int, ...]]:
        """Each sample's location ids, read out of protobuf once: walking the
        repeated fields costs more than everything done with them after."""
        return [tuple(s.location_id) for s in self.pb.sample]

    @functools.cached_property
    def sample_values(self) -> list[tuple[int, ...]]:
        return [tuple(s.value) for s in self.pb.sample]

    @functools.cached_property
    def canon(self) -> "Canon":
        """A Canon of this profile alone, shared by its top tables."""
        return Canon()

    def type_index(self, name: str) -> int:
        for i, (t, _) in enumerate(self.sample_types):
            if t == name:
                return i
        raise UserError(f"{self.source}: no sample type {name!r} (has: {', '.join(t for t, _ in self.sample_types)})")

    def unit(self, name: str) -> str:
        return self.sample_types[self.type_index(name)][1]

    def samples(self):
        """(frames leaf-first, values, labels) for each sample."""
        st = self.pb.string_table
        n = len(st)
        lf = self.loc_frames
        for s in self.pb.sample:
            frames: list[FrameT] = []
            for lid in s.location_id:
                frames.extend(lf.get(lid, ()))
            # Label indexes are not checked at parse time (most callers never
            # read labels); one out of range is corrupt input, not a crash.
            labels = {}
            for lb in s.label:
                if not (0 <= lb.key < n and 0 <= lb.str < n):
                    raise UserError(f"{self.source}: corrupt pprof profile (label string index out of range)")
                labels[st[lb.key]] = st[lb.str] if lb.str else lb.num
            yield frames, list(s.value), labels


def load(source: str, max_bytes: int = fetch.DEFAULT_MAX_BYTES, timeout: float = fetch.DEFAULT_TIMEOUT) -> Profile:
    art = fetch.read_artifact(source, max_bytes=max_bytes, timeout=timeout)
    return parse_profile(art.data, source, max_bytes)


def parse_profile(data: bytes, source: str = "<profile>", max_bytes: int = fetch.DEFAULT_MAX_BYTES) -> Profile:
    if fetch.is_gzip(data):
        # The caller's limit holds for every gzip layer (read_artifact has
        # usually peeled them already; this is for bytes handed in directly).
        data = fetch.gunzip(data, max_bytes, source)
    if not data:
        raise UserError(f"{source}: empty file, expected a pprof profile")
    if fetch.looks_like_html(data):
        raise UserError(f"{source}: this is an HTML page, not a pprof profile (wrong URL, or a proxy error page?)")
    head = data[:64].lstrip()  # a slice: lstrip() of the whole input would copy it
    if head.startswith((b"goroutine ", b"heap profi")):
        raise UserError(f"{source}: this is a text profile (debug=1); fetch it without ?debug= to get the pprof format")
    pb = profile_pb2.Profile()
    try:
        pb.ParseFromString(data)
    except DecodeError as exc:
        raise UserError(f"{source}: not a pprof profile (protobuf decode failed: {exc})") from None
    st = pb.string_table
    if not st or st[0] != "" or not pb.sample_type:
        raise UserError(f"{source}: not a pprof profile (no string table or sample types)")
    n = len(st)

    def s(i: int) -> str:
        if 0 <= i < n:
            return st[i]
        raise UserError(f"{source}: corrupt pprof profile (string index {i} out of range)")

    sample_types = [(s(v.type), s(v.unit)) for v in pb.sample_type]
    period_type = (s(pb.period_type.type), s(pb.period_type.unit)) if pb.HasField("period_type") else None
    default = s(pb.default_sample_type) if pb.default_sample_type else sample_types[-1][0]
    funcs = {f.id: (s(f.name), s(f.filename)) for f in pb.function}
    loc_frames: dict[int, tuple[FrameT, ...]] = {}
    for loc in pb.location:
        frames = []
        for ln in loc.line:
            name, fname = funcs.get(ln.function_id, (f"0x{loc.address:x}", ""))
            frames.append((name, fname, ln.line))
        if not frames:
            frames.append((f"0x{loc.address:x}", "", 0))
        loc_frames[loc.id] = tuple(frames)
    # A sample with fewer values than sample types is caught where values are
    # read (stacks(), total()); checking all of them here costs a full pass.
    return Profile(source=source, pb=pb, sample_types=sample_types, period_type=period_type,
                   period=pb.period, default_sample_type=default, loc_frames=loc_frames)


# --------------------------------------------------------------------------- aggregation
#
# Location ids are private to one profile, so stacks are compared through
# canonical ids: one per distinct frame tuple, shared by every profile mapped
# into the same Canon.  Stacks become tuples of small ints built with
# map()/tuple() in C, which keeps a 300k-sample diff well under a second.


class Canon:
    """Canonical location ids shared by the profiles mapped into it.  The
    first profile's own location ids are kept as canonical ids where they are
    free, so its stacks need no per-frame translation at all (tuple() of the
    repeated field runs in C); usually only the base profile is translated."""

    def __init__(self) -> None:
        self.ids: dict[tuple[FrameT, ...], int] = {}
        self.frames: dict[int, tuple[FrameT, ...]] = {}
        self.funcsets: dict[int, frozenset[str]] = {}
        self._next = 1 << 40  # ids for frames first seen in a later profile
        self.keys_by_profile: dict[int, list[tuple[int, ...]]] = {}

    def map_profile(self, p: Profile) -> dict[int, int]:
        out = {}
        for lid, frames in p.loc_frames.items():
            cid = self.ids.get(frames)
            if cid is None:
                if lid in self.frames:
                    cid, self._next = self._next, self._next + 1
                else:
                    cid = lid
                self.ids[frames] = cid
                self.frames[cid] = frames
                self.funcsets[cid] = frozenset(f[0] for f in frames)
            out[lid] = cid
        return out

    def leaf_func(self, cid: int) -> str:
        return self.frames[cid][0][0]

    def leaf_where(self, cid: int) -> str:
        f = self.frames[cid][0]
        return f"{f[1]}:{f[2]}" if f[1] else ""

    def names(self, key: tuple[int, ...], limit: int = 0) -> list[str]:
        out: list[str] = []
        for cid in key:
            for f in self.frames[cid]:
                out.append(f[0])
        return out[:limit] if limit else out


def _mapped_keys(p: Profile, canon: Canon) -> list[tuple[int, ...]]:
    """Every sample's stack in the canon's ids, computed once per (profile,
    canon) and shared by the sample types read from it (top tables ask for
    three)."""
    cached = canon.keys_by_profile.get(id(p))
    if cached is not None:
        return cached
    lmap = canon.map_profile(p)
    locs = p.sample_locations
    try:
        if all(k == v for k, v in lmap.items()):
            unknown = set(chain.from_iterable(locs)).difference(lmap)
            if unknown:
                raise KeyError(min(unknown))
            keys = locs
        else:
            get = lmap.__getitem__
            keys = [tuple(map(get, loc)) for loc in locs]
    except KeyError as exc:
        raise UserError(f"{p.source}: corrupt pprof profile (sample refers to missing location {exc})") from None
    canon.keys_by_profile[id(p)] = keys
    return keys


def stacks(p: Profile, sample_type: str, canon: Canon) -> dict[tuple[int, ...], int]:
    idx = p.type_index(sample_type)
    keys = _mapped_keys(p, canon)
    try:
        vals = [sv[idx] for sv in p.sample_values]
    except IndexError:
        raise UserError(f"{p.source}: corrupt pprof profile (a sample has fewer values than sample types)") from None
    # Only samples with a value for this type count: in a real heap profile
    # most samples are freed allocations with inuse 0.
    acc: dict[tuple[int, ...], int] = {}
    aget = acc.get
    for k, v in zip(keys, vals):
        if v:
            acc[k] = aget(k, 0) + v
    return acc


@dataclass
class Row:
    name: str  # function name
    flat: int
    cum: int
    where: str = ""  # file:line of the leaf-most frame for functions

    def to_dict(self) -> dict:
        return {"name": self.name, "flat": self.flat, "cum": self.cum, "where": self.where}


def _func_rows(canon: Canon, acc: dict[tuple[int, ...], int]) -> list[Row]:
    flat: dict[str, int] = defaultdict(int)
    cum: dict[str, int] = defaultdict(int)
    where: dict[str, str] = {}
    fs = canon.funcsets.__getitem__
    for key, v in acc.items():
        if not key:
            continue
        leaf = canon.leaf_func(key[0])
        flat[leaf] += v
        if leaf not in where:
            where[leaf] = canon.leaf_where(key[0])
        for fn in frozenset().union(*map(fs, key)):
            cum[fn] += v
    rows = [Row(fn, flat.get(fn, 0), c, where.get(fn, "")) for fn, c in cum.items()]
    rows.sort(key=lambda r: (-r.flat, -r.cum, r.name))
    return rows


def top(p: Profile, sample_type: str, n: int = 10) -> list[Row]:
    return _func_rows(p.canon, stacks(p, sample_type, p.canon))[:n]


def total(p: Profile, sample_type: str) -> int:
    idx = p.type_index(sample_type)
    try:
        return sum(sv[idx] for sv in p.sample_values)
    except IndexError:
        raise UserError(f"{p.source}: corrupt pprof profile (a sample has fewer values than sample types)") from None


@dataclass
class Diff:
    sample_type: str
    unit: str
    base_total: int
    cur_total: int
    by_function: list[Row]  # flat/cum are deltas
    by_stack: list[tuple[list[str], int, str]]  # (function names leaf-first, delta, leaf file:line)
    canon: Canon | None = None
    delta_stacks: dict[tuple[int, ...], int] | None = None  # every changed stack, canonical ids


def diff(base: Profile, cur: Profile, sample_type: str, n: int = 10) -> Diff:
    canon = Canon()
    # The larger profile goes first: its location ids become canonical as they are.
    if len(cur.pb.sample) >= len(base.pb.sample):
        c = stacks(cur, sample_type, canon)
        b = stacks(base, sample_type, canon)
    else:
        b = stacks(base, sample_type, canon)
        c = stacks(cur, sample_type, canon)
    delta: dict[tuple[int, ...], int] = {}
    for k, v in c.items():
        dv = v - b.get(k, 0)
        if dv:
            delta[k] = dv
    for k, v in b.items():
        if k not in c:
            delta[k] = -v
    rows = _func_rows(canon, delta)
    top_stacks = sorted(delta.items(), key=lambda kv: -kv[1])[:n]
    return Diff(sample_type=sample_type, unit=cur.unit(sample_type),
                base_total=sum(b.values()), cur_total=sum(c.values()), by_function=rows[:n],
                by_stack=[(canon.names(k), dv, canon.leaf_where(k[0]) if k else "") for k, dv in top_stacks],
                canon=canon, delta_stacks=delta)
