"""The build's RDF dataset: one pyoxigraph Dataset, each source a named graph, and every serialisation of it.

| source | named graph |
|---|---|
| `ontology/gcm.owl.ttl` | `https://w3id.org/gcmkg/ontology` |
| `ontology/reference/<stem>.ttl` | `https://w3id.org/gcmkg/reference/<stem>` (the file's owl:Ontology IRI) |
| `graph/<stem>.ttl` | `https://w3id.org/gcmkg/graph/<stem>` |
| `graph/<stem>-inferred.ttl` | `https://w3id.org/gcmkg/graph/<stem>-inferred` |

Every later step (validation, the dataset description, exports, queries, publishing) reads this dataset; SPARQL
runs on an Oxigraph store filled from it (`sparql_store`).
Serialisations are pyoxigraph's own writers, made deterministic by what is fed to them: blank nodes relabelled
by RDFC-1.0 canonicalisation (only when there are any), triples sorted, the prefix lines in a fixed order.
JSON-LD, which pyoxigraph writes expanded, is compacted against our context by rdflib (the one job only it
does here).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from . import iris
from .errors import InputError

#: Turtle files of a graph folder that are not graphs of data: the dataset description, the Turtle export and the
#: ontology that imports every graph (`owlfiles`).
NOT_REPORTS = frozenset({"void.ttl", "gcmkg.ttl", "gcmkg.owl.ttl"})
INFERRED_SUFFIX = "-inferred.ttl"

#: Prefixes written in Turtle and TriG. `id:` is left out on purpose: pyoxigraph would write the slashes of
#: our data IRIs escaped (`id:state\\/DEU`), which nobody can read; full IRIs read better.
TURTLE_PREFIXES = {prefix: str(ns) for prefix, ns in sorted(iris.EXPORT_PREFIXES.items()) if prefix != "id"}


@dataclass(frozen=True)
class Format:
    key: str
    suffix: str
    media_type: str
    quads: bool
    title: str
    rdf_format: ox.RdfFormat


FORMATS: dict[str, Format] = {f.key: f for f in (
    Format("ttl", ".ttl", "text/turtle", False, "Turtle", ox.RdfFormat.TURTLE),
    Format("nt", ".nt", "application/n-triples", False, "N-Triples", ox.RdfFormat.N_TRIPLES),
    Format("nq", ".nq", "application/n-quads", True, "N-Quads", ox.RdfFormat.N_QUADS),
    Format("trig", ".trig", "application/trig", True, "TriG", ox.RdfFormat.TRIG),
    Format("jsonld", ".jsonld", "application/ld+json", False, "JSON-LD", ox.RdfFormat.JSON_LD),
    Format("xml", ".rdf", "application/rdf+xml", False, "RDF/XML", ox.RdfFormat.RDF_XML),
)}


@dataclass(frozen=True)
class Source:
    """One file of the dataset: its named graph, its path (None for bytes made in memory) and its bytes."""

    graph: str
    name: str  # for messages: the path as given, or the file name
    data: bytes

    @property
    def inferred(self) -> bool:
        return self.graph.endswith("-inferred")


def report_graph_name(file_name: str) -> str:
    """The named graph of a report file: graph/<stem>.ttl or graph/<stem>-inferred.ttl."""
    if file_name.endswith(INFERRED_SUFFIX):
        return str(iris.inferred_graph(file_name.removesuffix(INFERRED_SUFFIX)))
    return str(iris.report_graph(Path(file_name).stem))


def is_report_file(name: str) -> bool:
    return name.endswith(".ttl") and "/" not in name and name not in NOT_REPORTS


def report_sources(files: dict[str, bytes]) -> list[Source]:
    """The report graphs among a build's files (file name -> bytes), in name order."""
    return [Source(report_graph_name(name), name, data) for name, data in sorted(files.items())
            if is_report_file(name)]


def built_files(folder: Path) -> dict[str, bytes]:
    """The report graphs built into a folder: file name -> bytes."""
    if not folder.is_dir():
        raise InputError(folder, 1, "no such folder (run `gcmkg build` first, or give --graph DIR)")
    found = {p.name: p.read_bytes() for p in sorted(folder.glob("*.ttl")) if is_report_file(p.name)}
    if not found:
        raise InputError(folder, 1, "no built graph in this folder (run `gcmkg build`, or `gcmkg build --out` into "
                                    "this folder, first)")
    return found


def parse_into(ds: ox.Dataset, data: bytes, graph: str, file: str | Path,
               fmt: ox.RdfFormat = ox.RdfFormat.TURTLE) -> ox.Dataset:
    """Parse `data` into the named graph `graph` of `ds`; InputError naming the file and line of bad input.
    pyoxigraph never fetches anything: a remote JSON-LD @context is an error, not a request."""
    name = ox.NamedNode(graph)
    try:
        for q in ox.parse(data, format=fmt, base_iri=graph, rename_blank_nodes=True):
            ds.add(ox.Quad(q.subject, q.predicate, q.object, name))
    except SyntaxError as err:
        raise InputError(file, err.lineno or 1, f"cannot parse as {fmt.name.lower()}: {err.msg}") from None
    return ds


def load(sources: Iterable[Source], ds: ox.Dataset | None = None) -> ox.Dataset:
    """The sources in one dataset (`ds`, or a new one), each in its named graph."""
    ds = ds if ds is not None else ox.Dataset()
    for source in sources:
        parse_into(ds, source.data, source.graph, source.name)
    return ds


def sparql_store(ds: ox.Dataset) -> ox.Store:
    """An Oxigraph store holding the dataset, for SPARQL. Only for queries: a store keeps typed literals by
    value (`"1"^^xsd:positiveInteger` comes back as `"1"^^xsd:integer`), so nothing is serialised from it."""
    store = ox.Store()
    store.bulk_extend(ds)
    return store


# ------------------------------------------------------------------------------------ rdflib <-> pyoxigraph
# The converter, the reasoner and pySHACL work on rdflib graphs; these move terms across, nothing else.


def to_ox(term):  # noqa: ANN001, ANN201 - rdflib term -> pyoxigraph term
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def from_ox(term):  # noqa: ANN001, ANN201 - pyoxigraph term -> rdflib term
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def add_graph(ds: ox.Dataset, graph_name: str, graph: Graph) -> None:
    name = ox.NamedNode(graph_name)
    for s, p, o in graph:
        ds.add(ox.Quad(to_ox(s), to_ox(p), to_ox(o), name))


def triples(graph: Graph) -> list[ox.Triple]:
    return [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph]


def rdflib_graph(ds: ox.Dataset, graphs: Sequence[str] | None = None) -> Graph:
    """The union of some named graphs (default: all) as one rdflib graph."""
    out = Graph()
    for q in quads(ds, graphs, canonical=False):
        out.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
    return out


# ------------------------------------------------------------------------------------------ serialising


def _canonical(quads: list[ox.Quad]) -> list[ox.Quad]:
    """Blank nodes relabelled from the content (RDFC-1.0), quads sorted: the same data, the same order."""
    if any(isinstance(t, ox.BlankNode) for q in quads for t in (q.subject, q.object)):
        ds = ox.Dataset(quads)
        ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        quads = list(ds)
    return sorted(quads, key=str)


def quads(ds: ox.Dataset, graphs: Sequence[str] | None = None, canonical: bool = True) -> list[ox.Quad]:
    """The quads of some named graphs (default: all), canonical and sorted unless told otherwise."""
    if graphs is None:
        found = list(ds)
    else:
        found = [q for g in graphs for q in ds.quads_for_graph_name(ox.NamedNode(g))]
    return _canonical(found) if canonical else found


def union(quad_list: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The triples of the quads, each once, sorted (a triple two sources assert is one triple)."""
    return sorted({q.triple for q in quad_list}, key=str)


def used_prefixes(terms: Iterable[ox.Triple]) -> dict[str, str]:
    used = {t.value for triple in terms for t in (triple.predicate, triple.object)
            if isinstance(t, ox.NamedNode)} | {t.datatype.value for triple in terms
                                                 if isinstance(t := triple.object, ox.Literal)}
    return {p: ns for p, ns in TURTLE_PREFIXES.items() if any(iri.startswith(ns) for iri in used)}


def _prefix_lines_sorted(data: bytes) -> bytes:
    """pyoxigraph writes the prefix lines in an order of its own: put them in name order."""
    lines = data.split(b"\n")
    head = [line for line in lines if line.startswith(b"@prefix ")]
    return b"\n".join(sorted(head) + lines[len(head):])


def turtle(triple_list: list[ox.Triple]) -> bytes:
    """Deterministic Turtle of sorted triples: one predicate per line, subjects in IRI order."""
    data = ox.serialize(triple_list, format=ox.RdfFormat.TURTLE, prefixes=used_prefixes(triple_list))
    return _prefix_lines_sorted(data)


def graph_turtle(graph: Graph) -> bytes:
    """The Turtle file of one rdflib graph (a report graph, void.ttl)."""
    return turtle(union(_canonical([ox.Quad(t.subject, t.predicate, t.object) for t in triples(graph)])))


def context() -> dict:
    """The JSON-LD context: prefixes only, so every IRI compacts to prefix:local and nothing is coerced."""
    return {"@context": {prefix: str(ns) for prefix, ns in sorted(iris.EXPORT_PREFIXES.items())}}


def context_bytes() -> bytes:
    return (json.dumps(context(), indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def jsonld(triple_list: list[ox.Triple]) -> bytes:
    """Compacted JSON-LD with our context embedded (pyoxigraph writes it expanded, without prefixes, so rdflib
    compacts it), node objects sorted by @id for stable bytes."""
    graph = Graph()
    for t in triple_list:
        graph.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
    ctx = context()["@context"]
    doc = json.loads(graph.serialize(format="json-ld", context=ctx, auto_compact=True))
    nodes = doc.get("@graph", [doc] if "@id" in doc else [])
    for node in nodes:
        node.pop("@context", None)
        for key, value in node.items():
            if isinstance(value, list):
                node[key] = sorted(value, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    nodes.sort(key=lambda n: str(n.get("@id", "")))
    return (json.dumps({"@context": ctx, "@graph": nodes}, indent=1, sort_keys=True, ensure_ascii=False)
            + "\n").encode("utf-8")


def serialise(ds: ox.Dataset, fmt: str, graphs: Sequence[str] | None = None) -> bytes:
    """The named graphs (default: all) in one syntax: N-Quads and TriG keep the graphs apart, the others get
    their union."""
    quad_list = quads(ds, graphs)
    if fmt == "nq":
        return ox.serialize(quad_list, format=ox.RdfFormat.N_QUADS)
    if fmt == "trig":
        data = ox.serialize(quad_list, format=ox.RdfFormat.TRIG, prefixes=used_prefixes([q.triple for q in quad_list]))
        return _prefix_lines_sorted(data)
    triple_list = union(quad_list)
    if fmt == "ttl":
        return turtle(triple_list)
    if fmt == "jsonld":
        return jsonld(triple_list)
    if fmt == "nt":
        return ox.serialize(triple_list, format=ox.RdfFormat.N_TRIPLES)
    if fmt == "xml":
        return ox.serialize(triple_list, format=ox.RdfFormat.RDF_XML, prefixes=used_prefixes(triple_list))
    raise ValueError(f"unknown format {fmt!r}")
