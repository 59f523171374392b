"""The pipeline: discover -> parse (once per file) -> rules -> findings -> processors.

Packages are the unit of work.  Large trees are analysed in a process pool
sized to the machine; each worker parses, runs the enabled rules and applies
inline suppressions, consulting the content-hash cache first.  Processors that
need the whole picture (per-path ignores, baseline, severity overrides,
dedupe, sort, fingerprints) run afterwards, in that fixed order.
"""

from __future__ import annotations

import os
import re
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

from steadygo import cache as result_cache
from steadygo import registry, suppress
from steadygo.config import Config
from steadygo.discovery import Diagnostic, discover, display_path
from steadygo.findings import Finding, Severity, assign_fingerprints
from steadygo.golang.module import ModuleInfo, module_for_dir
from steadygo.golang.package import Package
from steadygo.golang.parse import captures
from steadygo.golang.rules.base import FileContext, GoRule
from steadygo.golang.rules.sg0_engine import SUPPRESSION_WITHOUT_REASON, SYNTAX_ERROR, UNUSED_SUPPRESSION
from steadygo.golang.source import GoFile
from steadygo.overlap import drop_superseded
from steadygo.redact import mask_credential_lines, redact

PARALLEL_MIN_FILES = 150
_GENERATED = re.compile(rb"^// Code generated .* DO NOT EDIT\.\s*$", re.M)
_PACKAGE_LINE = re.compile(rb"^\s*package\s", re.M)
# `//go:build ignore` files are generators and one-off tools run with `go run`:
# never part of the service binary.
_BUILD_IGNORE = re.compile(rb"^//(?:go:build|\s*\+build) ignore\s*$", re.M)


@dataclass
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0
    lines: int = 0
    packages: int = 0
    cached_packages: int = 0
    seconds: float = 0.0
    enabled_rules: list[str] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)

    @property
    def active(self) -> list[Finding]:
        return [f for f in self.findings if f.suppressed is None]

    def failing(self, fail_on: Severity) -> list[Finding]:
        return [f for f in self.active if f.severity >= fail_on]


@dataclass(frozen=True)
class _Task:
    directory: str
    paths: tuple[str, ...]
    base: str
    enabled: tuple[str, ...]
    rule_options: dict
    go_override: tuple[int, int] | None
    max_file_size: int
    use_cache: bool


def is_generated(source: bytes) -> bool:
    """Generated code, or a file excluded from every build (``//go:build ignore``,
    or the older ``// +build ignore``)."""
    m = _PACKAGE_LINE.search(source)
    head = source[: m.start()] if m else source[:4096]
    return bool(_GENERATED.search(head) or _BUILD_IGNORE.search(head))


def _read(path: str, rel: str, max_size: int) -> tuple[bytes | None, list[tuple[str, str, str]]]:
    diags: list[tuple[str, str, str]] = []
    try:
        size = os.path.getsize(path)
        if size > max_size:
            diags.append((rel, f"file is {size / 1e6:.1f} MB, over the max-file-size limit of {max_size / 1e6:.1f} MB; skipped", "warning"))
            return None, diags
        with open(path, "rb") as fh:
            data = fh.read(max_size + 1)
    except OSError as exc:
        diags.append((rel, f"cannot read: {exc.strerror or exc}", "warning"))
        return None, diags
    if b"\x00" in data[:8192]:
        diags.append((rel, "binary content, not Go source; skipped", "warning"))
        return None, diags
    if data.isascii():  # the common case, checked in C without decoding
        return data, diags
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        diags.append((rel, f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); analysed with replacement characters", "warning"))
    return data, diags


def _syntax_finding(file: GoFile) -> Finding | None:
    if not file.root.has_error:
        return None
    errs = captures("(ERROR) @e", file.root).get("e", [])
    node = min(errs, key=lambda n: n.start_byte) if errs else file.root
    line = node.start_point[0] + 1
    meta = SYNTAX_ERROR.meta
    return Finding(
        meta.id, meta.name, meta.severity, meta.layer, file.relpath, line, node.start_point[1] + 1,
        f"syntax error near line {line}; rules ran on the part the parser recovered",
        snippet=redact(file.line_text(line).strip()), breakpoint=meta.breakpoint,
    )


def _engine_finding(rule, file: GoFile, line: int, message: str) -> Finding:
    meta = rule.meta
    return Finding(meta.id, meta.name, meta.severity, meta.layer, file.relpath, line, 1, message,
                   snippet=redact(file.line_text(line).strip()), breakpoint=meta.breakpoint)


def analyse_package(task: _Task) -> tuple[list[Finding], list[tuple[str, str, str]], int, int, bool]:
    """Worker entry point.  Returns findings, diagnostics, files, lines, cache hit."""
    diags: list[tuple[str, str, str]] = []
    sources: list[tuple[str, str, bytes]] = []
    for p in task.paths:
        rel = display_path(p, task.base)
        data, d = _read(p, rel, task.max_file_size)
        diags.extend(d)
        if data is None or is_generated(data):
            continue
        sources.append((p, rel, data))
    nlines = sum(s[2].count(b"\n") for s in sources)
    module = module_for_dir(task.directory)
    if task.go_override is not None:
        module = ModuleInfo(module.root, module.path, task.go_override)
    key = None
    if task.use_cache:
        digest = result_cache.settings_digest(task.enabled, task.rule_options, module.go_version)
        key = result_cache.package_key(digest, [(rel, data) for _, rel, data in sources])
        hit = result_cache.load(key)
        if hit is not None:
            return hit["findings"], diags + [tuple(d) for d in hit["diagnostics"]], len(sources), nlines, True
    findings, file_diags = _analyse(task, module, sources)
    if key is not None:
        result_cache.store(key, findings, file_diags)
    return findings, diags + file_diags, len(sources), nlines, False


def _analyse(task: _Task, module: ModuleInfo, sources) -> tuple[list[Finding], list[tuple[str, str, str]]]:
    diags: list[tuple[str, str, str]] = []
    files = [GoFile(p, rel, data) for p, rel, data in sources]
    pkg = Package(task.directory, files, module, task.rule_options)
    enabled = set(task.enabled)
    rules = [r for r in registry.all_rules() if isinstance(r, GoRule) and r.meta.id in enabled]
    # (rule, its requires_imports) when the rule keeps GoRule's import gate,
    # (rule, None) when it brings its own applies_to
    plan = [(r, r.requires_imports if type(r).applies_to is GoRule.applies_to else None) for r in rules]
    out: list[Finding] = []
    for file in files:
        found: list[Finding] = []
        if SYNTAX_ERROR.meta.id in enabled:
            sf = _syntax_finding(file)
            if sf is not None:
                found.append(sf)
        gates: dict[tuple[str, ...], bool] = {(): True}  # requires_imports -> answer, for this file
        for rule, req in plan:
            if req is not None:
                # the plain import gate: many rules share a few tuples
                ok = gates.get(req)
                if ok is None:
                    ok = gates[req] = file.imports.imports_any_prefix(req)
                if not ok:
                    continue
            elif not rule.applies_to(file):
                continue
            ctx = FileContext(pkg, file, rule)
            try:
                rule.check(ctx)
            except RecursionError:
                diags.append((file.relpath, f"{rule.meta.id} gave up: code nested too deeply", "warning"))
            except Exception as exc:  # a bug in one rule must not lose the rest of the scan
                diags.append((file.relpath, f"internal error in {rule.meta.id} ({type(exc).__name__}: {exc}); "
                              "other rules and files were still checked; please report this", "error"))
                continue
            found.extend(ctx.out)
        if file.beyond_query_depth:  # issue 20 F20: the query cursor cannot see below that depth
            diags.append((file.relpath, "code nested too deeply for the analysis to reach its innermost part; file only partly analysed", "warning"))
        if b"steadygo:ignore" in file.source:
            sups = suppress.parse_suppressions(file.lines)
            found = suppress.apply(found, sups)
            for line, rid, msg in suppress.hygiene(sups, enabled):
                rule = UNUSED_SUPPRESSION if rid == UNUSED_SUPPRESSION.meta.id else SUPPRESSION_WITHOUT_REASON
                if rule.meta.id in enabled:
                    found.append(_engine_finding(rule, file, line, msg))
        out.extend(found)
    return out, diags


def scan(
    paths: list[str],
    config: Config | None = None,
    *,
    use_cache: bool | None = None,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    base: str | None = None,
    baseline: Callable[[list[Finding]], list[Finding]] | None = None,
    extra: list[Finding] | None = None,
) -> ScanResult:
    """``baseline`` is the baseline processor (see ``process``); ``extra`` are
    findings from outside the Go analysis (runtime evidence) that go through
    the same processors.  ``use_cache`` and ``jobs`` default to the config's."""
    started = time.perf_counter()
    config = config or Config()
    use_cache = config.use_cache if use_cache is None else use_cache
    jobs = config.jobs if jobs is None else jobs
    base = base or os.getcwd()
    packages, diagnostics = discover(paths, config, base)
    enabled = tuple(sorted(config.enabled_rule_ids()))
    tasks = [
        _Task(d, tuple(ps), base, enabled, config.rule_options, config.go_version, config.max_file_size, use_cache)
        for d, ps in sorted(packages.items())
    ]
    result = ScanResult(diagnostics=list(diagnostics), enabled_rules=list(enabled), roots=list(paths))
    total_files = sum(len(t.paths) for t in tasks)
    workers = jobs or os.cpu_count() or 1
    raw: list[Finding] = list(extra or ())

    def collect(res, done):
        findings, diags, nfiles, nlines, hit = res
        raw.extend(findings)
        result.diagnostics.extend(Diagnostic(*d) for d in diags)
        result.files += nfiles
        result.lines += nlines
        result.cached_packages += int(hit)
        if progress:
            progress(done, len(tasks))

    if workers > 1 and total_files >= PARALLEL_MIN_FILES and len(tasks) > 1:
        # Big packages first, one per task, so no worker is left finishing a
        # batch of the largest directories while the other idles.
        order = sorted(tasks, key=lambda t: -len(t.paths))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for i, res in enumerate(pool.map(analyse_package, order, chunksize=1), start=1):
                collect(res, i)
    else:
        for i, t in enumerate(tasks, start=1):
            collect(analyse_package(t), i)
    result.packages = len(tasks)
    result.findings = process(raw, config, baseline)
    result.seconds = time.perf_counter() - started
    return result


def process(findings: list[Finding], config: Config, baseline=None) -> list[Finding]:
    """Processors in their documented order (inline suppressions were applied
    per file in the worker): per-path ignores -> dedupe -> fingerprints ->
    baseline -> severity overrides -> sort.  Fingerprints come before the
    baseline because the baseline matches on them."""
    findings = mask_credential_lines(findings)  # before fingerprints: no hash of a secret either
    out = []
    ignored_by_path: dict[str, set[str]] = {}
    seen = set()
    for f in findings:
        ignored = ignored_by_path.get(f.path)
        if ignored is None:
            ignored = ignored_by_path[f.path] = config.ignored_for_path(f.path)
        k = (f.rule_id, f.path, f.line, f.col, f.message)
        if f.rule_id in ignored or k in seen:
            continue
        seen.add(k)
        out.append(f)
    out = drop_superseded(out, registry.rules_by_id())
    out = assign_fingerprints(out)
    if baseline is not None:
        out = baseline(out)
    if config.severity:
        out = [f.with_(severity=config.severity[f.rule_id]) if f.rule_id in config.severity else f for f in out]
    return sorted(out, key=lambda f: f.sort_key)
