"""The engine: discover -> parse (once per file) -> facts -> rules -> pipeline.

Packages are the unit of work, in two passes:

1. Every package is read, parsed and checked by the rules that need nothing
   beyond it; its service facts (routes, listeners, shutdown calls, limits,
   metrics, ...) are extracted from the same trees.  Packages of a scanned
   module that lie outside the scanned paths contribute their facts only.
2. The facts are merged per module, from the files discovery found (config
   excludes and filters apply).  Rules that declare module-wide topics
   (``GoRule.module_facts``) then run on the packages they apply to, with the
   merged facts at hand.

Both passes are cached by content: a package's pass-1 entry by its files and
the settings, its pass-2 entry additionally by the digest of the topics its
rules read, so an edit in another package that changes those facts re-runs
exactly the rules that depend on them.  Large trees run in a process pool; the
processors of ``pipeline`` then run once over everything.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from steadygo import cache as result_cache
from steadygo import pipeline, registry, suppress
from steadygo.artifacts.config_addresses import public_address_keys
from steadygo.config import Config
from steadygo.discovery import Diagnostic, discover, display_path
from steadygo.findings import Finding
from steadygo.golang import facts as gofacts
from steadygo.golang.build_tags import excluded_by_default
from steadygo.golang.module import ModuleInfo, module_for_dir, repository_root
from steadygo.golang.package import Package
from steadygo.golang.parse import captures
from steadygo.golang.roles import package_role
from steadygo.golang.rules.base import FileContext, GoRule
from steadygo.golang.rules.sg0_engine import SYNTAX_ERROR
from steadygo.golang.source import GoFile
from steadygo.redact import redact
from steadygo.result import ScanResult

PARALLEL_MIN_FILES = 150
# In-process scans keep the trees of packages that need the second pass, up to
# this many files in all; past it the rest are parsed again (memory over speed).
KEEP_TREES_MAX_FILES = 1000
# A scanned sub-tree's module is read for facts only up to this many packages
# beyond the scan (a monorepo root is not worth a minute of facts).
CONTEXT_PACKAGE_LIMIT = 2000
_GENERATED = re.compile(rb"^// Code generated .* DO NOT EDIT\.\s*$", re.M)
_PACKAGE_LINE = re.compile(rb"^\s*package\s", re.M)


@dataclass(frozen=True)
class _Task:
    directory: str
    paths: tuple[str, ...]
    base: str
    enabled: tuple[str, ...]  # rule ids to run in this pass ((): facts only)
    rule_options: dict
    go_override: tuple[int, int] | None
    max_file_size: int
    use_cache: bool
    # pass 2 only: the merged facts of the package's module and their digest
    module_facts: gofacts.ServiceFacts | None = None
    facts_digest: str = ""
    second_pass: bool = False
    role_override: str | None = None  # from .steadygo.toml's [roles]
    # The module-fact topics the run's rules read (GoRule.module_facts): facts
    # only some rules need (the "errors" flow) are extracted for those; None: all.
    fact_topics: tuple[str, ...] | None = None
    build_tags: tuple[str, ...] = ()  # --build-tags: files behind them are read


@dataclass
class _Result:
    """What a worker returns for one package and pass."""

    directory: str
    findings: list[Finding]
    diagnostics: list[tuple[str, str, str]]
    files: int
    lines: int
    hit: bool
    module_root: str = ""
    facts: gofacts.ServiceFacts | None = None  # pass 1
    pending: tuple[str, ...] = ()  # pass 1: module-fact rules that apply to the package
    suppressions: list[suppress.FileSuppressions] = field(default_factory=list)
    package: Package | None = None  # pass 1, in-process runs only: trees kept for pass 2
    paths: tuple[str, ...] = ()


def is_generated(source: bytes, build_tags: frozenset[str] = frozenset()) -> bool:
    """Generated code, or a file no default build compiles: ``//go:build
    ignore`` (generators and one-off tools run with ``go run``) or a
    development tag such as ``debug`` or ``integration``
    (golang.build_tags; go vet and golangci-lint skip them too)."""
    m = _PACKAGE_LINE.search(source)
    head = source[: m.start()] if m else source[:4096]
    if _GENERATED.search(head):
        return True
    return b"build" in head and excluded_by_default(head.decode("utf-8", "replace"), build_tags)


def read_source(path: str, rel: str, max_size: int) -> tuple[bytes | None, list[tuple[str, str, str]]]:
    """A Go file's bytes, or None with the reason (too big, unreadable, binary)."""
    diags: list[tuple[str, str, str]] = []
    try:
        size = os.path.getsize(path)
        if size > max_size:
            diags.append((rel, f"file is {size / 1e6:.1f} MB, over the max-file-size limit of {max_size / 1e6:.1f} MB; skipped", "warning"))
            return None, diags
        with open(path, "rb") as fh:
            # the size just read bounds the read, never the configured limit
            data = fh.read(size + 1)
    except OSError as exc:
        diags.append((rel, f"cannot read: {exc.strerror or exc}", "warning"))
        return None, diags
    if len(data) > max_size:
        diags.append((rel, f"file grew over the max-file-size limit of {max_size / 1e6:.1f} MB while read; skipped", "warning"))
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


def _module(task: _Task) -> ModuleInfo:
    return module_for_dir(task.directory).with_go(task.go_override)


def _sources(task: _Task):
    diags: list[tuple[str, str, str]] = []
    sources: list[tuple[str, str, bytes]] = []
    for p in task.paths:
        rel = display_path(p, task.base)
        data, d = read_source(p, rel, task.max_file_size)
        diags.extend(d)
        if data is None or is_generated(data, frozenset(task.build_tags)):
            continue
        sources.append((p, rel, data))
    return sources, diags


def _key(task: _Task, module: ModuleInfo, sources) -> str:
    digest = result_cache.settings_digest(task.enabled, task.rule_options, module.go_version, module.digest,
                                          repository_root(task.directory), task.second_pass, task.facts_digest,
                                          task.role_override, task.fact_topics)
    return result_cache.package_key(digest, [(rel, data) for _, rel, data in sources])


def _rules(ids) -> list[GoRule]:
    wanted = set(ids)
    return [r for r in registry.all_rules() if isinstance(r, GoRule) and r.meta.id in wanted]


def analyse_package(task: _Task, keep_package: bool = False, package: Package | None = None,
                    probe_only: bool = False) -> _Result | None:
    """Worker entry point, for either pass.  ``package``: the trees pass 1
    kept for this package (in-process runs), so pass 2 does not read or parse
    it again.  ``probe_only``: the cached result, or None on a miss (nothing
    is analysed)."""
    if package is not None:
        sources, diags = [(f.path, f.relpath, f.source) for f in package.files], []
    else:
        sources, diags = _sources(task)
    nlines = sum(s[2].count(b"\n") for s in sources)
    module = package.module if package is not None else _module(task)
    key = _key(task, module, sources) if task.use_cache else None
    if key is not None:
        hit = result_cache.load(key)
        if hit is not None:
            return _Result(task.directory, hit.findings, diags + hit.diagnostics, len(sources), nlines, True,
                           module.root, hit.facts, hit.pending, hit.suppressions, paths=task.paths)
        if probe_only:
            return None
    if package is not None:
        pkg = package
    else:
        pkg = Package(task.directory, [GoFile(p, rel, data) for p, rel, data in sources], module, task.rule_options)
        pkg.role_override = task.role_override
        pkg.fact_topics = task.fact_topics
    if task.second_pass:
        res = _second_pass(task, pkg, nlines)
    else:
        res = _first_pass(task, pkg, nlines)
    res.diagnostics = diags + res.diagnostics
    if key is not None:
        result_cache.store(key, result_cache.Entry(res.findings, res.diagnostics[len(diags):], res.facts, res.pending,
                                                   res.suppressions))
    if keep_package and res.pending:
        res.package = pkg
    res.paths = task.paths
    return res


def _first_pass(task: _Task, pkg: Package, nlines: int) -> _Result:
    """Facts of the package, the rules that need nothing beyond it, and which
    module-fact rules would run on it in the second pass."""
    enabled = set(task.enabled)
    rules = _rules(task.enabled)
    local = [r for r in rules if not r.module_facts]
    deferred = [r for r in rules if r.module_facts]
    findings, diags = _run_rules(pkg, local, with_syntax=SYNTAX_ERROR.meta.id in enabled)
    role = _role(pkg)
    pending = tuple(r.meta.id for r in deferred
                    if role in r.meta.roles and any(_gate(r, pkg, f, {}) for f in pkg.files))
    facts = _package_facts(pkg, diags) if pkg.files else None
    sups = [s for f in pkg.files if b"steadygo:ignore" in f.source or b"//nolint" in f.source
            for s in [suppress.file_suppressions(f.relpath, f.lines)] if s is not None]
    return _Result(task.directory, findings, diags, len(pkg.files), nlines, False, pkg.module.root, facts, pending, sups)


def _package_facts(pkg: Package, diags: list) -> gofacts.ServiceFacts | None:
    # Under the same time budget as one file's rules: the facts pass walks
    # routes, listeners and values of every file, and code shaped to be
    # expensive there must not hold the scan either.
    budget = _FileBudget(FILE_BUDGET_SECONDS).start()
    try:
        with budget:
            return gofacts.extract_facts(pkg)
    except _OverBudget:
        diags.append((pkg.files[0].relpath, f"reading the facts of this package stopped after {budget.seconds:g} s "
                      "(code shaped to be expensive to analyse); checks that use them (listeners, routes, "
                      "limits) may miss this package", "warning"))
    except RecursionError:
        diags.append((pkg.files[0].relpath, "facts gave up: code nested too deeply", "warning"))
    except Exception as exc:  # facts are best-effort; a bug here must not lose the scan
        diags.append((pkg.files[0].relpath, f"internal error while reading facts ({type(exc).__name__}: {exc}); "
                      "please report this", "error"))
    finally:
        budget.stop()
    return None


def _second_pass(task: _Task, pkg: Package, nlines: int) -> _Result:
    pkg.module_facts = task.module_facts
    findings, diags = _run_rules(pkg, _rules(task.enabled), with_syntax=False, second=True)
    return _Result(task.directory, findings, diags, len(pkg.files), nlines, False, pkg.module.root)


def _role(pkg: Package) -> str:
    return package_role(pkg, pkg.module_dir(pkg.files[0])) if pkg.files else "library"


def _gate(rule: GoRule, pkg: Package, file: GoFile, gates: dict) -> bool:
    if type(rule).applies_to is not GoRule.applies_to:
        return rule.applies_to(file)
    req = rule.requires_imports
    ok = gates.get(req)
    if ok is None:
        # the plain import gate: many rules share a few tuples
        ok = gates[req] = (not req) or file.imports.imports_any_prefix(req)
    if not ok and rule.types_through_package:
        # the file reaches those packages' types through the package's declarations
        return pkg.types.uses_types_from(file, req)
    return ok


def _run_rules(pkg: Package, rules: list[GoRule], with_syntax: bool, second: bool = False) -> tuple[list[Finding], list[tuple[str, str, str]]]:
    diags: list[tuple[str, str, str]] = []
    out: list[Finding] = []
    role = _role(pkg)
    rules = [r for r in rules if role in r.meta.roles]  # each rule judges the roles it declares
    for file in pkg.files:
        if with_syntax:
            sf = _syntax_finding(file)
            if sf is not None:
                out.append(sf)
        gates: dict[tuple[str, ...], bool] = {}  # requires_imports -> answer, for this file
        budget = _FileBudget(FILE_BUDGET_SECONDS).start()
        try:
            _file_rules(pkg, file, rules, gates, budget, out, diags)
        finally:
            budget.stop()
        if file.beyond_query_depth and not second:  # issue 20 F20: the query cursor cannot see below that depth
            diags.append((file.relpath, "code nested too deeply for the analysis to reach its innermost part; "
                          "file only partly analysed", "warning"))
    return out, diags


def _file_rules(pkg: Package, file: GoFile, rules, gates, budget, out, diags) -> None:
    """The rules on one file, within the file's time budget."""
    for rule in rules:
        if not _gate(rule, pkg, file, gates):
            continue
        ctx = FileContext(pkg, file, rule)
        try:
            with budget:
                rule.check(ctx)
        except _OverBudget:
            diags.append((file.relpath, f"analysis of this file stopped in {rule.meta.id} after "
                          f"{budget.seconds:g} s (code shaped to be expensive to analyse); the rules that had "
                          "not run on it were skipped, other files were analysed", "warning"))
            break
        except RecursionError:
            diags.append((file.relpath, f"{rule.meta.id} gave up: code nested too deeply", "warning"))
        except Exception as exc:  # a bug in one rule must not lose the rest of the scan
            diags.append((file.relpath, f"internal error in {rule.meta.id} ({type(exc).__name__}: {exc}); "
                          "other rules and files were still checked; please report this", "error"))
            continue
        out.extend(ctx.out)


# Wall-clock seconds the rules may spend on one file, all together.  Some
# shapes (thousands of nested closures, calls chained 100,000 deep) cost some
# rules more than linear time; past the budget the file is reported as only
# partly analysed instead of holding the whole scan for minutes.
FILE_BUDGET_SECONDS = float(os.environ.get("STEADYGO_FILE_BUDGET", "20"))


class _OverBudget(BaseException):
    """Raised inside a rule by the budget's timer; a BaseException so that no
    rule's own ``except Exception`` can swallow it."""


class _FileBudget:
    """One timer per file across all its rules: two system calls a file, the
    handler installed once per process.  The alarm raises inside a rule; if it
    fires between rules, the next rule does not start.  Only where signals can
    be had (the main thread of a process, as in the workers and the CLI)."""

    installed = False
    current: "_FileBudget | None" = None

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self.in_rule = False
        self.armed = seconds > 0 and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()

    def start(self) -> "_FileBudget":
        if self.armed:
            if not _FileBudget.installed:
                signal.signal(signal.SIGALRM, _on_alarm)
                _FileBudget.installed = True
            _FileBudget.current = self
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def stop(self) -> None:
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            _FileBudget.current = None

    def __enter__(self):
        if self.expired:
            raise _OverBudget()
        self.in_rule = True
        return self

    def __exit__(self, *exc):
        self.in_rule = False
        return False


def _on_alarm(signum, frame):
    budget = _FileBudget.current
    if budget is None:
        return
    budget.expired = True
    if budget.in_rule:
        budget.in_rule = False
        raise _OverBudget()


def _context_packages(packages: dict[str, list[str]], paths: list[str], config: Config, base: str,
                      roots: set[str]) -> dict[str, list[str]]:
    """Packages of the scanned modules that the scan itself does not cover:
    their facts count (a memory limit set in internal/platform for cmd/api),
    their findings do not.  Found with the same discovery, so excludes and
    filters apply to facts as to findings."""
    tops = [os.path.abspath(p) for p in paths if os.path.isdir(p)]
    missing = []
    for root in sorted(roots):
        covered = any(root == t or root.startswith(t.rstrip(os.sep) + os.sep) for t in tops)
        if not covered:
            missing.append(root)
    if not missing:
        return {}
    found, _ = discover(missing, config, base)
    out = {}
    for d, ps in found.items():
        if d in packages or module_for_dir(d).root not in missing:
            continue
        out[d] = ps
        if len(out) >= CONTEXT_PACKAGE_LIMIT:
            break
    return out


def scan(
    paths: list[str],
    config: Config | None = None,
    *,
    use_cache: bool | None = None,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    base: str | None = None,
    baseline: Callable[[list[Finding]], list[Finding]] | None = None,
    changed: Callable[[list[Finding]], list[Finding]] | None = None,
    extra: list[Finding] | None = None,
    suppressions: bool = True,
    live: Callable[[list[Finding]], list[Finding]] | None = None,
) -> ScanResult:
    """``baseline`` and ``changed`` are the baseline and changed-lines
    processors (see ``pipeline``); ``extra`` are findings from outside the Go
    analysis (runtime evidence) that go through the same processors;
    ``suppressions=False`` runs the pipeline without inline suppressions;
    ``live`` is the live-evidence join (``check --evidence``).
    ``use_cache`` and ``jobs`` default to the config's."""
    started = time.perf_counter()
    config = config or Config()
    use_cache = config.use_cache if use_cache is None else use_cache
    jobs = config.jobs if jobs is None else jobs
    base = base or os.getcwd()
    enabled = tuple(sorted(config.enabled_rule_ids()))
    artifact_ids = _artifact_rule_ids(enabled)
    artifact_files: list[str] | None = [] if artifact_ids else None
    packages, diagnostics = discover(paths, config, base, artifact_files)
    result = ScanResult(diagnostics=list(diagnostics), enabled_rules=list(enabled), roots=list(paths))
    if config.artifact_inputs and not artifact_ids:
        result.diagnostics.append(Diagnostic(
            "--k8s/--dockerfile", "given, but no build or deploy rule is selected (they are preview rules: add "
            "--preview, or select SG7/SG8 by name)", level="warning"))
    if config.vulndb and "SG716" not in enabled:
        result.diagnostics.append(Diagnostic(
            "--vulndb", "a vulnerability database is given (--vulndb or [build] vulndb), but SG716 "
            "(vulnerable-dependency) is not selected (a preview rule: add --preview, or --extend-select SG716)",
            level="warning"))

    role_base = config.root if config.path else base

    topics = tuple(sorted({t for r in _rules(enabled) for t in r.module_facts}))

    def task(d, ps, rules, **kw):
        override = config.role_for(_relative_dir(d, role_base)) if config.roles else None
        return _Task(d, tuple(ps), base, rules, config.rule_options, config.go_version, config.max_file_size,
                     use_cache, role_override=override, fact_topics=topics, build_tags=tuple(config.build_tags), **kw)

    first = [task(d, ps, enabled) for d, ps in sorted(packages.items())]
    workers = max(1, min(jobs or os.cpu_count() or 1, 64))
    done = 0
    steps = len(first)

    def tick():
        nonlocal done
        done += 1
        if progress:
            progress(min(done, steps), steps)

    pool = None
    kept_files = [0]
    try:
        def analyse_all(tasks):
            nonlocal pool
            if not tasks:
                return
            nfiles = sum(len(t.paths) for t in tasks)
            if pool is None and workers > 1 and nfiles >= PARALLEL_MIN_FILES and len(tasks) > 1:
                # imported here: concurrent.futures.process brings multiprocessing,
                # socket, subprocess and logging (~30 ms), for big trees only
                from concurrent.futures import ProcessPoolExecutor

                pool = ProcessPoolExecutor(max_workers=workers)
            if pool is None:
                # the trees of packages that go on to the second pass, up to
                # KEEP_TREES_MAX_FILES files in all (in a big tree only a few
                # packages serve, so they are usually all kept)
                for t in tasks:
                    keep = not t.second_pass and kept_files[0] + len(t.paths) <= KEEP_TREES_MAX_FILES
                    res = analyse_package(t, keep_package=keep)
                    if res.package is not None:
                        kept_files[0] += len(res.package.files)
                    yield res
            else:
                # Big packages first, one per task, so no worker is left finishing
                # a batch of the largest directories while the other idles.
                order = sorted(tasks, key=lambda t: -len(t.paths))
                yield from pool.map(analyse_package, order, chunksize=1)

        def run_all(tasks):
            # A warm run answers from the cache in this process, with no pool
            # to start: packages are probed until the first miss (one probe
            # is all a cold run pays), and the rest go to the workers.
            tasks = list(tasks)
            done_here = 0
            if use_cache:
                for t in tasks:
                    hit = analyse_package(t, probe_only=True)
                    if hit is None:
                        break
                    done_here += 1
                    yield hit
            yield from analyse_all(tasks[done_here:])

        raw: list[Finding] = list(extra or ())
        sups: dict[str, suppress.FileSuppressions] = {}
        facts_by_module: dict[str, list[tuple[str, gofacts.ServiceFacts]]] = {}
        pending: list[_Result] = []
        for res in run_all(first):
            tick()
            if res.facts is not None:
                facts_by_module.setdefault(res.module_root, []).append((res.directory, res.facts))
            raw.extend(res.findings)
            result.diagnostics.extend(Diagnostic(*d) for d in res.diagnostics)
            result.files += res.files
            result.lines += res.lines
            result.cached_packages += int(res.hit)
            for s in res.suppressions:
                sups[s.path] = s
            if res.pending:
                pending.append(res)
        if pending:
            # Only rules of the second pass read module facts: the rest of a
            # module the scan did not cover is read (for facts alone) only then.
            modules = {r.module_root for r in pending} - {""}
            context = _context_packages(packages, paths, config, base, modules)
            steps += len(context)
            for res in run_all([task(d, ps, ()) for d, ps in sorted(context.items())]):
                tick()
                if res.facts is not None:
                    facts_by_module.setdefault(res.module_root, []).append((res.directory, res.facts))
        result.module_facts = _merge_module_facts(facts_by_module, topics)
        result.package_facts = facts_by_module
        if artifact_files is not None and (artifact_files or config.artifact_inputs):
            # After the facts pass: cross-artifact rules join manifests and
            # Dockerfiles with what the code of each module does.
            raw.extend(_check_artifacts(artifact_files, artifact_ids, config, base, result))
        second = _second_pass_tasks(pending, result.module_facts, task)
        steps += len(second)
        for res in _run_second(second, pending, run_all):
            tick()
            raw.extend(res.findings)
            result.diagnostics.extend(Diagnostic(*d) for d in res.diagnostics)
    finally:
        if pool is not None:
            pool.shutdown()
    result.packages = len(packages)
    run = pipeline.Run(config, frozenset(enabled), sups, baseline, changed, settled=frozenset(result.settled),
                       live=live)
    result.findings = pipeline.run(raw, run, pipeline.processors(suppressions=suppressions))
    result.seconds = time.perf_counter() - started
    return result


def _relative_dir(d: str, base: str) -> str:
    rel = os.path.relpath(os.path.abspath(d), os.path.abspath(base)).replace(os.sep, "/")
    return "" if rel == "." else rel


def _artifact_rule_ids(enabled) -> tuple[str, ...]:
    from steadygo.artifacts.rules.base import ArtifactRule

    wanted = set(enabled)
    return tuple(r.meta.id for r in registry.all_rules() if isinstance(r, ArtifactRule) and r.meta.id in wanted)


def _check_artifacts(files: list[str], rule_ids, config: Config, base: str, result: ScanResult) -> list[Finding]:
    """The build and deploy layers (Dockerfiles, Kubernetes manifests) found
    on the same walk, plus the explicit ``--k8s``/``--dockerfile`` inputs;
    their findings join the Go findings in one pipeline."""
    from steadygo.artifacts.check import audit_artifacts
    from steadygo.artifacts.links import GoModule
    from steadygo.artifacts.sources import ExplicitFile

    files = sorted(set(files))
    found = {os.path.abspath(f) for f in files}
    files += [x for x in config.artifact_inputs  # named twice (a path and --k8s): read once
              if not (isinstance(x, ExplicitFile) and os.path.abspath(x.path) in found)]
    modules = [GoModule(root=root, path=facts.module, display_root=display_path(root, base) or ".",
                        serves=bool(facts.listeners))
               for root, facts in sorted(result.module_facts.items())]
    out = audit_artifacts(files, rule_ids, base, options=config.rule_options, modules=modules,
                          services=result.module_facts, settings={"database": {
                              "max_connections": config.database.max_connections,
                              "idle_timeout": config.database.idle_timeout_s},
                              "redis": {"max_clients": config.redis_max_clients}},
                          package_facts=result.package_facts, vulndb=config.vulndb,
                          named={r.meta.id for r in map(registry.lookup, config.select + config.extend_select) if r},
                          roots=result.roots)
    result.diagnostics.extend(out.diagnostics)
    result.artifacts = len(files)
    result.artifact_facts = out.facts
    result.links = out.links
    result.settled = out.settled
    return out.findings


def _merge_module_facts(facts_by_module, topics=()) -> dict[str, gofacts.ServiceFacts]:
    out = {}
    for root, items in facts_by_module.items():
        if not root:
            continue  # outside any module, a package only speaks for itself
        items.sort(key=lambda x: x[0])
        out[root] = gofacts.module_facts_of(module_for_dir(root), [f for _, f in items])
        if "listen_defaults" in topics:
            # Joined here, after the packages' facts: what the module's own
            # deployment files set (a loopback default is local only until
            # a shipped config binds 0.0.0.0).  Read afresh on every run, so
            # the facts digest follows edits to those files.
            out[root].deployed_public_keys = public_address_keys(root)
    return out


def _second_pass_tasks(pending: list[_Result], module_facts, task) -> list[_Task]:
    out = []
    for res in pending:
        facts = module_facts.get(res.module_root) if res.module_root else None
        rules = _rules(res.pending)
        topics = sorted({t for r in rules for t in r.module_facts})
        digest = gofacts.topics_digest(facts, topics) if facts is not None else "package-only"
        t = task(res.directory, res.paths, res.pending,
                 module_facts=facts, facts_digest=digest, second_pass=True)
        out.append(t)
    return out


def _run_second(tasks: list[_Task], pending: list[_Result], run_all):
    """In-process runs reuse the trees pass 1 kept; a pool re-reads."""
    kept = {r.directory: r.package for r in pending if r.package is not None}
    in_process = [t for t in tasks if t.directory in kept]
    rest = [t for t in tasks if t.directory not in kept]
    for t in in_process:
        yield analyse_package(t, package=kept[t.directory])
    if rest:
        yield from run_all(rest)


def collect_facts(paths: list[str], config: Config, *, base: str,
                  artifacts: list | None = None) -> tuple[gofacts.ServiceFacts, list[Diagnostic]]:
    """The facts pass alone, for ``steadygo facts``: every package under
    ``paths`` read (cached like a scan), its facts merged in directory order.
    With ``artifacts`` (a list to fill), the build and deploy facts of the
    Dockerfiles and manifests met on the same walk (and the ``--k8s``/
    ``--dockerfile`` inputs) are appended to it as one ``ArtifactOutcome``,
    linked to the Go modules as a scan links them."""
    found_artifacts: list[str] | None = [] if artifacts is not None else None
    packages, diagnostics = discover(paths, config, base, found_artifacts)
    diags = list(diagnostics)
    found = []
    by_module: dict[str, list[tuple[str, gofacts.ServiceFacts]]] = {}
    for d, ps in sorted(packages.items()):
        # the same task a scan's facts-only pass makes, so the two share cache entries
        res = analyse_package(_Task(d, tuple(ps), base, (), config.rule_options, config.go_version,
                                    config.max_file_size, config.use_cache, build_tags=tuple(config.build_tags)))
        diags.extend(Diagnostic(*x) for x in res.diagnostics)
        if res.facts is not None:
            found.append(res.facts)
            by_module.setdefault(res.module_root, []).append((res.directory, res.facts))
    if artifacts is not None:
        result = ScanResult(module_facts=_merge_module_facts(by_module), package_facts=by_module, roots=list(paths))
        _check_artifacts(found_artifacts or [], (), config, base, result)
        diags.extend(result.diagnostics)
        artifacts.append(result)
    return gofacts.merge_facts(found), diags
