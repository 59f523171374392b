"""``.steadygo.toml``: which rules run, where, how strict, with which options.

The closest config file wins: we walk up from the first scanned path (or use
``--config``).  Unknown keys, unknown rules and bad option types are errors
naming the file and the key, so a typo never silently disables a check.
"""

from __future__ import annotations

import fnmatch
import os
import tomllib
from dataclasses import dataclass, field
from typing import Any

from steadygo import registry
from steadygo.errors import UserError
from steadygo.findings import Severity

CONFIG_NAME = ".steadygo.toml"
DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024

_TOP_KEYS = {
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
    "rules",
}


@dataclass
class Config:
    path: str = ""  # the file it came from, '' for defaults
    root: str = "."  # directory of the config file; globs are relative to it
    select: list[str] = field(default_factory=lambda: ["ALL"])
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    preview: bool = False
    exclude: list[str] = field(default_factory=list)
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)
    severity: dict[str, Severity] = field(default_factory=dict)  # rule id -> override
    fail_on: Severity = Severity.WARNING
    include_tests: bool = False
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    go_version: tuple[int, int] | None = None  # overrides go.mod when set
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)  # rule name -> options

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


def _glob_match(relpath: str, pattern: str) -> bool:
    """A pattern matches a file or any directory above it, so 'gen' and
    'gen/**' both exclude everything under gen/."""
    relpath = relpath.replace(os.sep, "/")
    pattern = pattern.rstrip("/")
    if pattern.endswith("/**"):
        pattern = pattern[:-3]
    parts = relpath.split("/")
    return any(fnmatch.fnmatch("/".join(parts[:i]), pattern) for i in range(1, len(parts) + 1))


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


def load(path: str | None) -> Config:
    if path is None:
        return Config()
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise UserError(f"{path}: config file not found") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read config: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: invalid TOML: {exc}") from None
    return from_dict(data, path)


def _err(path: str, key: str, msg: str) -> UserError:
    return UserError(f"{path}: {key}: {msg}")


def _rule_list(path: str, key: str, value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _err(path, key, "expected a list of rule ids, names or prefixes")
    for v in value:
        if not registry.select_by_selector(v):
            raise _err(path, key, f"unknown rule {v!r}")
    return value


def from_dict(data: dict, path: str = "<config>") -> Config:
    cfg = Config(path=path, root=os.path.dirname(os.path.abspath(path)) if path != "<config>" else ".")
    for key in data:
        if key not in _TOP_KEYS:
            raise _err(path, key, "unknown key")
    if "select" in data:
        cfg.select = _rule_list(path, "select", data["select"])
    if "ignore" in data:
        cfg.ignore = _rule_list(path, "ignore", data["ignore"])
    if "extend-select" in data:
        cfg.extend_select = _rule_list(path, "extend-select", data["extend-select"])
    if "preview" in data:
        cfg.preview = _bool(path, "preview", data["preview"])
    if "include-tests" in data:
        cfg.include_tests = _bool(path, "include-tests", data["include-tests"])
    if "exclude" in data:
        ex = data["exclude"]
        if not isinstance(ex, list) or not all(isinstance(v, str) for v in ex):
            raise _err(path, "exclude", "expected a list of glob patterns")
        cfg.exclude = ex
    if "per-path-ignores" in data:
        ppi = data["per-path-ignores"]
        if not isinstance(ppi, dict):
            raise _err(path, "per-path-ignores", "expected a table of glob = [rules]")
        cfg.per_path_ignores = {
            k: _rule_list(path, f"per-path-ignores.{k}", v) for k, v in ppi.items()
        }
    if "severity" in data:
        sev = data["severity"]
        if not isinstance(sev, dict):
            raise _err(path, "severity", "expected a table of rule = level")
        for k, v in sev.items():
            rule = registry.lookup(k)
            if rule is None:
                raise _err(path, f"severity.{k}", "unknown rule")
            try:
                cfg.severity[rule.meta.id] = Severity.parse(str(v))
            except ValueError as exc:
                raise _err(path, f"severity.{k}", str(exc)) from None
    if "fail-on" in data:
        try:
            cfg.fail_on = Severity.parse(str(data["fail-on"]))
        except ValueError as exc:
            raise _err(path, "fail-on", str(exc)) from None
    if "max-file-size" in data:
        v = data["max-file-size"]
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
            raise _err(path, "max-file-size", "expected a positive number of bytes")
        cfg.max_file_size = v
    if "go" in data:
        from steadygo.golang.module import parse_version

        try:
            cfg.go_version = parse_version(str(data["go"]))
        except ValueError as exc:
            raise _err(path, "go", str(exc)) from None
    if "rules" in data:
        rules = data["rules"]
        if not isinstance(rules, dict):
            raise _err(path, "rules", "expected tables [rules.<rule-name>]")
        for name, opts in rules.items():
            rule = registry.lookup(name)
            if rule is None:
                raise _err(path, f"rules.{name}", "unknown rule")
            if not isinstance(opts, dict):
                raise _err(path, f"rules.{name}", "expected a table of options")
            declared = {o.name: o for o in rule.meta.options}
            checked: dict[str, Any] = {}
            for oname, oval in opts.items():
                opt = declared.get(oname)
                if opt is None:
                    known = ", ".join(sorted(declared)) or "none"
                    raise _err(path, f"rules.{name}.{oname}", f"unknown option (known: {known})")
                if opt.type is float and isinstance(oval, int) and not isinstance(oval, bool):
                    oval = float(oval)
                if not isinstance(oval, opt.type) or (opt.type is int and isinstance(oval, bool)):
                    raise _err(path, f"rules.{name}.{oname}", f"expected {opt.type.__name__}")
                checked[oname] = oval
            cfg.rule_options[rule.meta.name] = checked
    return cfg


def _bool(path: str, key: str, v: Any) -> bool:
    if not isinstance(v, bool):
        raise _err(path, key, "expected true or false")
    return v
