"""The graph as `gcmkg serve` and `gcmkg site` publish it: one dataset, every IRI under the base a document.

The dataset is the build's (`dataset`): the ontology, the reference graph and every report graph of the data
folder, each its named graph, plus `void.ttl` in the graph `https://w3id.org/gcmkg/dataset`, so the dataset
description is linked data too. It is read once and never changes while it is served, so what is made from it
(indexes, documents, pages) is made once and kept.

Documents (Cool URIs for the Semantic Web, slash IRIs): an IRI `https://w3id.org/gcmkg/X` is served at path
`/X`, which answers 303 See Other to one of its documents `/X.html`, `/X.ttl`, `/X.jsonld`, `/X.nt`, `/X.rdf`
(content negotiation); a hash IRI (`…/ontology#Term`) is served by the document of its path. What a document
holds:
- a named graph's IRI (the ontology, a reference file, a report graph, the dataset description): that graph;
- any other IRI: its triples (through its blank nodes) and the triples that point at it (a Pubby/LodView-style
  description), from the union of the graphs.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from . import dataset, iris, net, reference
from .dataset import Source
from .params import fold

BASE = iris.BASE
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: The named graph of graph/void.ttl (its main subject is the dataset itself).
DESCRIPTION_GRAPH = str(iris.DATASET)
#: Files of a built folder that describe the data rather than hold it, and their named graphs: served, but not
#: the default graph of the canned queries (which read what `gcmkg query` reads).
ABOUT_FILES = {"void.ttl": DESCRIPTION_GRAPH, "gcmkg.owl.ttl": str(iris.GRAPH).rstrip("/")}
#: Label properties, best first.
LABELS = ("http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2000/01/rdf-schema#label",
          "http://xmlns.com/foaf/0.1/name", "http://purl.org/dc/terms/title", str(iris.GCM.title))


@dataclass(frozen=True)
class DocFormat:
    key: str
    ext: str
    media_type: str
    title: str


#: The documents of every IRI, HTML first (the default for a client that states no preference).
DOC_FORMATS: dict[str, DocFormat] = {f.key: f for f in (
    DocFormat("html", "html", "text/html", "HTML"),
    DocFormat("ttl", "ttl", "text/turtle", "Turtle"),
    DocFormat("jsonld", "jsonld", "application/ld+json", "JSON-LD"),
    DocFormat("nt", "nt", "application/n-triples", "N-Triples"),
    DocFormat("xml", "rdf", "application/rdf+xml", "RDF/XML"),
)}
BY_EXT = {f.ext: f for f in DOC_FORMATS.values()}
#: Media types a client may ask for, and the format each means (aliases included).
MEDIA_TYPES = {
    "text/html": "html", "application/xhtml+xml": "html",
    "text/turtle": "ttl", "application/x-turtle": "ttl",
    "application/ld+json": "jsonld", "application/json": "jsonld",
    "application/n-triples": "nt", "text/plain": "nt",
    "application/rdf+xml": "xml", "application/xml": "xml", "text/xml": "xml",
}


def iri_path(iri: str) -> str:
    """The path an IRI under the base is served at: https://w3id.org/gcmkg/id/state/DEU -> /id/state/DEU."""
    return "/" + iri[len(BASE):].split("#", 1)[0]


def path_iri(path: str) -> str:
    return BASE + path.lstrip("/")


def negotiate(accept: str | None, offered: list[str] | None = None) -> str | None:
    """The format key (`DOC_FORMATS`) best matching an Accept header; HTML when it states no preference
    (absent, or */*), None when it accepts none of ours (406)."""
    offered = offered or list(DOC_FORMATS)
    if not accept or not accept.strip():
        return offered[0]
    best: tuple[float, int, str] | None = None
    for media, q in net.accept_ranges(accept):
        if q <= 0:
            continue
        if media in ("*/*", "text/*", "application/*"):  # a wildcard: our first format of that kind
            found = [k for k in offered if media == "*/*" or DOC_FORMATS[k].media_type.startswith(media[:-1])]
            specificity = 0
        else:
            found = [MEDIA_TYPES[media]] if MEDIA_TYPES.get(media) in offered else []
            specificity = 1
        if found and (best is None or (q, specificity) > best[:2]):  # ties: the first the client named
            best = (q, specificity, found[0])
    return best[2] if best else None


def load_sources(data_dir: Path, root: Path | None = None) -> list[Source]:
    """The sources served: ontology, reference graph, the data folder's report graphs, its void.ttl and the
    ontology that imports everything (gcmkg.owl.ttl), each in its named graph."""
    sources = reference.sources(root) + dataset.report_sources(dataset.built_files(data_dir))
    for name, graph in ABOUT_FILES.items():
        path = data_dir / name
        if path.is_file():
            sources.append(Source(graph, str(path), path.read_bytes()))
    return sources


class Served:
    """The dataset served, its indexes, and the RDF document of every IRI under the base."""

    def __init__(self, data_dir: Path, root: Path | None = None) -> None:
        self.root = root or reference.project_root()
        self.data_dir = data_dir
        sources = load_sources(data_dir, self.root)
        self.files = {s.graph: s for s in sources}
        self.ds = dataset.load(sources)
        self.store = dataset.sparql_store(self.ds)
        self.graphs = [s.graph for s in sources]
        #: the graphs `gcmkg query` reads (not the dataset description): the canned queries' default graph
        self.data_graphs = [g for g in self.graphs if g not in ABOUT_FILES.values()]
        self._index()

    # ------------------------------------------------------------------------------------------- indexes

    def _index(self) -> None:
        out: dict[ox.NamedNode | ox.BlankNode, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        inc: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        asserted: dict[str, set[str]] = defaultdict(set)
        seen: set[ox.Triple] = set()
        for q in self.ds:
            t = q.triple
            if q.predicate.value == RDF_TYPE and isinstance(q.subject, ox.NamedNode) \
                    and not q.graph_name.value.endswith("-inferred"):
                asserted[q.subject.value].add(q.object.value)
            if t in seen:
                continue
            seen.add(t)
            out[_key(q.subject)][q.predicate.value].append(q.object)
            if isinstance(q.object, ox.NamedNode):
                inc[q.object.value][q.predicate.value].append(q.subject)
        for preds in out.values():
            for values in preds.values():
                values.sort(key=_sort_key)
        self.out = {k: dict(v) for k, v in out.items()}
        self.inc = {k: dict(v) for k, v in inc.items()}
        self.asserted_types = dict(asserted)
        self.labels: dict[str, dict[str, str]] = {}
        for subject, preds in self.out.items():
            found: dict[str, str] = {}
            for prop in LABELS:
                for value in preds.get(prop, ()):
                    if isinstance(value, ox.Literal):
                        found.setdefault(value.language or "", value.value)
            if found:
                self.labels[subject] = found
        under = {k for k in self.out if not k.startswith("_:") and k.startswith(BASE)}
        under |= {k for k in self.inc if k.startswith(BASE)}
        under |= {g for g in self.graphs if g.startswith(BASE)}
        downloads = {k for k in under if k.startswith(BASE + "download/")}
        #: the paths served as resources (IRIs under the base, fragments dropped), and the downloads
        self.paths = {iri_path(k) for k in under - downloads}
        self.downloads = {iri_path(k) for k in downloads}
        self.graph_paths = {iri_path(g): g for g in self.graphs if g.startswith(BASE)}

    def values(self, subject: str, prop: str) -> list:
        return self.out.get(subject, {}).get(prop, [])

    def value(self, subject: str, prop: str):  # noqa: ANN201 - a pyoxigraph term or None
        found = self.values(subject, prop)
        return found[0] if found else None

    def integer(self, subject: str, prop: str) -> int:
        """An integer the subject has (an objective's number), 0 when it has none."""
        found = self.value(subject, prop)
        return int(found.value) if isinstance(found, ox.Literal) and found.value.lstrip("+-").isdigit() else 0

    def types(self, subject: str) -> list[str]:
        return [t.value for t in self.values(subject, RDF_TYPE)]

    def has_type(self, subject: str, cls: str) -> bool:
        return any(t.value == cls for t in self.values(subject, RDF_TYPE))

    def label(self, iri: str, lang: str) -> str:
        found = self.labels.get(iri)
        if found:
            for key in (lang, "", "en", "fr"):
                if key in found:
                    return found[key]
            return next(iter(found.values()))
        return curie(iri)

    def resource_path(self, path: str) -> str | None:
        """The served path a request path names, and None when it names nothing we know."""
        return path if path in self.paths else None

    # ------------------------------------------------------------------------------------------- documents

    def triples(self, path: str) -> list[ox.Triple]:
        """What the RDF document of a path holds (see the module docstring), sorted."""
        if path in self.graph_paths:
            return dataset.union(dataset.quads(self.ds, [self.graph_paths[path]], canonical=False))
        iri = path_iri(path)
        found: set[ox.Triple] = set()
        todo: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(iri)]
        while todo:
            node = todo.pop()
            for prop, objects in self.out.get(_key(node), {}).items():
                for obj in objects:
                    triple = ox.Triple(node, ox.NamedNode(prop), obj)
                    if triple not in found:
                        found.add(triple)
                        if isinstance(obj, ox.BlankNode):
                            todo.append(obj)
        for prop, subjects in self.inc.get(iri, {}).items():
            for subject in subjects:
                found.add(ox.Triple(subject, ox.NamedNode(prop), ox.NamedNode(iri)))
        return sorted(found, key=str)

    @lru_cache(maxsize=8192)  # noqa: B019 - one Served per process, kept for its life
    def document(self, path: str, fmt: str) -> bytes:
        """The RDF document of a served path in one format (`DOC_FORMATS`, not html)."""
        triples = self.triples(path)
        if fmt == "ttl":
            return dataset.turtle(triples)
        if fmt == "jsonld":
            return dataset.jsonld(triples)
        if fmt == "nt":
            return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        if fmt == "xml":
            return ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes=dataset.used_prefixes(triples))
        raise ValueError(f"not an RDF format: {fmt}")

    @lru_cache(maxsize=64)  # noqa: B019
    def download(self, name: str) -> bytes | None:
        """A file of `void.ttl`'s distributions (`/download/<name>`): the whole graph in one syntax (as
        `gcmkg export` writes it), or one report graph file as built; None when there is no such file."""
        from .export import file_name, serialise

        for fmt in dataset.FORMATS:
            if name == file_name(fmt):
                data = set(self.data_graphs)
                return serialise(ox.Dataset(q for q in self.ds if q.graph_name.value in data), fmt)
        path = self.data_dir / name
        if dataset.is_report_file(name) and path.is_file():
            return path.read_bytes()
        return None


def _key(node: ox.NamedNode | ox.BlankNode) -> str:
    return node.value if isinstance(node, ox.NamedNode) else f"_:{node.value}"


def _sort_key(term) -> tuple:  # noqa: ANN001 - a pyoxigraph term
    return (0 if isinstance(term, ox.NamedNode) else 1, str(term))


def last_segment(iri: str) -> str:
    """The key an IRI ends with: …/review/ece-2024 -> ece-2024."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


@lru_cache(maxsize=65536)
def order_key(text: str) -> tuple:
    """How a reader orders labels: case and accents ignored, numbers by value (paragraph 2 before paragraph 10)."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", fold(text))
                 if part)


@lru_cache(maxsize=65536)
def curie(iri: str) -> str:
    """A short readable name of an IRI: prefix:local for the project's prefixes, else the IRI."""
    for prefix, ns in sorted(iris.EXPORT_PREFIXES.items(), key=lambda kv: -len(str(kv[1]))):
        if iri.startswith(str(ns)) and len(iri) > len(str(ns)):
            return f"{prefix}:{iri[len(str(ns)):]}"
    return iri
