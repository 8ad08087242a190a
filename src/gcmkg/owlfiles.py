"""What makes the built graph open in Protégé: an OWL ontology header on every graph file, a catalog, one file
that imports everything.

Each Turtle file the build writes (the dataset description aside) is an OWL ontology of its own, so that the OWL
API reads the `gcm:` terms it uses as the ontology declares them (without a header and imports it would read
each of them as an annotation property):

| file | ontology IRI | imports |
|---|---|---|
| `<stem>.ttl` | `https://w3id.org/gcmkg/graph/<stem>` | the ontology, the reference files the report uses |
| `<stem>-inferred.ttl` | `https://w3id.org/gcmkg/graph/<stem>-inferred` | `<stem>.ttl` |
| `reference-inferred.ttl` | `https://w3id.org/gcmkg/graph/reference-inferred` | the ontology, every reference file |
| `gcmkg.owl.ttl` | `https://w3id.org/gcmkg/graph` | all of the above |

The version IRI of a graph is its IRI followed by the release of gcmkg that wrote it (the converter's version
decides the triples as much as the report does). `catalog-v001.xml`, the file Protégé looks for beside the one
it opens, maps every IRI imported to its local file, so nothing is fetched.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from . import __version__, dataset, iris, reference

ALL_FILE = "gcmkg.owl.ttl"
ALL_IRI = URIRef(iris.BASE + "graph")
CATALOG_FILE = "catalog-v001.xml"  # the only name Protégé looks for
REFERENCE_STEM = "reference"
REFERENCE_INFERRED_FILE = f"{REFERENCE_STEM}{dataset.INFERRED_SUFFIX}"


def header(graph: Graph, iri: URIRef, imports: Iterable[URIRef], labels: dict[str, str]) -> Graph:
    """`graph` with an owl:Ontology header: its IRI, a version IRI, labels, imports (changes `graph`)."""
    graph.add((iri, RDF.type, OWL.Ontology))
    graph.add((iri, OWL.versionIRI, URIRef(f"{iri}/{__version__}")))
    graph.add((iri, OWL.versionInfo, Literal(f"gcmkg {__version__}")))
    for lang, text in labels.items():
        graph.add((iri, RDFS.label, Literal(text, lang=lang)))
    for target in imports:
        graph.add((iri, OWL.imports, target))
    return graph


def used_references(graph: Graph, root: Path | None = None) -> list[URIRef]:
    """The reference files (their ontology IRIs) whose individuals a report graph names."""
    by_graph = reference.derived(root, "reference-subjects", lambda: _reference_subjects(root))
    nodes = {str(t) for triple in graph for t in (triple[0], triple[2]) if isinstance(t, URIRef)}
    return [URIRef(g) for g, subjects in sorted(by_graph.items()) if not nodes.isdisjoint(subjects)]


def _reference_subjects(root: Path | None) -> dict[str, frozenset[str]]:
    ds = reference.with_data(root)
    out = {}
    for source in reference.sources(root)[1:]:
        out[source.graph] = frozenset(q.subject.value for q in ds.quads_for_graph_name(ox.NamedNode(source.graph))
                                      if isinstance(q.subject, ox.NamedNode))
    return out


def report_header(graph: Graph, stem: str, root: Path | None = None) -> Graph:
    return header(graph, iris.report_graph(stem), [iris.ONTOLOGY_IRI, *used_references(graph, root)],
                  {"en": f"gcmkg: facts read from {stem}", "fr": f"gcmkg : faits tirés de {stem}"})


def inferred_header(graph: Graph, stem: str) -> Graph:
    return header(graph, iris.inferred_graph(stem), [iris.report_graph(stem)],
                  {"en": f"gcmkg: OWL 2 RL entailments of {stem}", "fr": f"gcmkg : déductions OWL 2 RL de {stem}"})


def reference_inferred_header(graph: Graph, root: Path | None = None) -> Graph:
    return header(graph, iris.inferred_graph(REFERENCE_STEM),
                  [URIRef(s.graph) for s in reference.sources(root)],
                  {"en": "gcmkg: OWL 2 RL entailments of the ontology over the reference graph",
                   "fr": "gcmkg : déductions OWL 2 RL de l'ontologie sur le graphe de référence"})


def everything(graph_files: Iterable[str], root: Path | None = None) -> bytes:
    """gcmkg.owl.ttl: the ontology that imports the ontology, the reference graph and every graph file."""
    names = sorted(n for n in graph_files if dataset.is_report_file(n))
    imports = [URIRef(s.graph) for s in reference.sources(root)] + [URIRef(dataset.report_graph_name(n)) for n in names]
    g = header(reference.bind(Graph()), ALL_IRI, imports,
               {"en": "gcmkg: the whole knowledge graph (ontology, reference graph, every report, entailments)",
                "fr": "gcmkg : tout le graphe de connaissances (ontologie, graphe de référence, chaque rapport, "
                      "déductions)"})
    return dataset.graph_turtle(g)


def catalog(graph_files: Iterable[str], out: Path, root: Path | None = None) -> bytes:
    """catalog-v001.xml for the folder `out`: every ontology IRI the graph files import, mapped to its local file
    (the ontology and the reference files by a path relative to `out`)."""
    entries = [(s.graph, Path(s.name)) for s in reference.sources(root)]
    entries += [(dataset.report_graph_name(n), out / n) for n in sorted(graph_files) if dataset.is_report_file(n)]
    entries.append((str(ALL_IRI), out / ALL_FILE))
    lines = ['<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
             "<!-- Written by gcmkg build. Maps every IRI the graph files import to a local file, so that Protégé",
             "     (which reads the catalog-v001.xml beside the file it opens) and the OWL API open them offline. -->",
             '<catalog prefer="public" xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">']
    for name, path in entries:
        relative = Path(os.path.relpath(path.resolve(), out.resolve())).as_posix()
        lines.append(f"    <uri name={quoteattr(name)} uri={quoteattr(relative)}/>")
    lines.append("</catalog>")
    return ("\n".join(lines) + "\n").encode("utf-8")
