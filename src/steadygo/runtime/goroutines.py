"""Parse goroutine dumps into buckets of identical stacks.

Three inputs, one model:

* ``debug=2`` text (``goroutine N [state, M minutes]:`` blocks, the format of
  an unrecovered panic), including panic / fatal-error headers, race-detector
  reports and the ``(leaked)`` marks of the goroutineleak profile;
* ``debug=1`` text (``N @ 0x...`` aggregated counts with ``#`` frames);
* the pprof protobuf form (``debug=0``) of the goroutine and goroutineleak
  profiles.

Speed matters because a dump of a sick service holds ~100k goroutines.  The
parser is linear: one regex pass over the whole text strips what differs
between goroutines of the same stack (arguments, ``+0x`` offsets, the creator's
goroutine id), the text is split into blocks once, and blocks are grouped by
their normalised body in a dict.  Frames are parsed once per bucket, not once
per goroutine.  Nothing recurses.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from steadygo.errors import UserError
from steadygo.runtime import fetch

# Strip what differs between goroutines parked on the same stack: call
# arguments at the end of function lines and the creator's goroutine id.  The
# "+0x" pc offsets are the same for the same stack, so they stay in the key
# (one regex pass less over a 64 MiB dump) and are dropped per bucket; only
# GOTRACEBACK=system's fp/sp values differ per goroutine and need a pass.
# Anchored at line end so a function name's own parentheses, like
# (*T).Method, survive.  Separate passes with literal prefixes are faster in
# Python's re than one alternation.
_ARGS = re.compile(r"\([^()\n]*\)(?=\n\t)")  # every function line is followed by its \t file line
_FP_SP = re.compile(r" fp=0x[0-9a-f]+ sp=0x[0-9a-f]+ pc=0x[0-9a-f]+$", re.M)
_OFFSET = re.compile(r" \+0x[0-9a-f]+$")
_NOISE = re.compile(r"\([^()\n]*\)$|[ \t]\+0x[0-9a-f]+[^\n]*$| in goroutine \d+$", re.M)  # for short texts


def _normalise(text: str) -> str:
    if " fp=0x" in text:
        text = _FP_SP.sub("", text)
    # The creator id (" in goroutine N") is cut per block in parse_debug2:
    # one rfind per goroutine is cheaper than another pass over the text.
    return _ARGS.sub("", text)


# Digits are [0-9], not \d: \d also matches other scripts' digits.  Ids are
# uint64 (at most 20 digits); a longer one makes the header garbled.
_HEADER = re.compile(r"goroutine ([0-9]{1,20})(?![0-9])[^\[\n]*\[([^\]\n]*)\]")
_WAIT = re.compile(r", ([0-9]{1,12}) minutes")
_RACE = re.compile(r"^={10,}\nWARNING: DATA RACE\n(.*?)^={10,}$", re.M | re.S)
_DEBUG1_COUNT = re.compile(r"([0-9]+) @( 0x[0-9a-f]+)*\s*$")
_DEBUG1_FRAME = re.compile(r"#\t0x[0-9a-f]+\t(\S+?)(?:\+0x[0-9a-f]+)?\t+(\S+?):([0-9]+)\s*$")

# The runtime stops writing a debug=2 dump once its buffer reaches 64 MiB.
RUNTIME_DUMP_CAP = 64 << 20

# More goroutines than this in one dump is not a real process: each needs at
# least a 2 KiB stack, so 2**32 of them would be 8 TiB.  Counts are only ever
# added up (nothing is allocated per goroutine), so the cap is about telling
# the user the input is nonsense, not about cost.
MAX_GOROUTINES = 1 << 32
_BOM = "\ufeff"


def _line_number(digits: str) -> int:
    """A source line number, 0 when it is not one: Python refuses int() of
    more than 4,300 digits, and isdigit() lets through characters like '²'
    that int() rejects."""
    if 0 < len(digits) <= 9 and digits.isascii() and digits.isdigit():
        return int(digits)
    return 0


def _count_text(digits: str) -> str:
    return digits if len(digits) <= 24 else f"{digits[:12]}...({len(digits):,} digits)"


@dataclass(frozen=True)
class Frame:
    func: str
    file: str = ""
    line: int = 0

    @property
    def package(self) -> str:
        return package_of(self.func)

    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.file else ""


@dataclass
class Bucket:
    """Goroutines with the same stack (arguments and ids ignored)."""

    key: str
    frames: list[Frame] = field(default_factory=list)
    created_by: Frame | None = None
    count: int = 0
    states: Counter = field(default_factory=Counter)
    # minutes waited -> goroutines (0 = under a minute or unknown): one entry
    # per distinct wait, not per goroutine, so memory follows the input size.
    wait_minutes: Counter = field(default_factory=Counter)
    ids: list[int] = field(default_factory=list)  # first few goroutine ids, for the reader to grep
    first_line: int = 0  # line in the dump where the first goroutine of the bucket starts
    leaked: int = 0  # goroutines the GC proved leaked (goroutineleak profile)
    locked_to_thread: int = 0
    elided: bool = False

    @property
    def state(self) -> str:
        if not self.states:
            return "unknown"
        return self.states.most_common(1)[0][0]

    @property
    def base_state(self) -> str:
        return base_state(self.state)

    def top_user_frame(self, module: str | None = None) -> Frame | None:
        for f in self.frames:
            if is_user_func(f.func, module):
                return f
        return None

    @property
    def top_frame(self) -> Frame | None:
        return self.frames[0] if self.frames else None

    def wait_range(self) -> tuple[int, int]:
        waits = [w for w, n in self.wait_minutes.items() if n > 0]
        if not waits:
            return (0, 0)
        return (min(waits), max(waits))


@dataclass
class RaceReport:
    line: int
    text: str
    accesses: list[tuple[str, Frame | None]]  # ("Write at 0x... by goroutine 7", top user-ish frame)


@dataclass
class Dump:
    source: str
    format: str  # debug2 | debug1 | pprof
    profile: str = "goroutine"  # goroutine | goroutineleak
    buckets: list[Bucket] = field(default_factory=list)
    total: int = 0
    declared_total: int | None = None  # "goroutine profile: total N" in debug=1 / pprof
    header: list[str] = field(default_factory=list)  # panic / fatal error lines
    races: list[RaceReport] = field(default_factory=list)
    truncated: bool = False
    truncated_note: str = ""
    warnings: list[str] = field(default_factory=list)
    size: int = 0

    @property
    def crashed(self) -> bool:
        return any(h.startswith(("panic:", "fatal error:")) for h in self.header)


# Runtime functions that tell why a goroutine is parked, for the formats
# (debug=1, pprof) that carry no state line.  Checked leaf-first.
_STATE_BY_FRAME = (
    ("runtime.chansend", "chan send"),
    ("runtime.chanrecv", "chan receive"),
    ("runtime.selectgo", "select"),
    ("runtime.block", "select (no cases)"),
    ("sync.runtime_notifyListWait", "sync.Cond.Wait"),
    ("sync.(*Cond).Wait", "sync.Cond.Wait"),
    ("sync.(*Mutex).Lock", "sync.Mutex.Lock"),
    ("internal/sync.(*Mutex).lockSlow", "sync.Mutex.Lock"),
    ("sync.(*RWMutex).RLock", "sync.RWMutex.RLock"),
    ("sync.(*RWMutex).Lock", "sync.RWMutex.Lock"),
    ("sync.(*WaitGroup).Wait", "sync.WaitGroup.Wait"),
    ("sync.runtime_Semacquire", "semacquire"),
    ("internal/poll.runtime_pollWait", "IO wait"),
    ("time.Sleep", "sleep"),
    ("runtime.goparkunlock", "waiting"),
)


def infer_state(frames: list[Frame]) -> str:
    for f in frames[:8]:
        for prefix, state in _STATE_BY_FRAME:
            if f.func.startswith(prefix):
                return state
    return "unknown"


def base_state(state: str) -> str:
    """'chan send (leaked)' -> 'chan send'; keeps '(nil chan)' and '(no cases)'
    which change the meaning."""
    for mark in (" (leaked)", " (scan)", " (durable)"):
        state = state.replace(mark, "")
    return state


def package_of(func: str) -> str:
    # net/http.(*conn).serve -> net/http ; main.main.func1 -> main
    slash = func.rfind("/")
    dot = func.find(".", slash + 1)
    return func[:dot] if dot > 0 else func


def is_stdlib_package(pkg: str) -> bool:
    # Standard library import paths have no dot in their first element.
    first = pkg.split("/", 1)[0]
    return "." not in first and pkg != "main" and not pkg.startswith("main/")


def is_user_func(func: str, module: str | None = None) -> bool:
    pkg = package_of(func)
    if module:
        return pkg == "main" or pkg == module or pkg.startswith(module + "/")
    return not is_stdlib_package(pkg)


# --------------------------------------------------------------------------- parsing


def load(source: str, max_bytes: int = fetch.DEFAULT_MAX_BYTES, timeout: float = fetch.DEFAULT_TIMEOUT) -> Dump:
    """Read a dump from a path, '-' or a live /debug/pprof/goroutine URL."""
    params = None
    if fetch.is_url(source) and "debug=" not in source and "/debug/pprof/" in source:
        params = {"debug": "2"}
    art = fetch.read_artifact(source, max_bytes=max_bytes, timeout=timeout, params=params)
    return parse_bytes(art.data, source, max_bytes)


def parse_bytes(data: bytes, source: str = "<dump>", max_bytes: int = fetch.DEFAULT_MAX_BYTES) -> Dump:
    if not data or data.isspace():  # no copy of a 64 MiB input
        raise UserError(f"{source}: empty input, expected a goroutine dump")
    if fetch.looks_like_html(data):
        raise UserError(f"{source}: this is an HTML page, not a goroutine dump (wrong URL, or a proxy error page?)")
    head = data[:4096]
    if head.startswith(b"\xef\xbb\xbf"):  # a UTF-8 BOM, as some editors and Windows tools write
        head = head[3:]
    if not head.lstrip()[:32].startswith(_TEXT_STARTS) and _looks_like_pprof(head):
        from steadygo.runtime import pprof

        return from_profile(pprof.parse_profile(data, source, max_bytes), source, len(data))
    text = data.decode("utf-8-sig", errors="replace")  # -sig: drops a BOM
    stripped = text[:4096].lstrip()
    if stripped.startswith(("goroutine profile: total", "goroutineleak profile: total")):
        return parse_debug1(text, source)
    return parse_debug2(text, source)


_TEXT_STARTS = (b"goroutine ", b"panic:", b"fatal error:", b"==================", b"WARNING: DATA RACE",
                b"SIGQUIT", b"runtime:", b"unexpected fault")
_CONTROL = bytes(range(0, 9)) + bytes(range(14, 32))


def _looks_like_pprof(data: bytes) -> bool:
    # A text dump is printable; a serialized Profile is full of small varint
    # tags and lengths in its first bytes.
    head = data[:256]
    return any(c in _CONTROL for c in head)


def parse_debug2(text: str, source: str = "<dump>") -> Dump:
    if text.startswith(_BOM):
        text = text[1:]
    dump = Dump(source=source, format="debug2", size=len(text))
    if "\r\n" in text[:4096]:
        text = text.replace("\r\n", "\n")
    text = _extract_races(text, dump)
    norm = _normalise(text)
    # A dump the runtime cut off at its buffer cap ends mid-line; a complete
    # one ends with a newline.
    cut = not text.endswith("\n")
    # Trailing newlines would make the last block's body differ from its twins.
    blocks = norm.rstrip("\n").split("\n\n")
    buckets: dict[str, Bucket] = {}
    line_no = 1
    last_goroutine: tuple[str, int, int] | None = None  # body, line, minutes waited
    orig_lines: list[str] | None = None
    leaked_profile = False
    garbled = 0
    for block in blocks:
        start = line_no
        line_no += block.count("\n") + 2
        if not block:
            continue
        if block.startswith("goroutine "):
            nl = block.find("\n")
            head = block if nl < 0 else block[:nl]
            m = _HEADER.match(head)
            if m is None:
                garbled += 1
                continue
            body = "" if nl < 0 else block[nl + 1:]
            cb = body.rfind("created by ")
            if cb >= 0:
                ig = body.find(" in goroutine ", cb)
                if ig >= 0:
                    end = body.find("\n", ig)
                    body = body[:ig] + (body[end:] if end >= 0 else "")
            b = buckets.get(body)
            if b is None:
                b = buckets[body] = Bucket(key=body, first_line=start)
            state = m.group(2)
            comma = state.find(",")
            extras = ""
            if comma >= 0:
                state, extras = state[:comma], state[comma:]
            b.count += 1
            b.states[state] += 1
            if len(b.ids) < 10:
                b.ids.append(int(m.group(1)))
            wait = 0
            if extras:
                w = _WAIT.search(extras)
                if w:
                    wait = int(w.group(1))
                if "locked to thread" in extras:
                    b.locked_to_thread += 1
            b.wait_minutes[wait] += 1
            if "(leaked)" in state:
                b.leaked += 1
                leaked_profile = True
            last_goroutine = (body, start, wait)
        else:
            if orig_lines is None:
                orig_lines = text.split("\n")
            first = orig_lines[start - 1] if start - 1 < len(orig_lines) else block.split("\n", 1)[0]
            if _is_header_line(first) or (not buckets and _is_header_line(block.split("\n", 1)[0])):
                nlines = block.count("\n") + 1
                dump.header.extend(line for line in orig_lines[start - 1:start - 1 + nlines] if line.strip())
            elif first.startswith(("exit status", "[process exited", "FAIL", "ok ")):
                continue
            else:
                garbled += 1
    if cut and last_goroutine is not None:
        body, start, wait = last_goroutine
        b = buckets[body]
        dump.truncated = True
        dump.truncated_note = (
            f"dump ends mid-goroutine at byte {len(text):,}"
            + (" (the runtime caps debug=2 output at 64 MiB)" if len(text.encode()) >= RUNTIME_DUMP_CAP - 4096 else "")
            + "; the last goroutine's stack is incomplete and was left out, counts are lower bounds")
        # Only the cut goroutine is dropped; its complete twins stay.
        b.count -= 1
        b.wait_minutes[wait] -= 1
        if b.wait_minutes[wait] <= 0:
            del b.wait_minutes[wait]
        if b.count == 0:
            del buckets[body]
    elif cut:
        dump.truncated = True
        dump.truncated_note = "dump ends mid-line; it may have been cut off"
    for b in buckets.values():
        _fill_frames(b)
        b.states = Counter(b.states)
    dump.buckets = sorted(buckets.values(), key=lambda b: (-b.count, b.first_line))
    dump.total = sum(b.count for b in dump.buckets)
    if leaked_profile:
        dump.profile = "goroutineleak"
    if garbled:
        dump.warnings.append(f"{garbled} block(s) were neither goroutines nor a panic header and were skipped")
    if not dump.buckets and not dump.header and not dump.races:
        raise UserError(f"{source}: no goroutines found; this does not look like a goroutine dump")
    return dump


_HEADER_PREFIXES = ("panic:", "fatal error:", "runtime:", "[signal", "unexpected fault", "SIGQUIT", "SIGABRT",
                    "SIGSEGV", "SIGBUS", "PC=", "\tpanic:", "goroutine running on other thread")


def _is_header_line(line: str) -> bool:
    return line.startswith(_HEADER_PREFIXES)


def _fill_frames(b: Bucket) -> None:
    frames: list[Frame] = []
    func: str | None = None
    creator: str | None = None
    pending_created = False
    for raw in b.key.split("\n"):
        if not raw:
            continue
        if raw[0] == "\t" or raw.startswith("    "):
            loc = _OFFSET.sub("", raw.strip())
            colon = loc.rfind(":")
            path, line = (loc[:colon], loc[colon + 1:]) if colon > 0 else (loc, "0")
            lineno = _line_number(line)
            if pending_created and creator is not None:
                b.created_by = Frame(creator, path, lineno)
                pending_created = False
            elif func is not None:
                frames.append(Frame(func, path, lineno))
                func = None
            continue
        if func is not None:  # a function line without its file line
            frames.append(Frame(func))
            func = None
        if raw.startswith("created by "):
            creator = raw[len("created by "):].strip()
            b.created_by = Frame(creator)
            pending_created = True
        elif raw.startswith("...additional frames elided"):
            b.elided = True
        else:
            func = raw.strip()
    if func is not None:
        frames.append(Frame(func))
    b.frames = frames


def _extract_races(text: str, dump: Dump) -> str:
    if "WARNING: DATA RACE" not in text:
        return text
    out: list[str] = []
    pos = 0
    for m in _RACE.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        body = m.group(1)
        accesses: list[tuple[str, Frame | None]] = []
        lines = body.split("\n")
        for i, ln in enumerate(lines):
            if ln and not ln[0].isspace() and (" by goroutine " in ln or " by main goroutine" in ln):
                top = None
                if i + 2 < len(lines) and lines[i + 1].startswith("  "):
                    func = _NOISE.sub("", lines[i + 1].strip())
                    loc = lines[i + 2].strip()
                    loc = re.sub(r" \+0x[0-9a-f]+$", "", loc)
                    path, _, num = loc.rpartition(":")
                    top = Frame(func, path, _line_number(num))
                accesses.append((ln.rstrip(":"), top))
        dump.races.append(RaceReport(line=line, text=m.group(0), accesses=accesses))
        out.append(text[pos:m.start()])
        # Keep the line count so later line numbers still point into the file.
        out.append("\n" * m.group(0).count("\n"))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def parse_debug1(text: str, source: str = "<dump>") -> Dump:
    if text.startswith(_BOM):
        text = text[1:]
    dump = Dump(source=source, format="debug1", size=len(text))
    lines = text.split("\n")
    first = lines[0].strip()
    if first.startswith("goroutineleak"):
        dump.profile = "goroutineleak"
    declared = first.rsplit(" ", 1)[-1]
    if declared.isascii() and declared.isdigit() and len(declared) <= 12 and int(declared) <= MAX_GOROUTINES:
        dump.declared_total = int(declared)
    else:
        dump.warnings.append("the 'total' header line is garbled")
    buckets: dict[str, Bucket] = {}
    current: Bucket | None = None
    current_frames: list[str] = []
    garbled = 0

    def close() -> None:
        nonlocal current
        if current is None:
            return
        key = "\n".join(current_frames)
        inferred = infer_state(current.frames)
        if dump.profile == "goroutineleak":
            inferred += " (leaked)"
        current.states = Counter({inferred: current.count})
        prev = buckets.get(key)
        if prev is not None:  # same stack under different labels: one bucket
            prev.count += current.count
            prev.states.update(current.states)
            prev.wait_minutes.update(current.wait_minutes)
            prev.leaked += current.leaked
        else:
            current.key = key
            buckets[key] = current
        current = None

    for i, raw in enumerate(lines[1:], start=2):
        line = raw.rstrip("\r")
        if not line.strip():
            close()
            continue
        if line[0].isdigit():
            close()
            m = _DEBUG1_COUNT.match(line)
            if m is None:
                garbled += 1
                continue
            n = _plausible_count(m.group(1), f"{source}:{i}")
            current = Bucket(key="", first_line=i, count=n)
            if n:
                current.wait_minutes[0] = n
            if dump.profile == "goroutineleak":
                current.leaked = n
            current_frames = []
            continue
        if line.startswith("# labels:") or current is None:
            if current is None and not line.startswith("#"):
                garbled += 1
            continue
        m = _DEBUG1_FRAME.match(line)
        if m is None:
            garbled += 1
            continue
        fr = Frame(m.group(1), m.group(2), _line_number(m.group(3)))
        current.frames.append(fr)
        current_frames.append(f"{fr.func}\t{fr.file}:{fr.line}")
    close()
    dump.buckets = sorted(buckets.values(), key=lambda b: (-b.count, b.first_line))
    dump.total = sum(b.count for b in dump.buckets)
    _check_total(dump.total, source)
    if garbled:
        dump.warnings.append(f"{garbled} line(s) were not part of the debug=1 format and were skipped")
    if dump.declared_total is not None and dump.total < dump.declared_total and not garbled:
        dump.warnings.append(f"header says {dump.declared_total} goroutines but the stacks add up to {dump.total}")
    if not dump.buckets:
        if dump.declared_total == 0:
            return dump
        raise UserError(f"{source}: no goroutine stacks found in the debug=1 dump")
    return dump


def from_profile(prof, source: str, size: int = 0) -> Dump:
    """A goroutine or goroutineleak profile in pprof protobuf form."""
    if prof.sample_types and prof.sample_types[0][0] not in ("goroutine", "goroutineleak", "count"):
        raise UserError(f"{source}: a pprof {prof.sample_types[0][0]} profile, not a goroutine profile "
                        "(use `steadygo heap` for heap and CPU profiles)")
    dump = Dump(source=source, format="pprof", size=size)
    kind = prof.sample_types[0][0] if prof.sample_types else "goroutine"
    period_kind = prof.period_type[0] if prof.period_type else ""
    leak = kind == "goroutineleak" or period_kind == "goroutineleak"
    if leak:
        dump.profile = "goroutineleak"
    buckets: dict[tuple, Bucket] = {}
    for stack, values, _labels in prof.samples():
        if not values:
            raise UserError(f"{source}: corrupt pprof profile (a goroutine sample has no count)")
        n = values[0]
        if not 0 <= n <= MAX_GOROUTINES:
            raise UserError(f"{source}: a goroutine sample counts {n:,} goroutines, which no real process has "
                            f"(limit {MAX_GOROUTINES:,}); the profile is corrupt")
        key = tuple(stack)
        b = buckets.get(key)
        if b is None:
            b = buckets[key] = Bucket(key="\n".join(f"{f}\t{p}:{ln}" for f, p, ln in stack))
            b.frames = [Frame(f, p, ln) for f, p, ln in stack]
        b.count += n
        if n:
            b.wait_minutes[0] += n
        state = infer_state(b.frames) + (" (leaked)" if leak else "")
        b.states[state] += n
        if leak:
            b.leaked += n
    dump.buckets = sorted(buckets.values(), key=lambda b: -b.count)
    dump.total = sum(b.count for b in dump.buckets)
    _check_total(dump.total, source)
    dump.declared_total = dump.total
    return dump


def _plausible_count(digits: str, where: str) -> int:
    if len(digits) > 12 or int(digits) > MAX_GOROUTINES:
        raise UserError(f"{where}: a count of {_count_text(digits)} goroutines in one stack is not plausible "
                        f"(limit {MAX_GOROUTINES:,}); the dump is corrupt")
    return int(digits)


def _check_total(total: int, source: str) -> None:
    if total > MAX_GOROUTINES:
        raise UserError(f"{source}: the stacks add up to {total:,} goroutines, which no real process has "
                        f"(limit {MAX_GOROUTINES:,}); the dump is corrupt")


# --------------------------------------------------------------------------- report data


def bucket_data(b: Bucket, module: str | None = None) -> dict:
    lo, hi = b.wait_range()
    top_user = b.top_user_frame(module)
    waits = b.wait_minutes
    return {
        "count": b.count,
        "state": b.state,
        "states": dict(b.states),
        "leaked": b.leaked,
        "first_line": b.first_line,
        "ids": b.ids,
        "wait_minutes": {"min": lo, "max": hi,
                         "median": _median_wait(waits),
                         "histogram": _wait_histogram(waits)},
        "top_frame": _frame_data(b.top_frame),
        "top_user_frame": _frame_data(top_user),
        "top_frame_is_user": bool(b.top_frame and top_user and b.top_frame == top_user),
        "created_by": _frame_data(b.created_by),
        "frames": [_frame_data(f) for f in b.frames],
        "elided": b.elided,
        "locked_to_thread": b.locked_to_thread,
    }


_WAIT_EDGES = ((0, "<1m"), (1, "1-9m"), (10, "10-59m"), (60, ">=60m"))


def _wait_histogram(waits: Counter) -> dict[str, int]:
    out = {label: 0 for _, label in _WAIT_EDGES}
    for w, n in waits.items():
        label = _WAIT_EDGES[0][1]
        for edge, lab in _WAIT_EDGES:
            if w >= edge:
                label = lab
        out[label] += max(n, 0)
    return out


def _median_wait(waits: Counter) -> int:
    """The wait of the middle goroutine (upper median), as sorted(all)[n // 2]."""
    total = sum(n for n in waits.values() if n > 0)
    seen = 0
    for w in sorted(waits):
        seen += max(waits[w], 0)
        if seen > total // 2:
            return w
    return 0


def _frame_data(f: Frame | None) -> dict | None:
    if f is None:
        return None
    return {"func": f.func, "file": f.file, "line": f.line}


def report_data(analysis, diff=None, top: int = 20) -> dict:
    """A JSON-ready structure for reporters (the HTML report draws the bucket
    chart and the growth diff from it).  Documented in docs/runtime.md."""
    d = analysis.dump
    data = {
        "source": d.source,
        "format": d.format,
        "profile": d.profile,
        "total": d.total,
        "declared_total": d.declared_total,
        "truncated": d.truncated,
        "truncated_note": d.truncated_note,
        "crashed": d.crashed,
        "header": d.header,
        "warnings": d.warnings,
        "races": [{"line": r.line, "accesses": [{"what": a, "frame": _frame_data(f)} for a, f in r.accesses]}
                  for r in d.races],
        "states": dict(analysis.states.most_common()),
        "buckets": [bucket_data(b, analysis.module) for b in d.buckets[:top]],
        "bucket_count": len(d.buckets),
        "sites": [{"key": s.key, "creator": _frame_data(s.creator), "count": s.count,
                   "buckets": len(s.buckets), "states": dict(s.states)} for s in analysis.sites[:top]],
        "suspects": [{
            "rank": i + 1,
            "rule_id": s.rule.meta.id,
            "rule_name": s.rule.meta.name,
            "definite": s.definite,
            "score": round(s.score, 2) if not s.definite else None,
            "message": s.message,
            "count": s.bucket.count,
            "state": s.bucket.state,
            "first_line": s.bucket.first_line,
            "source_link": s.source_link,
            "static_findings": [{"rule_id": f.rule_id, "path": f.path, "line": f.line, "message": f.message}
                                for f in s.static],
            "bucket": bucket_data(s.bucket, analysis.module),
        } for i, s in enumerate(analysis.suspects[:top])],
    }
    if diff is not None:
        data["diff"] = {
            "before": {"source": diff.before.source, "total": diff.before.total},
            "after": {"source": diff.after.source, "total": diff.after.total},
            "total_delta": diff.total_delta,
            "by_site": [{"key": g.key, "before": g.before, "after": g.after, "delta": g.delta} for g in diff.by_site[:top]],
            "by_bucket": [{"key": g.key, "before": g.before, "after": g.after, "delta": g.delta,
                           "top_frame": _frame_data(g.sample.top_frame if g.sample else None)}
                          for g in diff.by_bucket[:top]],
        }
    return data
