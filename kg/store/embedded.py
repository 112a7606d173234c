"""The embedded store: an on-disk pyoxigraph store (or an in-memory one).

Its folder is `$KG_STORE`, else `$XDG_DATA_HOME/authority-kg/store`
(`~/.local/share/authority-kg/store`).
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, URIRef

from kg.errors import StoreError
from kg.store.base import Result, named_graphs, serialized
from kg.store.sparql import bind_values, syntax_error
from kg.terms import Term, from_ox

ENV_STORE = "KG_STORE"


def default_location() -> Path:
    if os.environ.get(ENV_STORE):
        return Path(os.environ[ENV_STORE]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "authority-kg" / "store"


class EmbeddedStore:
    """An on-disk pyoxigraph store (or an in-memory one, with no path)."""

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        self.path = path
        self.name = str(path) if path else "memory"
        self.read_only = read_only  # opened without the write lock (e.g. by the web app)
        self._store: Any = None

    @property
    def store(self) -> Any:
        if self._store is None:
            if self.path is not None and self.read_only:
                self._store = ox.Store.read_only(str(self.path))
            elif self.path is not None:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
            else:
                self._store = ox.Store()
        return self._store

    def close(self) -> None:
        self._store = None

    def is_empty(self) -> bool:
        if self.path is not None and not self.path.exists():
            return True
        return len(self.store) == 0

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        graphs: Iterable[URIRef] | None = None,
    ) -> Result:
        """`graphs`: the only named graphs the query may see (default: all of them)."""
        named = None if graphs is None else [ox.NamedNode(str(g)) for g in graphs]
        try:
            answer = self.store.query(bind_values(sparql, bindings or {}), named_graphs=named)
        except SyntaxError as exc:
            raise syntax_error(exc, "query") from None
        except (OSError, ValueError) as exc:
            raise StoreError(f"the embedded store could not run the query: {exc}") from None
        return _oxigraph_result(answer)

    def replace_all(self, dataset: Dataset) -> None:
        """Rebuild the store from scratch; if anything fails, the old store stays."""
        self.replace_all_from(
            serialized(lambda: dataset.serialize(format="nquads").encode("utf-8"))
        )

    def replace_all_from(self, data: bytes | Path, rdf_format: Any = ox.RdfFormat.N_QUADS) -> None:
        """Rebuild the store from RDF with named graphs (N-Quads or TriG; bytes, or a
        file read as it streams in); if anything fails, the old store stays."""
        source: dict[str, Any] = {"path": str(data)} if isinstance(data, Path) else {"input": data}
        if self.path is None:
            fresh = ox.Store()
            try:
                fresh.load(format=rdf_format, **source)
            except (OSError, ValueError, SyntaxError) as exc:
                raise StoreError(
                    f"loading failed, the previous store is unchanged: {exc}"
                ) from None
            self._store = fresh
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._clear_leftovers()
        prefix = f"{self.path.name}.new-{os.getpid()}-"
        tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=self.path.parent))
        try:
            fresh = ox.Store(str(tmp))
            fresh.bulk_load(format=rdf_format, **source)
            fresh.flush()
            del fresh
        except (OSError, ValueError, SyntaxError) as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise StoreError(f"loading failed, the previous store is unchanged: {exc}") from None
        self.close()
        old = self.path.with_name(self.path.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.path.exists():
            self.path.rename(old)
        tmp.rename(self.path)
        shutil.rmtree(old, ignore_errors=True)

    def _clear_leftovers(self) -> None:
        """What loads killed half-way left: their `<store>.new-<pid>-*` folders (those of
        a load still running are kept), and a `<store>.old` folder. A load killed between
        its two renames left no store but the previous one as `.old`: it comes back."""
        assert self.path is not None
        running = False
        for tmp in self.path.parent.glob(glob.escape(self.path.name) + ".new-*"):
            pid = tmp.name[len(self.path.name) + 5 :].split("-", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
                running = True
                continue
            shutil.rmtree(tmp, ignore_errors=True)
        old = self.path.with_name(self.path.name + ".old")
        if old.is_dir() and not running:
            if self.path.exists():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.rename(self.path)

    def replace_graphs(self, dataset: Dataset) -> None:
        """Replace the named graphs the dataset holds, in one transaction."""
        update = serialized(lambda: _replace_update(dataset))
        if update:
            try:
                self.store.update(update)
            except (OSError, ValueError, SyntaxError) as exc:
                raise StoreError(
                    f"storing failed, the previous graphs are unchanged: {exc}"
                ) from None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _oxigraph_result(answer: Any) -> Result:
    # ASK: a bool (pyoxigraph 0.4), a QueryBoolean (0.5)
    if isinstance(answer, bool) or type(answer).__name__ == "QueryBoolean":
        return Result("ask", boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        names = tuple(v.value for v in answer.variables)
        rows = []
        for solution in answer:
            row = {}
            for name in names:
                value = solution[name]
                if value is not None:
                    row[name] = from_ox(value)
            rows.append(row)
        return Result("select", variables=names, rows=tuple(rows))
    triples = tuple((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in answer)
    return Result("graph", triples=triples)


def _replace_update(dataset: Dataset) -> str:
    parts = []
    for name, triples in named_graphs(dataset):
        body = "\n".join(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in triples)
        parts.append(
            f"DROP SILENT GRAPH <{name}> ;\nINSERT DATA {{ GRAPH <{name}> {{\n{body}\n}} }}"
        )
    return " ;\n".join(parts)
