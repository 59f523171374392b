"""The run's ``Config``: ``.steadygo.toml`` and the command line, merged once.

``resolve`` is the one place where options meet: it finds and reads the
closest config file (or ``--config``), lays the command-line flags over it and
returns one ``Config``.  Commands and the engine read that object and nothing
else.  Every value is validated here, so a bad one is a single line naming
where it came from -- ``--select: unknown rule 'SG9999'`` for a flag,
``path/.steadygo.toml: select: unknown rule 'SG9999'`` for a file key -- and
a typo never silently disables a check.
"""

from __future__ import annotations

import re

import fnmatch
import math
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from steadygo import registry
from steadygo.errors import UserError
from steadygo.findings import Severity

CONFIG_NAME = ".steadygo.toml"
DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024
# ``max-file-size`` bounds a read of every scanned file, so it must stay a
# size the machine can hold; no Go source file is anywhere near 1 GiB.
MAX_FILE_SIZE_LIMIT = 1024 ** 3
# A config is a screenful of TOML.  The cap keeps ``--config /dev/zero`` (or a
# multi-gigabyte file given by mistake) from being read into memory.
MAX_CONFIG_BYTES = 1024 * 1024
# Go versions are short ("1.22", "go1.22.3"); the cap keeps a 5,000-digit
# value from reaching int() and from being echoed back in full.
_MAX_GO_VERSION_CHARS = 32
_MAX_URL_CHARS = 2048
# Rule options that are integers must fit the 64-bit range TOML promises.
_INT_OPTION_RANGE = (-(2 ** 63), 2 ** 63 - 1)
_JOBS_PER_CORE = 4

_TOP_KEYS = {
    "build-tags",
    "select",
    "ignore",
    "extend-select",
    "preview",
    "exclude",
    "per-path-ignores",
    "severity",
    "fail-on",
    "include-tests",
    "max-file-size",
    "go",
    "docs-url",
    "rules",
    "roles",
    "database",
    "redis",
    "build",
}
_DATABASE_KEYS = {"max-connections", "idle-timeout"}
_REDIS_KEYS = {"max-clients"}
_BUILD_KEYS = {"vulndb"}


class Output(NamedTuple):
    """One report format and where it goes (``None``: standard output)."""

    name: str
    path: str | None = None


@dataclass
class Config:
    # --- from .steadygo.toml (some also settable by a flag) ---
    path: str = ""  # the file it came from, '' for defaults
    root: str = "."  # directory of the config file; globs are relative to it
    select: list[str] = field(default_factory=lambda: ["ALL"])
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    preview: bool = False
    exclude: list[str] = field(default_factory=list)
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)
    # glob -> package role, for folders whose name misleads (a service kept
    # under examples/, a tool under internal/): overrides golang.roles' guess
    roles: dict[str, str] = field(default_factory=dict)
    severity: dict[str, Severity] = field(default_factory=dict)  # rule id -> override
    fail_on: Severity = Severity.WARNING
    include_tests: bool = False
    # build tags the project compiles with (go build -tags ...): files behind
    # them are analysed, not skipped as development-only (golang.build_tags)
    build_tags: list[str] = field(default_factory=list)
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    go_version: tuple[int, int] | None = None  # overrides go.mod when set
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)  # rule name -> options
    # Where the team hosts rule docs: a template with {id}; None = link nowhere.
    docs_url: str | None = None
    database: "DatabaseLimits" = field(default_factory=lambda: DatabaseLimits())
    # [redis] max-clients: the Redis server's maxclients, read by SG828 for go-redis pools
    redis_max_clients: int | None = None
    # [build] vulndb / --vulndb: a local Go vulnerability database (absolute) for SG716
    vulndb: str | None = None
    # --- from the command line only ---
    paths: list[str] = field(default_factory=lambda: ["."])
    formats: list[Output] = field(default_factory=lambda: [Output("text")])
    exit_zero: bool = False
    baseline_file: str | None = None  # check: read and applied; baseline create: written
    new_from_rev: str | None = None
    runtime_files: list[str] = field(default_factory=list)
    evidence_files: list[str] = field(default_factory=list)  # check --evidence: joined with the static findings
    no_suppressions: bool = False
    show_suppressed: bool = False
    use_cache: bool = True
    jobs: int | None = None  # None: one worker per core
    # --k8s / --dockerfile: artifact files (paths) or stdin (ArtifactInput)
    artifact_inputs: list = field(default_factory=list)
    progress: bool = True  # draw a progress bar (only ever on a terminal)
    allow_empty: bool = False  # check: a tree with nothing to check is not an error
    sort: str = "file"  # text/concise order: file | severity | rule
    statistics: bool = False  # text/concise: per-rule counts after the findings
    fix: bool = False  # check --fix: apply the mechanical fixes, report what is left
    diff: bool = False  # check --diff: print the fixes as a unified diff, change nothing

    def enabled_rule_ids(self) -> set[str]:
        chosen: set[str] = set()
        for sel in self.select + self.extend_select:
            for r in registry.select_by_selector(sel):
                if r.meta.status == "preview" and not self.preview and registry.lookup(sel) is not r:
                    continue  # preview rules need --preview unless named exactly
                chosen.add(r.meta.id)
        for sel in self.ignore:
            for r in registry.select_by_selector(sel):
                chosen.discard(r.meta.id)
        return chosen

    def is_excluded(self, relpath: str) -> bool:
        return any(_glob_match(relpath, pat) for pat in self.exclude)

    def ignored_for_path(self, relpath: str) -> set[str]:
        out: set[str] = set()
        for pat, sels in self.per_path_ignores.items():
            if _glob_match(relpath, pat):
                for sel in sels:
                    out.update(r.meta.id for r in registry.select_by_selector(sel))
        return out

    def role_for(self, relpath: str) -> str | None:
        """The role ``[roles]`` gives the folder at ``relpath`` (relative to the
        config file's directory), or None; the last matching pattern wins."""
        out = None
        for pat, role in self.roles.items():
            if _glob_match(relpath + "/_", pat):
                out = role
        return out

    def docs_link(self, rule_id: str) -> str | None:
        """The team's documentation page for a rule, or None when no
        ``docs-url`` is configured (reports then embed the docs and link
        nowhere)."""
        return self.docs_url.replace("{id}", rule_id) if self.docs_url else None


def _glob_match(relpath: str, pattern: str) -> bool:
    """A pattern matches a file or any directory above it, so 'gen' and
    'gen/**' both exclude everything under gen/."""
    relpath = relpath.replace(os.sep, "/")
    pattern = pattern.rstrip("/")
    if pattern.endswith("/**"):
        pattern = pattern[:-3]
    parts = relpath.split("/")
    return any(fnmatch.fnmatch("/".join(parts[:i]), pattern) for i in range(1, len(parts) + 1))


# --------------------------------------------------------------------------
# Validators shared by file keys and flags.  ``source`` names where the value
# came from and starts the message: "--select" or "path/.steadygo.toml: select".


def _shown(text: str, limit: int = 120) -> str:
    """A key or value as it may appear in a one-line message: control
    characters escaped (a hostile config must not drive the terminal), long
    text cut."""
    out = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return out if len(out) <= limit else out[:limit] + "..."


def _quoted(text: str, limit: int = 120) -> str:
    """A user's value in quotes, as ``repr`` shows it (control characters
    escaped), cut when long."""
    out = repr(text)
    return out if len(out) <= limit else out[:limit] + "..."


def parse_selectors(value: Any, source: str) -> list[str]:
    """Rule ids, names or prefixes.  A string is split on commas (the flag
    form, ``--select SG1,SG2``); a list is taken element by element."""
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UserError(f"{source}: expected a list of rule ids, names or prefixes")
    for v in value:
        if not registry.select_by_selector(v):
            raise UserError(f"{source}: unknown rule {_quoted(v)}")
    return value


def parse_severity(value: Any, source: str) -> Severity:
    if not isinstance(value, str):
        raise UserError(f"{source}: expected info, warning or error")
    try:
        return Severity.parse(value)
    except ValueError:
        raise UserError(f"{source}: unknown severity {_quoted(value)} (use info, warning or error)") from None


def parse_go_version(value: Any, source: str) -> tuple[int, int]:
    from steadygo.golang.module import parse_version

    if not isinstance(value, str):
        # TOML would read go = 1.20 as the float 1.2: only a string says it right.
        raise UserError(f'{source}: expected a string such as "1.22"')
    if len(value) > _MAX_GO_VERSION_CHARS:
        raise UserError(f"{source}: not a Go version: {_quoted(value, 40)}")
    try:
        return parse_version(value)
    except ValueError as exc:
        raise UserError(f"{source}: {_shown(str(exc))}") from None


def parse_docs_url(value: Any, source: str) -> str:
    """A ``docs-url`` template: an http(s) URL with ``{id}`` where the rule id
    goes.  It is published in every SARIF and HTML report, so it must be a
    plain link: no spaces or control characters (header or markup
    injection), no other braces (``str.format`` would choke on them), no
    user name or password."""
    example = "https://wiki.example.internal/steadygo/{id}.html"
    if not isinstance(value, str):
        raise UserError(f"{source}: expected a URL template such as {example}")
    if len(value) > _MAX_URL_CHARS:
        raise UserError(f"{source}: longer than {_MAX_URL_CHARS} characters")
    if any(c.isspace() or not c.isprintable() for c in value):
        raise UserError(f"{source}: {_quoted(value)} contains spaces or control characters")
    if "{id}" not in value:
        raise UserError(f"{source}: {_quoted(value)} has no {{id}} where the rule id goes (e.g. {example})")
    if "{" in value.replace("{id}", "") or "}" in value.replace("{id}", ""):
        raise UserError(f"{source}: {_quoted(value)}: only {{id}} may appear in braces")
    from urllib.parse import urlsplit  # here: with ipaddress ~10 ms, for a configured URL only

    try:
        parts = urlsplit(value.replace("{id}", "SG101"))
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise UserError(f"{source}: {_quoted(value)} is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(f"{source}: {_quoted(value)} must be an http:// or https:// URL with a host")
    if parts.username is not None or parts.password is not None:
        raise UserError(f"{source}: must not carry a user name or password (it is published in every report)")
    return value


def max_jobs() -> int:
    """More workers than this only adds start-up cost and memory: the work is
    CPU-bound and a machine has os.cpu_count() cores."""
    return _JOBS_PER_CORE * (os.cpu_count() or 1)


def parse_jobs(value: Any, source: str = "--jobs") -> int:
    """At least 1; above ``max_jobs()`` is clamped rather than refused, so a
    CI file written for a bigger runner still works."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise UserError(f"{source}: expected a number of worker processes")
    if value < 1:
        raise UserError(f"{source}: must be at least 1 (got {value})")
    return min(value, max_jobs())


def parse_formats(values: Any, output: str | None, known: Any) -> list[Output]:
    """``--format`` entries (``FMT`` or ``FMT=FILE``, comma-separated or
    repeated) and ``-o FILE``, which goes to the first machine format that
    has no file of its own (or to the text report when it is alone)."""
    if isinstance(values, str):
        values = [values]
    entries: list[Output] = []
    for raw in values or ["text"]:
        for item in (v.strip() for v in raw.split(",")):
            if not item:
                continue
            name, _, path = item.partition("=")
            if name not in known:
                raise UserError(f"--format: unknown format {_quoted(name)} (known: {', '.join(sorted(known))})")
            entries.append(Output(name, path or None))
    if not entries:
        entries = [Output("text")]
    if output:
        free = [i for i, o in enumerate(entries) if o.path is None]
        machine = [i for i in free if entries[i].name != "text"] or free
        if not machine:
            raise UserError("-o/--output given but every format already has its own file")
        entries[machine[0]] = Output(entries[machine[0]].name, output)
    targets = [os.path.abspath(o.path) for o in entries if o.path is not None]
    for t in targets:
        if targets.count(t) > 1:
            # the second report would silently replace the first
            raise UserError(f"--format: {_shown(t)} is the target of more than one format")
    return entries


# --------------------------------------------------------------------------
# The config file.


def find_config(start: str) -> str | None:
    d = os.path.abspath(start)
    if not os.path.isdir(d):
        d = os.path.dirname(d)
    while True:
        candidate = os.path.join(d, CONFIG_NAME)
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def _read_config_text(path: str) -> str:
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise UserError(f"{path}: cannot read config: is a directory")
        if not stat.S_ISREG(st.st_mode):
            # a FIFO would block forever, a device would never end
            raise UserError(f"{path}: cannot read config: not a regular file")
        if st.st_size > MAX_CONFIG_BYTES:
            raise UserError(f"{path}: config file is {st.st_size / 1e6:.1f} MB; a {CONFIG_NAME} is at most 1 MiB")
        with open(path, "rb") as fh:
            data = fh.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        raise UserError(f"{path}: config file not found") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise UserError(f"{path}: config file grew past 1 MiB while being read")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: config is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None
    return text.removeprefix("\ufeff")  # editors on Windows add a BOM; TOML means the same without it


def load(path: str | None) -> Config:
    if path is None:
        return Config()
    import tomllib  # here: ~10 ms, for a config file only

    text = _read_config_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: invalid TOML: {_shown(str(exc), 200)}") from None
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively
        raise UserError(f"{path}: invalid TOML: arrays or tables nested too deeply") from None
    return from_dict(data, path)


def from_dict(data: dict, path: str = "<config>") -> Config:
    cfg = Config(path=path, root=os.path.dirname(os.path.abspath(path)) if path != "<config>" else ".")

    def src(key: str) -> str:
        return f"{path}: {_shown(key)}"

    for key in data:
        if key not in _TOP_KEYS:
            raise UserError(f"{src(key)}: unknown key")
    if "select" in data:
        cfg.select = _file_selectors(data["select"], src("select"))
    if "ignore" in data:
        cfg.ignore = _file_selectors(data["ignore"], src("ignore"))
    if "extend-select" in data:
        cfg.extend_select = _file_selectors(data["extend-select"], src("extend-select"))
    if "preview" in data:
        cfg.preview = _bool(data["preview"], src("preview"))
    if "include-tests" in data:
        cfg.include_tests = _bool(data["include-tests"], src("include-tests"))
    if "build-tags" in data:
        tags = data["build-tags"]
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise UserError(f"{src('build-tags')}: expected a list of build tags")
        cfg.build_tags = parse_build_tags(",".join(tags), src("build-tags"))
    if "exclude" in data:
        ex = data["exclude"]
        if not isinstance(ex, list) or not all(isinstance(v, str) for v in ex):
            raise UserError(f"{src('exclude')}: expected a list of glob patterns")
        cfg.exclude = ex
    if "per-path-ignores" in data:
        ppi = data["per-path-ignores"]
        if not isinstance(ppi, dict):
            raise UserError(f"{src('per-path-ignores')}: expected a table of glob = [rules]")
        cfg.per_path_ignores = {k: _file_selectors(v, src(f"per-path-ignores.{k}")) for k, v in ppi.items()}
    if "roles" in data:
        from steadygo.rulemeta import ALL_ROLES

        table = data["roles"]
        if not isinstance(table, dict):
            raise UserError(f"{src('roles')}: expected a table of glob = role")
        for k, v in table.items():
            if v not in ALL_ROLES:
                raise UserError(f"{src(f'roles.{k}')}: expected one of {', '.join(ALL_ROLES)}")
        cfg.roles = dict(table)
    if "severity" in data:
        sev = data["severity"]
        if not isinstance(sev, dict):
            raise UserError(f"{src('severity')}: expected a table of rule = level")
        for k, v in sev.items():
            rule = registry.lookup(k)
            if rule is None:
                raise UserError(f"{src(f'severity.{k}')}: unknown rule")
            cfg.severity[rule.meta.id] = parse_severity(v, src(f"severity.{k}"))
    if "fail-on" in data:
        cfg.fail_on = parse_severity(data["fail-on"], src("fail-on"))
    if "max-file-size" in data:
        v = data["max-file-size"]
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
            raise UserError(f"{src('max-file-size')}: expected a positive number of bytes")
        if v > MAX_FILE_SIZE_LIMIT:
            raise UserError(f"{src('max-file-size')}: {v} is over the limit of {MAX_FILE_SIZE_LIMIT} bytes (1 GiB)")
        cfg.max_file_size = v
    if "go" in data:
        cfg.go_version = parse_go_version(data["go"], src("go"))
    if "docs-url" in data:
        cfg.docs_url = parse_docs_url(data["docs-url"], src("docs-url"))
    if "rules" in data:
        cfg.rule_options = _rule_options(data["rules"], src)
    if "database" in data:
        cfg.database = _database(data["database"], src)
    if "redis" in data:
        cfg.redis_max_clients = _redis_max_clients(data["redis"], src)
    if "build" in data:
        cfg.vulndb = _build(data["build"], src, cfg.root)
    return cfg


def _build(table: Any, src, root: str) -> str | None:
    """``[build]``: ``vulndb``, a directory relative to the config file."""
    if not isinstance(table, dict):
        raise UserError(f"{src('build')}: expected a table [build]")
    for key in table:
        if key not in _BUILD_KEYS:
            raise UserError(f"{src(f'build.{key}')}: unknown key (known: {', '.join(sorted(_BUILD_KEYS))})")
    if "vulndb" not in table:
        return None
    v = table["vulndb"]
    if not isinstance(v, str) or not v:
        raise UserError(f"{src('build.vulndb')}: expected the path of a Go vulnerability database directory")
    return vulndb_dir(os.path.join(root, os.path.expanduser(v)), src("build.vulndb"))


def vulndb_dir(path: str, source: str) -> str:
    """``path`` made absolute, or a UserError naming ``source`` when it is no
    vulnerability database govulncheck can read."""
    from steadygo.artifacts.govulncheck import database_problem

    problem = database_problem(path)
    if problem is not None:
        raise UserError(f"{source}: {_shown(path)}: {problem}")
    return os.path.abspath(path)


@dataclass(frozen=True)
class DatabaseLimits:
    """``[database]``: the limits of the database the service talks to, read by
    ``advise pool`` and the connection-budget checks alike."""

    max_connections: int | None = None  # the server's max_connections
    idle_timeout_s: float | None = None  # the server's or a proxy's idle timeout


def _database(table: Any, src) -> DatabaseLimits:
    from steadygo.durations import parse_duration

    if not isinstance(table, dict):
        raise UserError(f"{src('database')}: expected a table [database]")
    for key in table:
        if key not in _DATABASE_KEYS:
            raise UserError(f"{src(f'database.{key}')}: unknown key (known: {', '.join(sorted(_DATABASE_KEYS))})")
    limits = DatabaseLimits()
    if "max-connections" in table:
        v = table["max-connections"]
        if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= _INT_OPTION_RANGE[1]:
            raise UserError(f"{src('database.max-connections')}: expected a whole number of at least 1")
        limits = DatabaseLimits(v, limits.idle_timeout_s)
    if "idle-timeout" in table:
        v = table["idle-timeout"]
        try:
            seconds = parse_duration(v) if isinstance(v, str) else None
        except ValueError as exc:
            raise UserError(f"{src('database.idle-timeout')}: {_shown(str(exc))}") from None
        if seconds is None or seconds <= 0:
            raise UserError(f'{src("database.idle-timeout")}: expected a positive duration string such as "5m" or "8h"')
        limits = DatabaseLimits(limits.max_connections, seconds)
    return limits


def _redis_max_clients(table: Any, src) -> int | None:
    if not isinstance(table, dict):
        raise UserError(f"{src('redis')}: expected a table [redis]")
    for key in table:
        if key not in _REDIS_KEYS:
            raise UserError(f"{src(f'redis.{key}')}: unknown key (known: {', '.join(sorted(_REDIS_KEYS))})")
    if "max-clients" not in table:
        return None
    v = table["max-clients"]
    if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= _INT_OPTION_RANGE[1]:
        raise UserError(f"{src('redis.max-clients')}: expected a whole number of at least 1")
    return v


def _file_selectors(value: Any, source: str) -> list[str]:
    # In the file a string is one selector, as it always was; only lists of
    # strings otherwise.
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise UserError(f"{source}: expected a list of rule ids, names or prefixes")
    return parse_selectors(value, source)


def _bool(v: Any, source: str) -> bool:
    if not isinstance(v, bool):
        raise UserError(f"{source}: expected true or false")
    return v


def _rule_options(rules: Any, src) -> dict[str, dict[str, Any]]:
    if not isinstance(rules, dict):
        raise UserError(f"{src('rules')}: expected tables [rules.<rule-name>]")
    out: dict[str, dict[str, Any]] = {}
    for name, opts in rules.items():
        rule = registry.lookup(name)
        if rule is None:
            raise UserError(f"{src(f'rules.{name}')}: unknown rule")
        if not isinstance(opts, dict):
            raise UserError(f"{src(f'rules.{name}')}: expected a table of options")
        declared = {o.name: o for o in rule.meta.options}
        checked: dict[str, Any] = {}
        for oname, oval in opts.items():
            opt = declared.get(oname)
            where = src(f"rules.{name}.{oname}")
            if opt is None:
                known = ", ".join(sorted(declared)) or "none"
                raise UserError(f"{where}: unknown option (known: {known})")
            checked[oname] = _option_value(opt.type, oval, where)
        out[rule.meta.name] = checked
    return out


def _option_value(kind: type, v: Any, source: str) -> Any:
    if kind is float and isinstance(v, int) and not isinstance(v, bool):
        v = float(v) if abs(v) < 2 ** 1000 else math.inf  # float() of a bigger int overflows
    if not isinstance(v, kind) or (kind is int and isinstance(v, bool)):
        raise UserError(f"{source}: expected {kind.__name__}")
    if kind is int and not _INT_OPTION_RANGE[0] <= v <= _INT_OPTION_RANGE[1]:
        raise UserError(f"{source}: out of the 64-bit integer range")
    if kind is float and not math.isfinite(v):
        raise UserError(f"{source}: expected a finite number")
    # lists hold strings (paths, names): what TOML users write and what the
    # rules iterate over
    if kind is list and not all(isinstance(x, str) for x in v):
        raise UserError(f"{source}: expected a list of strings")
    return v


# --------------------------------------------------------------------------
# The command line over the file: the one place options are merged.

# Command-line options ``resolve`` understands, by their argparse ``dest``.
# A command offers the subset that makes sense for it; absent ones keep the
# file's value or the default.
CLI_OPTIONS = frozenset({
    "paths", "config", "isolated",
    "select", "ignore", "extend_select", "preview", "include_tests", "build_tags",
    "no_cache", "jobs", "go", "fail_on", "exit_zero",
    "format", "output", "docs_url",
    "baseline", "new_from_rev", "runtime", "evidence",
    "no_suppressions", "show_suppressed", "no_progress",
    "k8s", "dockerfile", "allow_empty", "sort", "statistics", "vulndb", "fix", "diff",
})


_BUILD_TAG = re.compile(r"^[A-Za-z0-9_.]+$")


def parse_build_tags(value: str, where: str) -> list[str]:
    """``integration,debug`` (go build's -tags form) as a list of tags."""
    tags = [t.strip() for t in value.split(",") if t.strip()]
    bad = [t for t in tags if not _BUILD_TAG.match(t)]
    if bad:
        raise UserError(f"{where}: {bad[0]!r} is not a build tag (letters, digits, '_' and '.')")
    return tags


def resolve(options: Mapping[str, Any] | Any) -> Config:
    """The run's ``Config`` from command-line options (an argparse namespace
    or a mapping keyed by ``dest``) over the closest ``.steadygo.toml``.

    Flags win over the file; ``--ignore`` and ``--extend-select`` add to the
    file's lists.  Names starting with ``_`` are argparse bookkeeping and are
    skipped; any other unknown name is a programming error (TypeError), so an
    option added to a command cannot be silently dropped here."""
    opts = dict(options) if isinstance(options, Mapping) else dict(vars(options))
    opts = {k: v for k, v in opts.items() if not k.startswith("_")}
    unknown = sorted(set(opts) - CLI_OPTIONS)
    if unknown:
        raise TypeError(f"config.resolve: unknown option(s): {', '.join(unknown)}")
    paths = list(opts.get("paths") or ["."])
    if opts.get("isolated"):
        cfg = Config()
    else:
        cfg = load(opts.get("config") or find_config(paths[0]))
    cfg.paths = paths

    if opts.get("select"):
        cfg.select = parse_selectors(opts["select"], "--select") or cfg.select
    if opts.get("ignore"):
        cfg.ignore = cfg.ignore + parse_selectors(opts["ignore"], "--ignore")
    if opts.get("extend_select"):
        cfg.extend_select = cfg.extend_select + parse_selectors(opts["extend_select"], "--extend-select")
    if opts.get("preview"):
        cfg.preview = True
    if opts.get("include_tests"):
        cfg.include_tests = True
    if opts.get("build_tags"):
        cfg.build_tags = parse_build_tags(opts["build_tags"], "--build-tags")
    if opts.get("fail_on"):
        cfg.fail_on = parse_severity(opts["fail_on"], "--fail-on")
    if opts.get("go"):
        cfg.go_version = parse_go_version(opts["go"], "--go")
    if opts.get("docs_url") == "":
        cfg.docs_url = None  # --docs-url '' turns off the file's links for one run
    elif opts.get("docs_url") is not None:
        cfg.docs_url = parse_docs_url(opts["docs_url"], "--docs-url")
    if opts.get("jobs") is not None:
        cfg.jobs = parse_jobs(opts["jobs"])

    if "format" in opts or opts.get("output"):
        from steadygo.report import reporters

        cfg.formats = parse_formats(opts.get("format"), opts.get("output"), reporters())
    cfg.exit_zero = bool(opts.get("exit_zero"))
    cfg.baseline_file = opts.get("baseline") or None
    cfg.new_from_rev = opts.get("new_from_rev") or None
    cfg.runtime_files = list(opts.get("runtime") or [])
    cfg.evidence_files = list(opts.get("evidence") or [])
    cfg.no_suppressions = bool(opts.get("no_suppressions"))
    cfg.show_suppressed = bool(opts.get("show_suppressed"))
    cfg.use_cache = not opts.get("no_cache")
    cfg.progress = not opts.get("no_progress")
    cfg.allow_empty = bool(opts.get("allow_empty"))
    cfg.sort = opts.get("sort") or "file"
    cfg.statistics = bool(opts.get("statistics"))
    cfg.fix = bool(opts.get("fix"))
    cfg.diff = bool(opts.get("diff"))
    if opts.get("vulndb") is not None:
        cfg.vulndb = vulndb_dir(os.path.expanduser(opts["vulndb"]), "--vulndb")
    if opts.get("k8s") or opts.get("dockerfile"):
        from steadygo.artifacts.sources import explicit_inputs

        cfg.artifact_inputs = explicit_inputs(opts.get("k8s") or [], opts.get("dockerfile") or [])
    return cfg
