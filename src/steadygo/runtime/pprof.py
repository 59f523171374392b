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

from collections import defaultdict
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
        lf = self.loc_frames
        for s in self.pb.sample:
            frames: list[FrameT] = []
            for lid in s.location_id:
                frames.extend(lf.get(lid, ()))
            labels = {st[lb.key]: (st[lb.str] if lb.str else lb.num) for lb in s.label}
            yield frames, list(s.value), labels


def load(source: str, max_bytes: int = fetch.DEFAULT_MAX_BYTES, timeout: float = fetch.DEFAULT_TIMEOUT) -> Profile:
    art = fetch.read_artifact(source, max_bytes=max_bytes, timeout=timeout)
    return parse_profile(art.data, source)


def parse_profile(data: bytes, source: str = "<profile>") -> Profile:
    if fetch.is_gzip(data):
        data = fetch._gunzip(data, fetch.DEFAULT_MAX_BYTES * 4, source)
    if not data:
        raise UserError(f"{source}: empty file, expected a pprof profile")
    if fetch.looks_like_html(data):
        raise UserError(f"{source}: this is an HTML page, not a pprof profile (wrong URL, or a proxy error page?)")
    if data.lstrip()[:10] in (b"goroutine ", b"heap profi") or data.lstrip().startswith(b"heap profile:"):
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
    nv = len(sample_types)
    for smp in pb.sample:
        if len(smp.value) != nv:
            raise UserError(f"{source}: corrupt pprof profile (a sample has {len(smp.value)} values, expected {nv})")
    return Profile(source=source, pb=pb, sample_types=sample_types, period_type=period_type,
                   period=pb.period, default_sample_type=default, loc_frames=loc_frames)


# --------------------------------------------------------------------------- aggregation


@dataclass
class Row:
    name: str  # function name, or a stack rendered leaf-first with " <- "
    flat: int
    cum: int
    where: str = ""  # file:line of the leaf-most frame for functions

    def to_dict(self) -> dict:
        return {"name": self.name, "flat": self.flat, "cum": self.cum, "where": self.where}


def _by_stack(p: Profile, idx: int) -> dict[tuple, int]:
    acc: dict[tuple, int] = defaultdict(int)
    for s in p.pb.sample:
        v = s.value[idx]
        if v:
            acc[tuple(s.location_id)] += v
    return acc


def _loc_key_map(p: Profile) -> dict[int, tuple[str, ...]]:
    return {lid: tuple(f[0] for f in frames) for lid, frames in p.loc_frames.items()}


def _func_totals(p: Profile, stacks: dict[tuple, int]) -> tuple[dict[str, int], dict[str, int], dict[str, str]]:
    names = _loc_key_map(p)
    flat: dict[str, int] = defaultdict(int)
    cum: dict[str, int] = defaultdict(int)
    where: dict[str, str] = {}
    for key, v in stacks.items():
        if not key:
            continue
        leaf = p.loc_frames.get(key[0])
        if leaf:
            flat[leaf[0][0]] += v
            where.setdefault(leaf[0][0], f"{leaf[0][1]}:{leaf[0][2]}")
        seen: set[str] = set()
        for lid in key:
            for fn in names.get(lid, ()):
                if fn not in seen:
                    seen.add(fn)
                    cum[fn] += v
    return flat, cum, where


def stack_names(p: Profile, key: tuple, limit: int = 0) -> list[str]:
    out: list[str] = []
    for lid in key:
        for f in p.loc_frames.get(lid, ()):
            out.append(f[0])
            if limit and len(out) >= limit:
                return out
    return out


def top(p: Profile, sample_type: str, n: int = 10) -> list[Row]:
    idx = p.type_index(sample_type)
    flat, cum, where = _func_totals(p, _by_stack(p, idx))
    rows = [Row(fn, flat.get(fn, 0), c, where.get(fn, "")) for fn, c in cum.items()]
    rows.sort(key=lambda r: (-r.flat, -r.cum, r.name))
    return rows[:n]


def total(p: Profile, sample_type: str) -> int:
    idx = p.type_index(sample_type)
    return sum(s.value[idx] for s in p.pb.sample)


@dataclass
class Diff:
    sample_type: str
    unit: str
    base_total: int
    cur_total: int
    by_function: list[Row]  # flat/cum are deltas
    by_stack: list[tuple[list[str], int, str]]  # (function names leaf-first, delta, leaf file:line)


def diff(base: Profile, cur: Profile, sample_type: str, n: int = 10) -> Diff:
    bi, ci = base.type_index(sample_type), cur.type_index(sample_type)
    # Location ids are per-profile, so stacks are compared by function names.
    def named(p: Profile, idx: int) -> dict[tuple[str, ...], tuple[int, tuple]]:
        names = _loc_key_map(p)
        out: dict[tuple[str, ...], list] = {}
        for key, v in _by_stack(p, idx).items():
            nk: tuple[str, ...] = ()
            for lid in key:
                nk += names.get(lid, ())
            slot = out.get(nk)
            if slot is None:
                out[nk] = [v, key]
            else:
                slot[0] += v
        return out

    b = named(base, bi)
    c = named(cur, ci)
    stack_delta: list[tuple[tuple[str, ...], int, str]] = []
    fflat: dict[str, int] = defaultdict(int)
    fcum: dict[str, int] = defaultdict(int)
    for nk in set(b) | set(c):
        dv = (c[nk][0] if nk in c else 0) - (b[nk][0] if nk in b else 0)
        if not dv:
            continue
        leaf = ""
        src = c.get(nk) or b.get(nk)
        prof = cur if nk in c else base
        if src and src[1]:
            fr = prof.loc_frames.get(src[1][0])
            if fr:
                leaf = f"{fr[0][1]}:{fr[0][2]}"
        stack_delta.append((nk, dv, leaf))
        if nk:
            fflat[nk[0]] += dv
        for fn in set(nk):
            fcum[fn] += dv
    stack_delta.sort(key=lambda t: (-t[1], t[0]))
    rows = [Row(fn, fflat.get(fn, 0), v) for fn, v in fcum.items()]
    rows.sort(key=lambda r: (-r.flat, -r.cum, r.name))
    return Diff(sample_type=sample_type, unit=cur.unit(sample_type),
                base_total=sum(v for v, _ in b.values()), cur_total=sum(v for v, _ in c.values()),
                by_function=rows[:n], by_stack=[(list(k), d, w) for k, d, w in stack_delta[:n]])
