"""`gcmkg export`: the whole graph in one file, in the RDF syntax a tool or a triplestore wants.

The whole graph is the ontology, the reference graph (one file per vocabulary) and, for every report built
into graph/, its asserted graph and the graph of what OWL RL reasoning adds to it. Each source is one named
graph, kept apart in TriG and N-Quads:

| source | named graph |
|---|---|
| `ontology/gcm.owl.ttl` | `https://w3id.org/gcmkg/ontology` |
| `ontology/reference/<stem>.ttl` | `https://w3id.org/gcmkg/reference/<stem>` (the file's owl:Ontology IRI) |
| `graph/<stem>.ttl` | `https://w3id.org/gcmkg/graph/<stem>` |
| `graph/<stem>-inferred.ttl` | `https://w3id.org/gcmkg/graph/<stem>-inferred` |

Turtle, N-Triples, JSON-LD and RDF/XML hold one graph, so they get the union. RDF/XML exports only the
ontology unless `--what all` is given: the tools that prefer RDF/XML are ontology editors and OWL tools, and
for them the ontology is the document; the data is better served by the other syntaxes.

JSON-LD embeds its `@context` (the same object as `graph/context.jsonld`, prefixes only): a processor
that meets a context by reference must fetch it, which fails offline and with JSON-LD 1.0 processors that
cannot resolve a relative context IRI, while an embedded one always round-trips.

The output is deterministic: blank nodes get labels derived from their content (rdflib's canonical
labelling, prefixed by the source so that two sources never share one), triples are added in sorted order,
N-Triples and N-Quads lines are sorted, Turtle is rdflib's `longturtle`, TriG the `longturtle` of each named
graph in IRI order, JSON-LD is written with sorted keys and sorted node lists, RDF/XML from a graph filled in
sorted order (rdflib writes subjects in the order they were added).

Those bytes are rdflib's, but not made by rdflib each time: `Whole` puts them together from pieces of the
reference part that rdflib wrote once (cached) and from the statements of the reports, written here with
rdflib's own functions for every term (see "fast writers" below); rdflib writes whatever those do not cover.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF, RDFS, XSD, Namespace
from rdflib.term import Node

from . import iris
from .errors import InputError
from .reference import cached, fingerprint, ontology_file, project_root, reference_files

#: Turtle files that are not report graphs: the dataset description, and the whole-graph export.
NOT_REPORTS = frozenset({"void.ttl", "gcmkg.ttl"})
INFERRED_SUFFIX = "-inferred.ttl"

#: Prefixes of every export and of the JSON-LD context: the project's own, plus those the ontology uses.
PREFIXES: dict[str, Namespace] = {**iris.PREFIXES, "vann": Namespace("http://purl.org/vocab/vann/")}


@dataclass(frozen=True)
class Format:
    key: str
    suffix: str
    media_type: str
    quads: bool
    title: str


FORMATS: dict[str, Format] = {f.key: f for f in (
    Format("ttl", ".ttl", "text/turtle", False, "Turtle"),
    Format("nt", ".nt", "application/n-triples", False, "N-Triples"),
    Format("nq", ".nq", "application/n-quads", True, "N-Quads"),
    Format("trig", ".trig", "application/trig", True, "TriG"),
    Format("jsonld", ".jsonld", "application/ld+json", False, "JSON-LD"),
    Format("xml", ".rdf", "application/rdf+xml", False, "RDF/XML"),
)}
WHAT = ("ontology", "all")


def default_what(fmt: str) -> str:
    return "ontology" if fmt == "xml" else "all"


def file_name(fmt: str, what: str) -> str:
    """The name a distribution gets: gcmkg.<suffix> for the whole graph, gcm.owl.<suffix> for the ontology."""
    return ("gcm.owl" if what == "ontology" else "gcmkg") + FORMATS[fmt].suffix


# ----------------------------------------------------------------------------------------------- sources


@dataclass(frozen=True)
class Source:
    graph: URIRef  # the named graph
    key: str  # short, unique: prefixes the source's blank-node labels
    name: str  # file name, for messages
    data: bytes


def built_files(graph_dir: Path) -> dict[str, bytes]:
    """The report graphs built into a folder: file name -> bytes (Turtle files other than void.ttl)."""
    if not graph_dir.is_dir():
        raise InputError(graph_dir, 1, "no such folder (run `gcmkg build` first, or give --graph DIR)")
    return {p.name: p.read_bytes() for p in sorted(graph_dir.glob("*.ttl")) if p.name not in NOT_REPORTS}


def report_files(built: Mapping[str, bytes]) -> dict[str, bytes]:
    """The report graphs among a build's files (file name -> bytes): the Turtle files of the folder itself,
    the dataset description aside."""
    return {name: data for name, data in built.items()
            if name.endswith(".ttl") and "/" not in name and name not in NOT_REPORTS}


def report_sources(built: dict[str, bytes]) -> list[Source]:
    """Asserted and inferred report graphs, from the build's file names (name -> bytes)."""
    out = []
    for name in sorted(built):
        if not name.endswith(".ttl") or name in NOT_REPORTS:
            continue
        if name.endswith(INFERRED_SUFFIX):
            stem = name.removesuffix(INFERRED_SUFFIX)
            out.append(Source(iris.inferred_graph(stem), f"{stem}-inferred", name, built[name]))
        else:
            stem = name.removesuffix(".ttl")
            out.append(Source(iris.report_graph(stem), stem, name, built[name]))
    return out


def ontology_sources(root: Path) -> list[Source]:
    path = ontology_file(root)
    out = [Source(iris.ontology_graph(), "ontology", str(path), path.read_bytes())]
    for ref in reference_files(root):
        out.append(Source(iris.reference_graph(ref.stem), f"reference-{ref.stem}", str(ref), ref.read_bytes()))
    return out


def sources(root: Path, built: dict[str, bytes], what: str = "all", inferred: bool = True) -> list[Source]:
    if what == "ontology":
        return ontology_sources(root)[:1]
    reports = [s for s in report_sources(built) if inferred or not s.name.endswith(INFERRED_SUFFIX)]
    return ontology_sources(root) + reports


# -------------------------------------------------------------------------------------------- the graph


def bind(graph: Graph) -> Graph:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def error_line(err: Exception) -> int:
    """The line rdflib's Turtle parser names, if it names one."""
    line = getattr(err, "lines", None)
    return line if isinstance(line, int) and line > 0 else 1


def parse(source: Source) -> Graph:
    graph = Graph()
    try:
        graph.parse(data=source.data, format="turtle", publicID=str(source.graph))
    except Exception as err:  # rdflib raises several unrelated types for bad Turtle
        raise InputError(source.name, error_line(err), f"not valid Turtle: {err}") from None
    return graph


def n3_key(triple: tuple[Node, Node, Node]) -> tuple[str, str, str]:
    """A total order on triples (rdflib's own comparison of literals is not one: it compares values)."""
    return (triple[0].n3(), triple[1].n3(), triple[2].n3())


def canonical(graph: Graph, key: str) -> list[tuple[Node, Node, Node]]:
    """The triples with content-derived blank-node labels (unique to this source), sorted."""
    if not any(isinstance(t, BNode) for triple in graph for t in triple):
        return sorted(graph, key=n3_key)

    triples = list(to_canonical_graph(graph))
    canon = sorted({str(t) for triple in triples for t in triple if isinstance(t, BNode)})
    short = {c: c[2:18] for c in canon}  # 'cb' + 64 hex digits: 16 are plenty, unless two collide
    if len(set(short.values())) < len(short):
        short = {c: c for c in canon}

    def label(term: Node) -> Node:
        return BNode(f"{key}-{short[str(term)]}") if isinstance(term, BNode) else term

    return sorted(((label(s), label(p), label(o)) for s, p, o in triples), key=n3_key)


def dataset(srcs: list[Source]) -> Dataset:
    """One named graph per source, blank nodes labelled deterministically, triples added in sorted order."""
    ds = bind(Dataset())
    for source in srcs:
        named = ds.graph(source.graph)
        for triple in canonical(parse(source), source.key):
            named.add(triple)
    return ds


def merged(ds: Dataset) -> Graph:
    """The union of the named graphs (a triple asserted in two sources appears once)."""
    graph = bind(Graph())
    for triple in sorted({t for g in named_graphs(ds) for t in g}, key=n3_key):
        graph.add(triple)
    return graph


def named_graphs(ds: Dataset) -> list[Graph]:
    """The non-empty named graphs, in the order of their IRIs."""
    graphs = [g for g in ds.graphs() if isinstance(g.identifier, URIRef) and len(g)]
    return sorted(graphs, key=lambda g: g.identifier)


# ------------------------------------------------------------------------------------------ serialising


def context() -> dict:
    """The JSON-LD context: prefixes only, so every IRI compacts to prefix:local and nothing is coerced."""
    return {"@context": {prefix: str(ns) for prefix, ns in sorted(PREFIXES.items())}}


def context_bytes() -> bytes:
    """graph/context.jsonld, as `gcmkg build` writes it."""
    return (json.dumps(context(), indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _sorted_json(value: object, in_list: bool = False) -> object:
    """Sort node lists and value arrays (JSON-LD arrays are unordered), but never an @list."""
    if isinstance(value, dict):
        return {k: _sorted_json(v, in_list=(k == "@list")) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        if in_list:
            return items
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def jsonld(graph: Graph) -> bytes:
    ctx = context()["@context"]
    doc = json.loads(graph.serialize(format="json-ld", context=ctx, auto_compact=True))
    if isinstance(doc, dict) and "@graph" not in doc:  # a single node: keep the usual @graph shape
        doc = {"@context": doc.pop("@context", ctx), "@graph": [doc]}
    doc = {"@context": ctx, "@graph": _sorted_json(doc.get("@graph", []))}
    return (json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def longturtle(graph: Graph) -> bytes:
    return graph.serialize(format="longturtle", encoding="utf-8").replace(b"\r\n", b"\n")


def trig(ds: Dataset) -> bytes:
    """Each named graph as rdflib's longturtle inside `<graph> { ... }`, graphs in IRI order, one prefix block.
    (rdflib's own TriG writer orders the graphs by set iteration, so its bytes change from run to run.)"""
    documents = []
    for g in named_graphs(ds):
        graph = bind(Graph())
        for triple in sorted(g, key=n3_key):
            graph.add(triple)
        documents.append((g.identifier, longturtle(graph)))
    return _trig(documents)


def _trig(documents: Iterable[tuple[URIRef, bytes]]) -> bytes:
    """TriG from the longturtle of each named graph, in the order given."""
    prefixes: set[bytes] = set()
    blocks = []
    for identifier, document in documents:
        lines = document.split(b"\n")
        prefixes.update(line for line in lines if line.startswith(b"PREFIX "))
        body = b"\n".join(line for line in lines if not line.startswith(b"PREFIX ")).strip(b"\n")
        blocks.append(b"<" + str(identifier).encode("utf-8") + b"> {\n" + body + b"\n}\n")
    return b"\n".join(sorted(prefixes)) + b"\n\n" + b"\n".join(blocks)


def rdfxml(graph: Graph) -> bytes:
    """Plain RDF/XML (rdflib's abbreviated writer drops assertions on list nodes; this one is lossless), its
    `rdf:Description` blocks sorted: rdflib writes one flat block per subject, in set order."""
    return _sorted_descriptions(graph.serialize(format="xml", encoding="utf-8").decode("utf-8"))


def _sorted_descriptions(text: str) -> bytes:
    lines = text.replace("\r\n", "\n").split("\n")
    start = next((i for i, line in enumerate(lines) if line.startswith("  <rdf:Description")), None)
    end = max(i for i, line in enumerate(lines) if line == "</rdf:RDF>")
    if start is None:
        return "\n".join(lines).encode("utf-8")
    blocks: list[list[str]] = []
    for line in lines[start:end]:
        if line.startswith("  <rdf:Description"):
            blocks.append([])
        blocks[-1].append(line)
    body = sorted("\n".join(block) for block in blocks)
    return "\n".join([*lines[:start], *body, *lines[end:]]).encode("utf-8")


def sorted_lines(data: bytes) -> bytes:
    lines = sorted({line for line in data.decode("utf-8").splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def serialise(ds: Dataset, fmt: str, union: Graph | None = None) -> bytes:
    """The dataset in one syntax (see the module docstring for what each keeps); `union` is merged(ds), if
    the caller has it already."""
    if fmt == "nq":  # each graph's N-Triples lines with the graph name added
        lines = []
        for g in named_graphs(ds):
            name = f" {g.identifier.n3()} ."
            nt = g.serialize(format="nt", encoding="utf-8").decode("utf-8")
            lines.extend(line.removesuffix(" .") + name for line in nt.splitlines() if line.strip())
        return sorted_lines("\n".join(lines).encode("utf-8"))
    if fmt == "trig":
        return trig(ds)
    graph = union if union is not None else merged(ds)
    if fmt == "ttl":
        return longturtle(graph)
    if fmt == "nt":
        return sorted_lines(graph.serialize(format="nt", encoding="utf-8"))
    if fmt == "jsonld":
        return jsonld(graph)
    if fmt == "xml":
        return rdfxml(graph)
    raise ValueError(f"unknown format {fmt!r}")


def export(root: Path, built: dict[str, bytes], fmt: str, what: str | None = None, inferred: bool = True) -> bytes:
    """The exported bytes for one format: `built` are the report graphs (file name -> bytes)."""
    return Whole.of(root, built, what=what or default_what(fmt), inferred=inferred).serialise(fmt)


def distributions(ds: Dataset) -> dict[str, bytes]:
    """The whole graph in every syntax, by distribution file name (gcmkg.ttl, gcmkg.nq, ...)."""
    union = merged(ds)
    return dict(sorted((file_name(fmt, "all"), serialise(ds, fmt, union)) for fmt in FORMATS))


# ------------------------------------------------------------------------------------------ fast writers
#
# Serialising the whole graph with rdflib (six syntaxes, about 14,000 triples) takes seconds, and the build
# does it for the byte sizes of graph/void.ttl. Most of the whole graph is the ontology and the reference
# graph, the same from build to build. So the writers below give the very bytes rdflib's give, put together
# from pieces: the pieces of the reference part come from rdflib itself (run once, cached by the contents of
# the ontology files, see `_reference_pieces`); those of the reports and of the reference nodes the reports
# add triples to are written here, with rdflib's own functions for every term (its longturtle labels, its
# N-Triples rows, its JSON-LD converter, its XML escaping), following rdflib's writers statement by
# statement. What they do not cover (blank nodes in a report graph, a prefix rdflib would have to make up)
# raises `Unsupported`, and the whole graph is written by rdflib instead. tests/test_fast_paths.py compares
# the bytes of both ways on the bundled report and on the reports of tests/data/reports.

SUBJECT, VERB, OBJECT = 0, 1, 2
_FIRST_PREDICATES = (RDF.type, RDFS.label)  # RecursiveSerializer.predicateOrder
_TYPE, _NIL = RDF.type, RDF.nil
#: Datatypes whose literals come back from their longturtle form as the same rdflib term.
SAFE_DATATYPES = frozenset({None, XSD.string, XSD.integer, XSD.positiveInteger, XSD.nonNegativeInteger,
                            XSD.negativeInteger, XSD.nonPositiveInteger, XSD.boolean, XSD.date, XSD.gYear,
                            XSD.gYearMonth, XSD.dateTime, XSD.anyURI})


class Unsupported(Exception):
    """The fast writers do not cover this graph: rdflib writes it."""


def bound(prefixes: dict[str, Namespace]) -> Graph:
    graph = Graph()
    for prefix, namespace in prefixes.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


class Labels:
    """How rdflib's longturtle writer names terms (`LongTurtleSerializer.label`) and which PREFIX lines it
    declares for them (`preprocessTriple`), memoised, for a graph bound to `prefixes`."""

    def __init__(self, prefixes: dict[str, Namespace]) -> None:
        from rdflib.plugins.serializers.longturtle import LongTurtleSerializer

        self.graph = bound(prefixes)
        self.serializer = LongTurtleSerializer(self.graph)
        self.known = sorted(self.graph.namespaces())
        self.spoiled = False
        self.pnames: dict = {}
        self.labels: dict = {}

    def pname(self, node: Node, generate: bool) -> tuple[str | None, tuple]:
        key = (node, generate)
        found = self.pnames.get(key)
        if found is None:
            if self.spoiled:
                raise Unsupported("rdflib made up a prefix before")
            serializer = self.serializer
            serializer.namespaces = {}
            text = serializer.get_pname(node, generate)
            if serializer._ns_rewrite or sorted(self.graph.namespaces()) != self.known:
                # rdflib made up a prefix (ns1, ...) or rewrote one: it is bound now, and would name the next
                # terms otherwise than in a fresh graph: this instance is never used again
                self.spoiled = True
                for prefixes, labels in list(_LABELS.items()):
                    if labels is self:
                        del _LABELS[prefixes]
                raise Unsupported(f"rdflib makes up a prefix for {node}")
            found = self.pnames[key] = (text, tuple(serializer.namespaces.items()))
        return found

    def label(self, node: Node, position: int) -> str:
        key = (node, position)
        found = self.labels.get(key)
        if found is None:
            if node == _NIL:
                found = "()"
            elif position == VERB and node == _TYPE:
                found = "a"
            elif isinstance(node, Literal):
                found = node._literal_n3(use_plain=True, qname_callback=lambda dt: self.pname(dt, False)[0])
            elif _is_bnode(node):
                raise Unsupported("a blank node")
            else:
                found = self.pname(node, position == VERB)[0] or node.n3()
            self.labels[key] = found
        return found

    def namespaces(self, triples: Iterable[tuple]) -> set:
        """The (prefix, namespace) pairs rdflib declares for these triples (`preprocessTriple`)."""
        nodes, predicates = set(), set()
        for s, p, o in triples:
            nodes.add(s)
            nodes.add(o)
            predicates.add(p)
        predicates.discard(RDF.type)
        found: set = set()
        pname = self.pname
        for node in nodes:
            found.update(pname(node, False)[1])
            if type(node) is Literal or (type(node) is not URIRef and isinstance(node, Literal)):
                if node.datatype:
                    found.update(pname(node.datatype, False)[1])
        for p in predicates:
            found.update(pname(p, True)[1])
        return found

    def block(self, subject: Node, pairs: Iterable[tuple]) -> str:
        """One top-level statement of a subject whose objects are IRIs and literals (`s_default`)."""
        if _is_bnode(subject):
            raise Unsupported("a blank node")
        properties: dict = {}
        for p, o in pairs:
            if _is_bnode(o):
                raise Unsupported("a blank node")
            properties.setdefault(p, []).append(o)
        for objects in properties.values():
            objects.sort()
        order = [p for p in _FIRST_PREDICATES if p in properties]
        order += sorted(p for p in properties if p not in _FIRST_PREDICATES)
        label = self.label
        entries = []
        for p in order:
            objects = properties[p]
            if len(objects) == 1:
                entries.append(f"{label(p, VERB)} {label(objects[0], OBJECT)}")
            else:
                entries.append(label(p, VERB) + "\n        " + " ,\n        ".join(label(o, OBJECT) for o in objects))
        return "\n" + label(subject, SUBJECT) + "\n    " + " ;\n    ".join(entries) + " ;\n.\n"

    def document(self, triples: Iterable[tuple]) -> bytes:
        """rdflib's longturtle of a graph without blank nodes."""
        triples = list(triples)
        by_subject: dict = defaultdict(list)
        references: Counter = Counter()
        for s, p, o in triples:
            by_subject[s].append((p, o))
            references[o] += 1
        classes = sorted(s for s, pairs in by_subject.items() if (RDF.type, RDFS.Class) in pairs)
        chosen = set(classes)
        rest = sorted((_is_bnode(s), references[s], s) for s in by_subject if s not in chosen)
        text = header(self.namespaces(triples)) + \
            "".join(self.block(s, by_subject[s]) for s in (*classes, *(s for _, _, s in rest)))
        return text.encode("utf-8").replace(b"\r\n", b"\n")


def _is_bnode(node: Node) -> bool:
    kind = type(node)
    return kind is BNode or (kind is not URIRef and kind is not Literal and isinstance(node, BNode))


def header(namespaces: Iterable[tuple]) -> str:
    return "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in sorted(set(namespaces)))


_LABELS: dict[tuple, Labels] = {}


def labels_for(prefixes: dict[str, Namespace]) -> Labels:
    key = tuple(sorted((p, str(ns)) for p, ns in prefixes.items()))
    if key not in _LABELS:
        _LABELS[key] = Labels(prefixes)
    return _LABELS[key]


_DIFFERENT: dict[tuple, tuple[str, ...]] = {}


def reference_prefixes() -> dict[str, Namespace]:
    """The prefixes `gcmkg build` binds on the report graphs it writes."""
    return dict(iris.PREFIXES)


def _same_labels(prefixes: dict[str, Namespace], triples: list) -> bool:
    """Whether rdflib's longturtle of `triples` is the same bytes bound to `prefixes` and to the exports'."""
    return _shared_labels(prefixes, triples) is labels_for(PREFIXES)


def _shared_labels(prefixes: dict[str, Namespace], triples: list) -> Labels:
    """The exports' labels when they name every term of `triples` as `prefixes` would (the bindings differ
    only in namespaces no term is in), so that what is computed for one is reused by the other."""
    key = tuple(sorted((p, str(ns)) for p, ns in prefixes.items()))
    if key not in _DIFFERENT:
        mine, theirs = set(bound(prefixes).namespaces()), set(bound(PREFIXES).namespaces())
        _DIFFERENT[key] = tuple(sorted({str(ns) for _, ns in mine ^ theirs}))
    different = _DIFFERENT[key]
    if not different:
        return labels_for(PREFIXES)
    for triple in triples:
        for term in triple:
            if isinstance(term, URIRef) and str.startswith(term, different):  # (rdflib's own takes no tuple)
                return labels_for(prefixes)
            if isinstance(term, Literal) and term.datatype is not None and str(term.datatype).startswith(different):
                return labels_for(prefixes)
    return labels_for(PREFIXES)


def fast_longturtle(graph: Graph | Iterable[tuple], prefixes: dict[str, Namespace] | None = None) -> bytes:
    """rdflib's longturtle of a graph bound to `prefixes` (default: the exports'), faster; rdflib's own when
    the graph has what the fast writer does not cover."""
    prefixes = PREFIXES if prefixes is None else prefixes
    triples = list(graph)
    try:
        return _shared_labels(prefixes, triples).document(triples)
    except Unsupported:
        out = bound(prefixes)
        for triple in triples:
            out.add(triple)
        return longturtle(out)


# ---- the whole graph as parts


@dataclass
class Part:
    """One source of the whole graph: its named graph and its triples (blank nodes canonical)."""

    graph: URIRef
    key: str
    name: str
    triples: list
    rdflib_graph: Graph | None = field(default=None, repr=False)
    document: bytes | None = field(default=None, repr=False)  # its longturtle, when known

    def as_graph(self) -> Graph:
        if self.rdflib_graph is None:
            graph = bind(Graph())
            for triple in self.triples:
                graph.add(triple)
            self.rdflib_graph = graph
        return self.rdflib_graph


def part(source: Source) -> Part:
    return Part(source.graph, source.key, source.name, canonical(parse(source), source.key))


def safe_triples(triples: Iterable[tuple]) -> bool:
    """Whether a graph equals what its longturtle parses back into: no blank node (the export relabels
    them), no literal whose datatype or characters the Turtle round trip could change."""
    for s, p, o in triples:
        if _is_bnode(s) or _is_bnode(p):
            return False
        kind = type(o)
        if kind is URIRef:
            continue
        if kind is Literal or isinstance(o, Literal):
            if o.datatype not in SAFE_DATATYPES or "\r" in o:
                return False
        elif _is_bnode(o):
            return False
    return True


def safe_graph(graph: Graph) -> bool:
    return safe_triples(graph)


def reference_parts(root: Path) -> list[Part]:
    """The ontology and the reference files as parts (cached by their contents)."""
    files = (ontology_file(root), *reference_files(root))
    parts = cached("export-parts", fingerprint(files), lambda: [part(s) for s in ontology_sources(root)])
    return [Part(p.graph, p.key, p.name, p.triples) for p in parts]


class Whole:
    """The dataset `gcmkg export` writes: the reference parts and the report parts; see `dataset`."""

    def __init__(self, parts: list[Part], root: Path | None = None, reference_count: int = 0) -> None:
        self.parts = parts
        self.root = root
        self.reference_count = reference_count  # how many of the first parts are the reference parts
        self._union: list | None = None
        self._dataset: Dataset | None = None
        self._n3s: dict = {}
        self._nt_objects: dict = {}
        self._new: list | None = None
        self._pairs: dict | None = None
        self._touched_pairs: dict | None = None
        self._blank: bool | None = None
        self._pieces: Pieces | None = None

    @classmethod
    def of(cls, root: Path, built: dict[str, bytes], graphs: dict[str, Graph] | None = None, what: str = "all",
           inferred: bool = True) -> Whole:
        """Like `dataset(sources(root, built, what, inferred))`; `graphs` (file name -> the graph whose
        `gcmkg.build.serialise` its bytes are) spares parsing the report files again when they are safe
        (`safe_triples`), and writing them again in TriG."""
        if what == "ontology":
            return cls([part(s) for s in ontology_sources(root)[:1]], root)
        parts = reference_parts(root)
        count = len(parts)
        for source in report_sources(built):
            if not inferred and source.name.endswith(INFERRED_SUFFIX):
                continue
            graph = (graphs or {}).get(source.name)
            triples = list(graph) if graph is not None else None
            if triples is not None and safe_triples(triples):
                document = source.data if _same_labels(reference_prefixes(), triples) else None
                parts.append(Part(source.graph, source.key, source.name, triples, graph, document))
            else:
                parts.append(part(source))
        return cls(parts, root, count)

    # ---- what describe needs

    def named(self) -> list[tuple[URIRef, list]]:
        """(named graph, triples) in IRI order, the non-empty ones, sources with one IRI merged."""
        groups: dict = {}
        for p in self.parts:
            groups.setdefault(p.graph, []).append(p)
        out = []
        for identifier in sorted(groups):
            members = groups[identifier]
            triples = members[0].triples if len(members) == 1 else sorted({t for m in members for t in m.triples},
                                                                          key=n3_key)
            if triples:
                out.append((identifier, triples))
        return out

    def graph(self, identifier: URIRef) -> Graph:
        members = [p for p in self.parts if p.graph == identifier]
        if len(members) == 1:
            return members[0].as_graph()
        graph = bind(Graph())
        for m in members:
            for triple in m.triples:
                graph.add(triple)
        return graph

    def count(self, identifier: URIRef) -> int:
        members = [p for p in self.parts if p.graph == identifier]
        return len(members[0].triples) if len(members) == 1 else len({t for m in members for t in m.triples})

    def union(self) -> list:
        """The triples of every named graph, each once, sorted (n3_key)."""
        if self._union is None:
            key = self._n3_key
            self._union = sorted({t for p in self.parts for t in p.triples}, key=key)
        return self._union

    def _n3(self, term: Node) -> str:
        found = self._n3s.get(term)
        if found is None:
            found = self._n3s[term] = term.n3()
        return found

    def _n3_key(self, triple: tuple) -> tuple[str, str, str]:
        n3 = self._n3
        return (n3(triple[0]), n3(triple[1]), n3(triple[2]))

    def _row(self, triple: tuple) -> str:
        """rdflib's N-Triples row of a triple (`_nt_row`), its terms written once."""
        o = triple[2]
        if isinstance(o, Literal):
            found = self._nt_objects.get(o)
            if found is None:
                from rdflib.plugins.serializers.nt import _quoteLiteral
                found = self._nt_objects[o] = _quoteLiteral(o)
        else:
            found = self._n3(o)
        return f"{self._n3(triple[0])} {self._n3(triple[1])} {found} .\n"

    def dataset(self) -> Dataset:
        if self._dataset is None:
            ds = bind(Dataset())
            for p in self.parts:
                named = ds.graph(p.graph)
                for triple in p.triples:
                    named.add(triple)
            self._dataset = ds
        return self._dataset

    # ---- writing

    def serialise(self, fmt: str) -> bytes:
        """The bytes `serialise(self.dataset(), fmt)` gives."""
        if self.root is not None and self.reference_count:
            try:
                return self._fast(fmt)
            except Unsupported:
                pass
        return serialise(self.dataset(), fmt)

    def distributions(self) -> dict[str, bytes]:
        return dict(sorted((file_name(fmt, "all"), self.serialise(fmt)) for fmt in FORMATS))

    def sizes(self) -> dict[str, int]:
        """The byte size of each distribution (what the dataset description says), one syntax at a time."""
        return dict(sorted((file_name(fmt, "all"), len(self.serialise(fmt))) for fmt in FORMATS))

    def _reports(self) -> list[Part]:
        reports = self.parts[self.reference_count:]
        if self._blank is None:
            self._blank = any(_is_bnode(t) for p in reports for triple in p.triples for t in triple)
        if self._blank:
            raise Unsupported("blank nodes in a report graph")
        return reports

    def _new_triples(self) -> list:
        """The triples of the reports that are not in the reference part, each once."""
        if self._new is None:
            reference_pairs = self._reference_pairs()
            new = set()
            for p in self._reports():
                for triple in p.triples:
                    if (triple[1], triple[2]) not in reference_pairs.get(triple[0], ()):
                        new.add(triple)
            self._new = list(new)
        return self._new

    def _reference_pairs(self) -> dict:
        """Subject -> its (predicate, object) pairs in the reference part."""
        if self._pairs is None:
            pairs: dict = defaultdict(set)
            for p in self.parts[:self.reference_count]:
                for s, pr, o in p.triples:
                    pairs[s].add((pr, o))
            self._pairs = dict(pairs)
        return self._pairs

    def _touched(self) -> dict:
        """Subject the reports say something about -> all its (predicate, object) pairs in the union, in the
        order rdflib stores them in the union graph (n3 order)."""
        if self._touched_pairs is None:
            reference_pairs = self._reference_pairs()
            touched: dict = defaultdict(set)
            for s, pr, o in self._new_triples():
                touched[s].add((pr, o))
            n3 = self._n3
            self._touched_pairs = {s: sorted(pairs | reference_pairs.get(s, set()), key=lambda po: (n3(po[0]), n3(po[1])))
                                   for s, pairs in touched.items()}
        return self._touched_pairs

    @property
    def _xml_pieces(self) -> tuple[dict, dict] | None:
        pieces = self._pieces
        return None if pieces is None or pieces.xml is None else (pieces.xml, pieces.xml_bindings)

    def _fast(self, fmt: str) -> bytes:
        pieces = self._pieces = _reference_pieces(self.root, self.parts[:self.reference_count])
        if pieces is None:
            raise Unsupported("no pieces for the reference part")
        reports = self._reports()
        if any(p.graph in pieces.graphs for p in reports):
            raise Unsupported("a report graph named like a reference graph")
        if fmt == "nt":
            lines = set(pieces.nt_lines)
            rows = [self._row(t) for t in self._new_triples()]
            if any(len(row.splitlines()) != 1 or not row.strip() for row in rows):
                return sorted_lines(("".join(pieces.nt_lines) + "\n" + "".join(rows)).encode("utf-8"))
            lines.update(row[:-1] for row in rows)
            return ("\n".join(sorted(lines)) + "\n").encode("utf-8")
        if fmt == "nq":
            lines = set(pieces.nq)
            for identifier, triples in self.named():
                if identifier not in pieces.graphs:
                    name = f" {self._n3(identifier)} ."
                    text = "".join(self._row(t) for t in triples)
                    lines.update(line.removesuffix(" .") + name for line in text.splitlines() if line.strip())
            return ("\n".join(sorted(lines)) + "\n").encode("utf-8") if lines else b""
        if fmt == "trig":
            documents = dict(pieces.trig)
            labels = labels_for(PREFIXES)
            known = {p.graph: p.document for p in reports if p.document is not None}
            if len({p.graph for p in reports}) != len(reports):
                known = {}  # a named graph of two sources: written from their union
            for identifier, triples in self.named():
                if identifier not in pieces.graphs:
                    documents[identifier] = known.get(identifier) or labels.document(triples)
            return _trig(sorted(documents.items()))
        if fmt == "ttl":
            return self._turtle(pieces)
        if fmt == "jsonld":
            return self._jsonld(pieces, self._touched())
        if fmt == "xml":
            return self._rdfxml()
        raise ValueError(f"unknown format {fmt!r}")

    def _turtle(self, pieces: Pieces) -> bytes:
        if pieces.turtle is None:
            raise Unsupported("the reference part has what the fast writer does not cover")
        labels = labels_for(PREFIXES)
        namespaces = set(pieces.turtle_namespaces)
        references: Counter = Counter()
        for p in self.parts[:self.reference_count]:
            references.update(o for _, _, o in p.triples)  # (a triple in two reference files counts twice)
        references.subtract(pieces.duplicates)
        classes = set(pieces.classes)
        new = self._new_triples()
        namespaces.update(labels.namespaces(new))
        for s, pr, o in new:
            references[o] += 1
            if pr == RDF.type and o == RDFS.Class:
                classes.add(s)
        blocks = dict(pieces.turtle)
        for s, pairs in self._touched().items():
            blocks[s] = labels.block(s, pairs)
        ordered = sorted(classes)
        rest = sorted((references[s], s) for s in blocks if s not in classes)
        text = header(namespaces) + "".join(blocks[s] for s in ordered) + \
            "".join(blocks[s] for _, s in rest) + "".join(pieces.turtle_bnodes)
        return text.encode("utf-8").replace(b"\r\n", b"\n")

    def _jsonld(self, pieces: Pieces, touched: dict) -> bytes:
        if pieces.jsonld is None:
            raise Unsupported("the reference part has what the fast writer does not cover")
        items = dict(pieces.jsonld)
        nodes = _JsonNodes()
        for s, pairs in touched.items():
            items[s] = _jsonld_item(nodes.node(s, pairs))
        chosen = sorted([*items.values(), *pieces.jsonld_other])
        return _jsonld_document(text for _, text in chosen)

    def _rdfxml(self) -> bytes:
        if self._xml_pieces is None:
            raise Unsupported("no pieces")
        blocks, bindings = self._xml_pieces
        blocks = dict(blocks)
        bindings = dict(bindings)
        writer = _XmlWriter()
        for s, pairs in self._touched().items():
            blocks[s] = writer.block(s, pairs)
        for p in {p for s, pairs in self._touched().items() for p, _ in pairs}:
            bindings.update(writer.binding(p))
        return _sorted_descriptions(_xml_text(bindings, blocks.values()))


class _XmlWriter:
    """rdflib's plain RDF/XML writer (`XMLSerializer.subject`, `.predicate`), one subject at a time, for a
    graph bound like the exports'."""

    def __init__(self) -> None:
        from xml.sax.saxutils import escape, quoteattr

        from rdflib.plugins.serializers.rdfxml import ESCAPE_ENTITIES

        self.escape, self.quoteattr, self.entities = escape, quoteattr, ESCAPE_ENTITIES
        self.graph = bind(Graph())
        self.manager = self.graph.namespace_manager
        self.known = sorted(self.graph.namespaces())
        self.qnames: dict = {}
        self.bindings: dict = {}

    def binding(self, p: Node) -> dict:
        if p not in self.bindings:
            prefix, namespace, _ = self.manager.compute_qname_strict(p)
            self.bindings[p] = {prefix: URIRef(namespace)}
            self.qnames[p] = self.manager.qname_strict(p)
            if sorted(self.graph.namespaces()) != self.known:
                raise Unsupported("rdflib makes up a prefix")
        return self.bindings[p]

    def block(self, s: Node, pairs: Iterable[tuple]) -> str:
        """The rdf:Description of a subject, its (predicate, object) pairs in the order rdflib stores them."""
        escape, quoteattr, entities = self.escape, self.quoteattr, self.entities
        out = [f'  <rdf:Description rdf:nodeID="{s}">\n' if _is_bnode(s)
               else f"  <rdf:Description rdf:about={quoteattr(s)}>\n"]
        for p, o in pairs:
            self.binding(p)
            qname = self.qnames[p]
            if isinstance(o, Literal):
                attributes = (f' xml:lang="{o.language}"' if o.language else "") + \
                             (f' rdf:datatype="{o.datatype}"' if o.datatype else "")
                out.append(f"    <{qname}{attributes}>{escape(o, entities)}</{qname}>\n")
            elif _is_bnode(o):
                out.append(f'    <{qname} rdf:nodeID="{o}"/>\n')
            else:
                out.append(f"    <{qname} rdf:resource={quoteattr(o)}/>\n")
        out.append("  </rdf:Description>\n")
        return "".join(out)


def _xml_text(bindings: dict, blocks: Iterable[str]) -> str:
    """What rdflib's XMLSerializer writes, its blocks in the order given."""
    bindings = dict(bindings)
    bindings.setdefault("rdf", URIRef(str(RDF)))
    head = "".join(f'   xmlns:{prefix}="{namespace}"\n' if prefix else f'   xmlns="{namespace}"\n'
                   for prefix, namespace in sorted(bindings.items()))
    return '<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF\n' + head + ">\n" + "".join(blocks) + "</rdf:RDF>\n"


def _nt_row(triple: tuple) -> str:
    from rdflib.plugins.serializers.nt import _nt_row as row
    return row(triple)


def _quad_lines(identifier: URIRef, triples: Iterable[tuple]) -> list[str]:
    """The N-Quads lines of one named graph, as `serialise(ds, "nq")` makes them."""
    name = f" {identifier.n3()} ."
    nt = "".join(_nt_row(t) for t in triples)
    return [line.removesuffix(" .") + name for line in nt.splitlines() if line.strip()]


class _Pairs:
    """The one subject the JSON-LD converter is asked about, as much of a graph as it reads of it."""

    def __init__(self, subject: Node, pairs: list) -> None:
        self.subject = subject
        self.pairs = pairs

    def predicate_objects(self, subject: Node):  # noqa: ANN201
        return iter(self.pairs) if subject == self.subject else iter(())

    def value(self, subject: Node, predicate: Node = None, *args, **kwargs):  # noqa: ANN001, ANN201
        if subject == self.subject:
            raise Unsupported("a subject read as a list")
        return None

    def subjects(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        raise Unsupported("a blank node")


def _jsonld_converter():  # noqa: ANN202
    from rdflib.plugins.serializers.jsonld import Converter
    from rdflib.plugins.shared.jsonld.context import Context

    # as rdflib's JsonLDSerializer calls it (its use_native_types arrives as a one-element tuple)
    return Converter(Context(context()["@context"]), (False,), False)


class _JsonNodes:
    """rdflib's JSON-LD node objects (`Converter.process_subject`) of subjects whose objects are IRIs and
    literals, each (predicate, object) pair converted once (`Converter.add_to_node` on an empty node) and the
    values merged as add_to_node merges them."""

    def __init__(self) -> None:
        self.converter = _jsonld_converter()
        context = self.converter.context
        if context.active is not True and not context.active:
            raise Unsupported("an inactive context")
        if any(term.container or term.type or term.language for term in context.terms.values() if term is not None):
            raise Unsupported("a context with term definitions")
        self.pairs: dict = {}

    def pair(self, s: Node, p: Node, o: Node) -> tuple[str, object]:
        key = (p, o)
        found = self.pairs.get(key)
        if found is None:
            if _is_bnode(o) or _is_bnode(s):
                raise Unsupported("a blank node")
            node: dict = {}
            self.converter.add_to_node(_Pairs(None, []), s, p, o, node, {})
            if len(node) != 1:
                raise Unsupported("a pair that is not one key")
            found = self.pairs[key] = next(iter(node.items()))
        return found

    def node(self, s: Node, pairs: Iterable[tuple]) -> dict:
        node = {self.converter.context.id_key: self.converter.context.shrink_iri(s)}
        for p, o in pairs:
            key, value = self.pair(s, p, o)
            existing = node.get(key)
            if existing:
                if not isinstance(existing, list):
                    existing = [existing]
                existing.append(value)
            else:
                existing = list(value) if isinstance(value, list) else value
            node[key] = existing
        return node


def _jsonld_item(node: dict) -> tuple[str, str]:
    """A node of the @graph as `jsonld` writes it: (sort key, text at its depth)."""
    value = _sorted_json(json.loads(json.dumps(node, ensure_ascii=False)))
    key = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return key, "  " + _json_text(value, 2)


def _json_text(value: object, level: int) -> str:
    """`json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False)` as it is written `level` deep (its
    lines after the first indented by `level` more spaces), without json's slow indenting encoder."""
    if isinstance(value, str):
        return _encode_string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return json.dumps(value)
    inner = "\n" + " " * (level + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        if not all(isinstance(k, str) for k in value):
            return json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False).replace("\n", "\n" + " " * level)
        items = (_encode_string(k) + ": " + _json_text(v, level + 1) for k, v in sorted(value.items()))
        return "{" + inner + ("," + inner).join(items) + "\n" + " " * level + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        return "[" + inner + ("," + inner).join(_json_text(v, level + 1) for v in value) + "\n" + " " * level + "]"
    return json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False).replace("\n", "\n" + " " * level)


def _encode_string(text: str) -> str:
    from json.encoder import encode_basestring
    return encode_basestring(text)


def _jsonld_document(items: Iterable[str]) -> bytes:
    """`jsonld`'s bytes from the texts of its @graph nodes, sorted."""
    items = list(items)
    ctx = _json_text(context()["@context"], 1)
    graph = "[\n" + ",\n".join(items) + "\n ]" if items else "[]"
    return ('{\n "@context": ' + ctx + ',\n "@graph": ' + graph + "\n}\n").encode("utf-8")


@dataclass
class Pieces:
    """What rdflib writes of the reference part, cut into pieces (see the section comment)."""

    nt_lines: list  # N-Triples lines of the union (sorted_lines' lines)
    nq: list  # N-Quads lines
    trig: list  # (named graph, longturtle)
    graphs: frozenset  # the named graphs
    turtle: dict | None  # IRI subject -> its top-level statement
    turtle_bnodes: list  # the top-level statements of blank nodes, in rdflib's order
    turtle_namespaces: list
    duplicates: dict  # object -> how many more times the reference files have a triple with it than the union
    classes: list  # subjects typed rdfs:Class
    jsonld: dict | None  # IRI subject -> (sort key, text)
    jsonld_other: list  # the other nodes (blank nodes)
    xml: dict | None  # subject -> its rdf:Description
    xml_bindings: dict  # prefix -> namespace of the predicates


def _reference_pieces(root: Path, parts: list[Part]) -> Pieces | None:
    files = (ontology_file(root), *reference_files(root))
    return cached("export-pieces", fingerprint(files, *(p.key for p in parts)), lambda: _cut(parts))


def _cut(parts: list[Part]) -> Pieces | None:
    whole = Whole(parts)
    union = whole.union()
    graph = bind(Graph())
    for triple in union:
        graph.add(triple)
    duplicates: Counter = Counter()
    for p in parts:
        duplicates.update(o for _, _, o in p.triples)
    duplicates.subtract(o for _, _, o in union)
    nt_lines = sorted_lines(graph.serialize(format="nt", encoding="utf-8")).decode("utf-8").splitlines()
    nq = []
    trig_documents = []
    for identifier, triples in whole.named():
        nq.extend(_quad_lines(identifier, triples))
        g = bind(Graph())
        for triple in triples:
            g.add(triple)
        trig_documents.append((identifier, longturtle(g)))
    classes = sorted(s for s in graph.subjects(RDF.type, RDFS.Class))
    turtle, bnodes, namespaces = _cut_turtle(graph)
    if any(isinstance(c, BNode) for c in classes):
        turtle = None
    jsonld, other = _cut_jsonld(graph, union)
    xml, bindings = _cut_xml(graph, union)
    return Pieces(nt_lines, nq, trig_documents, frozenset(i for i, _ in trig_documents), turtle, bnodes, namespaces,
                  {o: n for o, n in duplicates.items() if n}, classes, jsonld, other, xml, bindings)


def _cut_xml(graph: Graph, union: list) -> tuple[dict | None, dict]:
    """The rdf:Description of every subject, checked against rdflib's whole output."""
    writer = _XmlWriter()
    by_subject: dict = defaultdict(list)
    for s, p, o in union:
        by_subject[s].append((p, o))
    blocks = {s: writer.block(s, pairs) for s, pairs in by_subject.items()}
    bindings: dict = {}
    for p in {p for _, p, _ in union}:
        bindings.update(writer.binding(p))
    if _sorted_descriptions(_xml_text(bindings, blocks.values())) != rdfxml(graph):
        return None, {}
    return blocks, bindings


def _cut_turtle(graph: Graph) -> tuple[dict | None, list, list]:
    """rdflib's longturtle of the graph, statement by statement (`LongTurtleSerializer.serialize`)."""
    from rdflib.plugins.serializers.longturtle import LongTurtleSerializer

    serializer = LongTurtleSerializer(graph)
    serializer._canon = False
    serializer.reset()
    stream = io.BytesIO()
    serializer.stream = stream
    serializer.base = None
    serializer.preprocess()
    subjects = serializer.orderSubjects()
    namespaces = sorted(serializer.namespaces.items())
    statements: dict = {}
    bnodes = []
    for subject in subjects:
        if serializer.isDone(subject):
            continue
        start = stream.tell()
        if serializer.statement(subject):
            serializer.write("\n")
        text = stream.getvalue()[start:].decode("utf-8")
        if isinstance(subject, BNode):
            bnodes.append(text)
        else:
            statements[subject] = text
    whole = stream.getvalue().decode("utf-8")
    if (header(namespaces) + whole).encode("utf-8").replace(b"\r\n", b"\n") != longturtle(graph):
        return None, [], []
    return statements, bnodes, namespaces


def _cut_jsonld(graph: Graph, union: list) -> tuple[dict | None, list]:
    ctx = context()["@context"]
    doc = json.loads(graph.serialize(format="json-ld", context=ctx, auto_compact=True))
    nodes = doc.get("@graph") if isinstance(doc, dict) else None
    if not isinstance(nodes, list):
        return None, []
    converter = _jsonld_converter()
    ids = {str(converter.context.shrink_iri(s)): s for s, _, _ in union if isinstance(s, URIRef)}
    items: dict = {}
    other = []
    for node in nodes:
        subject = ids.get(node.get("@id")) if isinstance(node, dict) else None
        if subject is None:
            other.append(_jsonld_item(node))
        elif subject in items:
            return None, []
        else:
            items[subject] = _jsonld_item(node)
    return items, other


# ------------------------------------------------------------------------------------------------- CLI


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=[*FORMATS, "all"], default="ttl",
                   help="ttl, nt, jsonld, xml: one merged graph; nq, trig: one named graph per source; "
                        "all: the whole graph in every syntax into the folder --out, named as in graph/void.ttl "
                        "(default: ttl)")
    p.add_argument("-o", "--out", default="-",
                   help="output file, '-' for stdout (default); with --format all, a folder")
    p.add_argument("--graph", type=Path, metavar="DIR", help="folder of the built report graphs (default: graph/)")
    p.add_argument("--what", choices=WHAT,
                   help="ontology: the ontology alone; all: ontology, reference graph and reports "
                        "(default: ontology for xml, all for the others)")
    p.add_argument("--no-inferred", action="store_true", help="leave out the OWL RL inferred graphs")


def run(args: argparse.Namespace) -> int:
    root = project_root()
    built = built_files(args.graph or root / "graph")
    if args.format == "all":
        if args.out in (None, "-"):
            print("error: --format all needs --out DIR", file=sys.stderr)
            return 2
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for name, data in Whole.of(root, built).distributions().items():
            (out / name).write_bytes(data)
        return 0
    data = export(root, built, args.format, args.what, inferred=not args.no_inferred)
    if args.out in (None, "-"):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        Path(args.out).write_bytes(data)
    return 0
