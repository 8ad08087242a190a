"""Embedded SPARQL stores behind one small interface: Oxigraph (Rust, via pyoxigraph) and rdflib (pure Python),
plus any SPARQL 1.1 endpoint through SPARQLWrapper.

Every store answers with the same `Result`: variable names and rows of rdflib terms, so the output formats and
the tests never depend on the engine. Oxigraph is the default because it loads and answers much faster (measured:
see the query module's docstring); rdflib stays as the fallback when pyoxigraph is not installed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

Term = Identifier

#: File suffix -> (rdflib parser name, pyoxigraph format attribute name).
FORMATS: dict[str, tuple[str, str]] = {
    ".ttl": ("turtle", "TURTLE"),
    ".nt": ("nt", "N_TRIPLES"),
    ".rdf": ("xml", "RDF_XML"),
    ".owl": ("xml", "RDF_XML"),
}


class StoreError(Exception):
    """A store could not be opened or a file could not be loaded."""


class QuerySyntaxError(Exception):
    """The engine rejected the query text."""


@dataclass
class Result:
    """A query answer: `kind` is "select", "ask" or "graph" (CONSTRUCT/DESCRIBE)."""

    kind: str
    vars: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple[Term, Term, Term]] = field(default_factory=list)


class Store(Protocol):
    name: str

    def load(self, path: Path) -> None: ...

    def query(self, text: str) -> Result: ...


def rdf_format(path: Path) -> tuple[str, str]:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise StoreError(f"{path}: unknown RDF file type (expected one of {', '.join(sorted(FORMATS))})") from None


def plain(term: Term | None) -> Term | None:
    """RDF 1.1: a literal typed xsd:string is the simple literal; give both engines' answers one form."""
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


# ---------------------------------------------------------------------------------------------- rdflib


class RdflibStore:
    name = "rdflib"

    def __init__(self) -> None:
        self.graph = Graph()

    def load(self, path: Path) -> None:
        try:
            self.graph.parse(path, format=rdf_format(path)[0])
        except (OSError, StoreError):
            raise
        except Exception as err:  # rdflib raises parser-specific exceptions
            raise StoreError(f"{path}: {err}") from err

    def query(self, text: str) -> Result:
        from rdflib.plugins.sparql import prepareQuery

        try:
            prepared = prepareQuery(text)
        except Exception as err:  # pyparsing errors, unknown prefixes, bad escapes
            raise QuerySyntaxError(str(err)) from err
        answer = self.graph.query(prepared)
        if answer.type == "ASK":
            return Result("ask", boolean=bool(answer.askAnswer))
        if answer.type in ("CONSTRUCT", "DESCRIBE"):
            return Result("graph", triples=[tuple(t) for t in answer.graph])  # type: ignore[union-attr]
        names = [str(v) for v in answer.vars or []]
        rows = [tuple(plain(row[i]) for i in range(len(names))) for row in answer]  # type: ignore[index]
        return Result("select", names, rows)


# ---------------------------------------------------------------------------------------------- Oxigraph


def available_oxigraph() -> bool:
    try:
        import pyoxigraph  # noqa: F401
    except ImportError:
        return False
    return True


class OxigraphStore:
    """An in-memory Oxigraph store. Files go into the default graph, which is what the queries read
    (no named graphs, so no union-default-graph switch is needed)."""

    name = "oxigraph"

    def __init__(self) -> None:
        try:
            import pyoxigraph
        except ImportError as err:
            raise StoreError("the oxigraph store needs the pyoxigraph package (pip install pyoxigraph)") from err
        self.ox = pyoxigraph
        self.store = pyoxigraph.Store()

    def load(self, path: Path) -> None:
        fmt = getattr(self.ox.RdfFormat, rdf_format(path)[1])
        try:
            self.store.load(path=str(path), format=fmt)
        except SyntaxError as err:
            raise StoreError(f"{path}: {err}") from err

    def term(self, value) -> Term | None:  # noqa: ANN001 - pyoxigraph term
        ox = self.ox
        if value is None:
            return None
        if isinstance(value, ox.NamedNode):
            return URIRef(value.value)
        if isinstance(value, ox.BlankNode):
            return BNode(value.value)
        if isinstance(value, ox.Literal):
            if value.language:
                return Literal(value.value, lang=value.language)
            return plain(Literal(value.value, datatype=URIRef(value.datatype.value)))
        raise StoreError(f"unsupported term in a result: {value!r}")

    def query(self, text: str) -> Result:
        ox = self.ox
        try:
            answer = self.store.query(text)
        except SyntaxError as err:
            raise QuerySyntaxError(str(err)) from err
        if isinstance(answer, ox.QueryBoolean):
            return Result("ask", boolean=bool(answer))
        if isinstance(answer, ox.QueryTriples):
            return Result("graph", triples=[(self.term(t.subject), self.term(t.predicate), self.term(t.object))
                                            for t in answer])
        names = [v.value for v in answer.variables]
        rows = [tuple(self.term(solution[name]) for name in names) for solution in answer]
        return Result("select", names, rows)


# ---------------------------------------------------------------------------------------------- remote endpoint


def json_term(binding: dict | None) -> Term | None:
    """One value of the SPARQL 1.1 Query Results JSON format as an rdflib term."""
    if binding is None:
        return None
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if "xml:lang" in binding:
        return Literal(value, lang=binding["xml:lang"])
    datatype = binding.get("datatype")
    return plain(Literal(value, datatype=URIRef(datatype) if datatype else None))


class EndpointStore:
    """Any SPARQL 1.1 endpoint (read-only): the queries run where the data already is."""

    name = "endpoint"

    def __init__(self, url: str) -> None:
        self.url = url

    def load(self, path: Path) -> None:
        raise StoreError("a remote endpoint holds its own data: --data cannot be used with --endpoint")

    def query(self, text: str) -> Result:
        from SPARQLWrapper import JSON, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

        client = SPARQLWrapper(self.url)
        client.setQuery(text)
        client.setMethod("POST")
        if client.queryType in ("CONSTRUCT", "DESCRIBE"):
            client.setReturnFormat("turtle")
            try:
                data = client.queryAndConvert()
            except QueryBadFormed as err:
                raise QuerySyntaxError(str(err)) from err
            graph = Graph()
            graph.parse(data=data if isinstance(data, (str, bytes)) else data.serialize(), format="turtle")
            return Result("graph", triples=[tuple(t) for t in graph])
        client.setReturnFormat(JSON)
        try:
            answer = client.queryAndConvert()
        except QueryBadFormed as err:
            raise QuerySyntaxError(str(err)) from err
        except Exception as err:  # urllib errors, refused connections, bad answers
            raise StoreError(f"{self.url}: {err}") from err
        if "boolean" in answer:
            return Result("ask", boolean=bool(answer["boolean"]))
        names = list(answer["head"]["vars"])
        rows = [tuple(json_term(b.get(n)) for n in names) for b in answer["results"]["bindings"]]
        return Result("select", names, rows)


# ---------------------------------------------------------------------------------------------- factory

STORES = ("oxigraph", "rdflib")


def default_store() -> str:
    return "oxigraph" if available_oxigraph() else "rdflib"


def open_store(kind: str, files: list[Path]) -> Store:
    store: Store = OxigraphStore() if kind == "oxigraph" else RdflibStore()
    for path in files:
        if not path.is_file():
            raise StoreError(f"{path}: no such file")
        store.load(path)
    return store
