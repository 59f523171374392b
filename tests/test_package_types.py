"""Declared types across the files of a package (golang.package_types): the
answers rules get for "is this expression a *sql.Rows / *http.Response /
context.CancelFunc / *sync.Mutex", from declarations in any file."""

from steadygo.golang.module import ModuleInfo
from steadygo.golang.package import Package
from steadygo.golang.package_types import base, from_prefix, is_named
from steadygo.golang.parse import captures, text
from steadygo.golang.source import GoFile


def package(**files: str) -> Package:
    gofiles = [GoFile(f"/p/{name}.go", f"{name}.go", src.encode()) for name, src in files.items()]
    return Package("/p", gofiles, ModuleInfo("", "", None))


def types_at(pkg: Package, fname: str, line: int) -> dict[str, str | None]:
    """Expression text -> type, for the identifiers, selectors and calls on one line."""
    f = next(f for f in pkg.files if f.relpath == fname + ".go")
    out = {}
    for n in captures("[(identifier) (selector_expression) (call_expression)] @e", f.root)["e"]:
        if n.start_point[0] + 1 == line:
            out[text(n)] = pkg.types.type_of(f, n)
    return out


DECLS = '''package store

import (
	dbsql "database/sql"
	"context"
	"net/http"
	"sync"
)

var db *dbsql.DB
var client = http.DefaultClient

type DB = *dbsql.DB

type Repo struct {
	db   *dbsql.DB
	conn DB
	mu   sync.Mutex
	stop context.CancelFunc
}

type Wrapper struct{ *Repo }

type List[T any] struct{ items []T; mu *sync.RWMutex }

func (l *List[T]) Lock() *sync.RWMutex { return l.mu }

func (r *Repo) rows(q string) (*dbsql.Rows, error) { return r.db.Query(q) }

func fetch(u string) (*http.Response, error) { return client.Get(u) }
'''


def test_across_files_fields_methods_aliases_and_locals():
    pkg = package(decls=DECLS, use='''package store

func (r *Repo) use(w *Wrapper, l *List[int]) {
	rows, err := r.rows("q")
	a := r.db
	var c DB
	resp, _ := fetch("u")
	x, _ := w.rows("q")
	_ = rows; _ = err; _ = a; _ = c; _ = resp; _ = x
	m := &r.mu
	cancel := r.stop
	lk := l.Lock()
	_ = m; _ = cancel; _ = lk; _ = db.Ping(); _ = client
}
''')
    line9 = types_at(pkg, "use", 9)
    assert line9["rows"] == "*database/sql.Rows"  # method in another file, alias-imported package
    assert line9["err"] == "error"
    assert line9["a"] == "*database/sql.DB"  # a local assigned from a field
    assert line9["c"] == "*database/sql.DB"  # through ``type DB = *sql.DB``
    assert line9["resp"] == "*net/http.Response"  # a helper's result
    assert line9["x"] == "*database/sql.Rows"  # a method promoted through an embedded field
    line14 = types_at(pkg, "use", 13)
    assert line14["m"] == "*sync.Mutex"
    assert line14["cancel"] == "context.CancelFunc"
    assert line14["lk"] == "*sync.RWMutex"  # a method of a generic type
    assert line14["db"] == "*database/sql.DB"  # a package-level var of another file
    assert line14["client"] == "*net/http.Client"  # inferred from http.DefaultClient


def test_shadowing_other_packages_and_other_structs():
    pkg = package(decls=DECLS, other='''package store

import "example.com/fake/sql"

type cache struct{ db *memdb }
type memdb struct{}

func (m *memdb) Query(q string) (*memdb, error) { return m, nil }

func f(c *cache, h *sql.DB) {
	db := &memdb{}
	rows, _ := c.db.Query("q")
	_ = db; _ = rows; _ = h
}
''')
    line13 = types_at(pkg, "other", 13)
    assert line13["db"] == "*memdb"  # the local, not the package's *sql.DB
    assert line13["rows"] == "*memdb"  # a field named db of another struct
    assert line13["h"] == "*example.com/fake/sql.DB"  # this file's sql is not database/sql
    assert not is_named(line13["h"], "database/sql", "DB")


def test_unknown_stays_unknown():
    pkg = package(decls=DECLS, u='''package store

func g[T any](v T, xs []int, m map[string]int) {
	a := v
	b := xs
	c := undeclared()
	d := m["k"]
	_ = a; _ = b; _ = c; _ = d
}
''')
    assert types_at(pkg, "u", 8) == {"_": None, "a": None, "b": None, "c": None, "d": None}


def test_cycles_and_self_reference_end():
    pkg = package(a='''package p

var x = y
var y = x

func h() {
	n := n2()
	n = n
	_ = x
}

func n2() (r int) { return r }
''')
    assert types_at(pkg, "a", 9) == {"_": None, "x": None}
    assert types_at(pkg, "a", 8)["n"] == "int"


def test_gate_word_search_and_helpers():
    pkg = package(decls=DECLS, plain='''package store

func count() int { return len("x") }
''', uses='''package store

func ping() error { return db.Ping() }
''')
    plain, uses = (next(f for f in pkg.files if f.relpath == n) for n in ("plain.go", "uses.go"))
    assert pkg.types.uses_types_from(uses, ("database/sql",))
    assert not pkg.types.uses_types_from(plain, ("database/sql",))
    assert not pkg.types.uses_types_from(uses, ("github.com/jackc/pgx",))
    assert pkg.types.functions_returning(lambda t: is_named(t, "database/sql", "Rows")) == {"rows"}
    assert base("**a/b.C") == "a/b.C" and from_prefix("*github.com/jackc/pgx/v5.Rows", ("github.com/jackc/pgx",))
    assert not from_prefix("github.com/jackc/pgxfake.Rows", ("github.com/jackc/pgx",))


def test_gate_opens_for_a_struct_embedding_a_handle():
    pkg = package(decls='''package store

import "database/sql"

type Store struct{ *sql.DB }
''', use='''package store

func (s *Store) n() int {
	rows, _ := s.Query("q")
	_ = rows
	return 0
}
''')
    use = next(f for f in pkg.files if f.relpath == "use.go")
    assert pkg.types.uses_types_from(use, ("database/sql",))
    assert types_at(pkg, "use", 5)["rows"] == "*database/sql.Rows"  # promoted from the embedded *sql.DB
    assert pkg.types.method_results("Store", "Exec") is None  # library methods the table does not list stay unknown


def test_types_do_not_keep_their_package_alive():
    """Freed by reference counting as soon as the engine drops the package:
    a cycle through ``pkg.types`` would leave every package's trees to the
    cyclic collector (GOROOT's peak RSS grew by half that way)."""
    import gc
    import weakref

    pkg = package(decls=DECLS, use="package store\n\nfunc f() { _ = db }\n")
    use = pkg.files[1]
    assert pkg.types.uses_types_from(use, ("database/sql",))
    gone = weakref.ref(pkg)
    gc.disable()
    try:
        del pkg, use
        assert gone() is None
    finally:
        gc.enable()
