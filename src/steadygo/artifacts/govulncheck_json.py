"""govulncheck's ``-format json`` stream read into ``GoVulnFact``s.

The stream is a sequence of JSON objects, each with one key (protocol
v1.0.0 of golang.org/x/vuln v1.9.0, ``internal/govulncheck``): ``config``,
``SBOM``, ``progress``, ``osv`` (a database entry the build could be affected
by) and ``finding``.  Findings come at three levels for the same OSV entry,
one message each: a module-level one (a trace frame with only the module),
a package-level one (the frame names a package) and, when the call graph
reaches a vulnerable symbol, one per symbol whose trace runs from that symbol
(frame 0) to an entry point of the scanned code.  Only the deepest level per
OSV entry and module is kept: "the code calls it" says more than "the module
is required".
"""

from __future__ import annotations

import json
import posixpath

from steadygo.artifacts.facts import GoVulnCall, GoVulnFact

_LEVELS = {"module": 0, "package": 1, "symbol": 2}
MAX_CALLS = 5  # call sites kept per vulnerability: enough to find the code, not a call graph dump


class StreamError(ValueError):
    """The output is not a govulncheck JSON stream."""


def messages(text: str) -> list[dict]:
    """The JSON objects of the stream (indented, one after another)."""
    decoder = json.JSONDecoder()
    out, i, n = [], 0, len(text)
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            return out
        try:
            obj, i = decoder.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            raise StreamError(f"not govulncheck JSON output at offset {exc.pos}: {exc.msg}") from None
        if not isinstance(obj, dict):
            raise StreamError(f"not govulncheck JSON output: a {type(obj).__name__} at offset {i}")
        out.append(obj)


def vulnerabilities(text: str, module_path: str, module_dir: str) -> list[GoVulnFact]:
    """The vulnerabilities of one govulncheck run in a module's directory.

    ``module_path`` is the scanned module (its frames are "the code");
    ``module_dir`` the go.mod's directory as displayed ('' at the scan base),
    which trace file names are relative to."""
    entries: dict[str, dict] = {}
    found: dict[tuple[str, str], GoVulnFact] = {}
    for msg in messages(text):
        if isinstance(msg.get("osv"), dict) and isinstance(msg["osv"].get("id"), str):
            entries[msg["osv"]["id"]] = msg["osv"]
        finding = msg.get("finding")
        if isinstance(finding, dict):
            _add(found, finding, entries, module_path, module_dir)
    return sorted(found.values(), key=lambda v: (v.module, v.osv))


def _add(found: dict, finding: dict, entries: dict, module_path: str, module_dir: str) -> None:
    osv = finding.get("osv")
    trace = [f for f in finding.get("trace") or () if isinstance(f, dict)]
    if not isinstance(osv, str) or not trace:
        return
    top = trace[0]
    module = str(top.get("module") or "")
    level = "symbol" if top.get("function") else "package" if top.get("package") else "module"
    key = (osv, module)
    have = found.get(key)
    if have is None or _LEVELS[level] > _LEVELS[have.level]:
        have = found[key] = GoVulnFact(osv=osv, module=module, version=str(top.get("version") or ""),
                                       fixed=str(finding.get("fixed_version") or "") or None, level=level,
                                       summary=_summary(entries.get(osv, {})),
                                       packages=list(have.packages) if have is not None and have.level != "module" else [])
    if _LEVELS[level] < _LEVELS[have.level]:
        return  # a shallower message for what a deeper one already showed
    package = str(top.get("package") or "")
    if package and package not in have.packages:
        have.packages.append(package)
    if level == "symbol":
        symbol = _symbol(top)
        if symbol not in have.symbols:
            have.symbols.append(symbol)
        call = _first_call(trace, module_path, module_dir, symbol)
        if call is not None and len(have.calls) < MAX_CALLS and call not in have.calls:
            have.calls.append(call)
    elif level == "package":
        for symbol in _listed_symbols(entries.get(osv, {}), module, package):
            if symbol not in have.symbols:
                have.symbols.append(symbol)
    elif not have.packages:
        have.packages.extend(_listed_packages(entries.get(osv, {}), module))


def _symbol(frame: dict) -> str:
    """'vulnlib.Parse', 'vulnlib.Decoder.Decode': the package's last element
    and the symbol, the way govulncheck's text output names it."""
    name = str(frame.get("function") or "")
    receiver = str(frame.get("receiver") or "").lstrip("*")
    if receiver:
        name = f"{receiver}.{name}"
    package = str(frame.get("package") or "")
    return f"{package.rsplit('/', 1)[-1]}.{name}" if package else name


def _first_call(trace: list[dict], module_path: str, module_dir: str, symbol: str) -> GoVulnCall | None:
    """The frame nearest the vulnerable symbol that is in the scanned
    module: the line of the user's code that leads to it."""
    for frame in trace[1:]:
        if frame.get("module") != module_path:
            continue
        pos = frame.get("position") or {}
        name, line = pos.get("filename"), pos.get("line")
        if not isinstance(name, str) or not name or not isinstance(line, int) or line < 1:
            continue
        path = name if posixpath.isabs(name) else posixpath.normpath(posixpath.join(module_dir, name))
        function = str(frame.get("function") or "")
        receiver = str(frame.get("receiver") or "").lstrip("*")
        return GoVulnCall(path=path, line=line, function=f"{receiver}.{function}" if receiver else function,
                          symbol=symbol)
    return None


def _imports(entry: dict, module: str):
    for affected in entry.get("affected") or ():
        if isinstance(affected, dict) and (affected.get("package") or {}).get("name") == module:
            for imp in (affected.get("ecosystem_specific") or {}).get("imports") or ():
                if isinstance(imp, dict) and isinstance(imp.get("path"), str):
                    yield imp


def _listed_packages(entry: dict, module: str) -> list[str]:
    """The vulnerable packages the OSV entry lists for ``module``."""
    return list(dict.fromkeys(imp["path"] for imp in _imports(entry, module)))


def _listed_symbols(entry: dict, module: str, package: str) -> list[str]:
    """The vulnerable symbols the OSV entry lists for ``package``."""
    short = package.rsplit("/", 1)[-1]
    return [f"{short}.{s}" for imp in _imports(entry, module) if imp["path"] == package
            for s in imp.get("symbols") or () if isinstance(s, str)]


def _summary(entry: dict) -> str:
    text = entry.get("summary") or (entry.get("details") or "").split("\n", 1)[0]
    return " ".join(str(text).split())[:200]
