"""`gcmkg docs`: HTML documentation of the ontology, in English with the French labels shown beside them.

One page, `graph/docs/index.html`: the ontology's metadata, then one section per class, object property,
datatype property and annotation property (the gcm: terms first, then the external terms the ontology
declares for reuse), each with its IRI, English and French labels, English definition (the French one
below it), super-classes or super-properties, sub-classes, disjoint classes, domain and range, inverse,
property chain and characteristics. Anonymous class expressions are written in Manchester syntax.

Why not pyLODE: its current release (3.4.1) fails at import when installed from a wheel (it reads a
pyproject.toml that the wheel does not ship), and the release before it runs the English and French labels
together in each heading ("AttendancePrésence"). A page this small needs no template engine: f-strings and
`html.escape`, sorted by label, so the same ontology always gives the same bytes, with no script, font or
style sheet fetched from elsewhere.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from html import escape
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from . import reference
from .errors import InputError
from .errors import parse_error_line
from .iris import EXPORT_PREFIXES as PREFIXES
from .iris import GCM, ONTOLOGY_IRI

KINDS = (  # (rdf:type, section id, heading, short mark)
    (OWL.Class, "classes", "Classes", "c"),
    (OWL.ObjectProperty, "object-properties", "Object properties", "op"),
    (OWL.DatatypeProperty, "datatype-properties", "Datatype properties", "dp"),
    (OWL.AnnotationProperty, "annotation-properties", "Annotation properties", "ap"),
)
CHARACTERISTICS = ((OWL.FunctionalProperty, "functional"), (OWL.InverseFunctionalProperty, "inverse functional"),
                   (OWL.TransitiveProperty, "transitive"), (OWL.SymmetricProperty, "symmetric"),
                   (OWL.AsymmetricProperty, "asymmetric"), (OWL.ReflexiveProperty, "reflexive"),
                   (OWL.IrreflexiveProperty, "irreflexive"))
RESTRICTIONS = ((OWL.someValuesFrom, "some"), (OWL.allValuesFrom, "only"), (OWL.hasValue, "value"),
                (OWL.minCardinality, "min"), (OWL.maxCardinality, "max"), (OWL.cardinality, "exactly"),
                (OWL.minQualifiedCardinality, "min"), (OWL.maxQualifiedCardinality, "max"),
                (OWL.qualifiedCardinality, "exactly"))

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.45; color: #222; }
h1 { margin-bottom: 0.2rem; } h2 { border-bottom: 1px solid #ccc; margin-top: 2.5rem; }
section.term { border-left: 3px solid #ddd; padding: 0.2rem 0 0.2rem 1rem; margin: 1.5rem 0; }
section.term h3 { margin: 0 0 0.3rem 0; }
.fr { color: #555; font-weight: normal; } .fr::before { content: "fr: "; font-size: 0.8em; color: #888; }
.mark { font-size: 0.7em; vertical-align: super; color: #777; margin-left: 0.3em; }
code { background: #f4f4f4; padding: 0 0.2em; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 0.5rem 0; }
dt { font-weight: bold; } dd { margin: 0; }
p.definition-fr { color: #555; }
nav ul { columns: 3; font-size: 0.9em; }
""".strip()


@dataclass(frozen=True)
class Term:
    iri: URIRef
    kind: URIRef
    anchor: str
    label_en: str
    label_fr: str


def texts(graph: Graph, node: Node, prop: URIRef, lang: str) -> list[str]:
    return sorted(str(o) for o in graph.objects(node, prop) if isinstance(o, Literal) and o.language == lang)


def first(graph: Graph, node: Node, prop: URIRef, lang: str) -> str:
    found = texts(graph, node, prop, lang)
    return found[0] if found else ""


def curie(iri: URIRef) -> str:
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(str(kv[1]))):
        if str(iri).startswith(str(ns)) and len(str(iri)) > len(str(ns)):
            return f"{prefix}:{str(iri)[len(str(ns)):]}"
    return str(iri)


def anchor(iri: URIRef) -> str:
    return curie(iri).replace(":", "-") if not str(iri).startswith(str(GCM)) else str(iri)[len(str(GCM)):]


def terms(graph: Graph) -> dict[URIRef, Term]:
    out = {}
    for kind, *_ in KINDS:
        for iri in graph.subjects(RDF.type, kind):
            if isinstance(iri, URIRef) and iri not in out:
                label_en = first(graph, iri, RDFS.label, "en") or curie(iri)
                out[iri] = Term(iri, kind, anchor(iri), label_en, first(graph, iri, RDFS.label, "fr"))
    return out


def ordered(found: list[Term]) -> list[Term]:
    """gcm: terms first, then the external ones, each group by English label."""
    return sorted(found, key=lambda t: (not str(t.iri).startswith(str(GCM)), t.label_en.lower(), str(t.iri)))


class Page:
    def __init__(self, graph: Graph):
        self.graph = graph
        self.terms = terms(graph)
        # the member lists of every owl:AllDisjointClasses, read once (each class looks itself up in them)
        self.disjoint_sets = [list(Collection(graph, graph.value(axiom, OWL.members)))
                              for axiom in graph.subjects(RDF.type, OWL.AllDisjointClasses)]

    def link(self, node: Node) -> str:
        if isinstance(node, BNode):
            return self.expression(node)
        if isinstance(node, Literal):
            return escape(str(node))
        term = self.terms.get(node)
        if term is not None:
            return f'<a href="#{escape(term.anchor)}" title="{escape(str(node))}">{escape(term.label_en)}</a>'
        return f'<a href="{escape(str(node))}"><code>{escape(curie(node))}</code></a>'

    def expression(self, node: BNode) -> str:
        """An anonymous class expression in Manchester syntax."""
        g = self.graph
        for prop, word in ((OWL.unionOf, " or "), (OWL.intersectionOf, " and ")):
            members = g.value(node, prop)
            if members is not None:
                return "(" + word.join(self.link(m) for m in Collection(g, members)) + ")"
        complement = g.value(node, OWL.complementOf)
        if complement is not None:
            return f"not {self.link(complement)}"
        on = g.value(node, OWL.onProperty)
        if on is not None:
            for prop, word in RESTRICTIONS:
                value = g.value(node, prop)
                if value is not None:
                    qualifier = g.value(node, OWL.onClass) or g.value(node, OWL.onDataRange)
                    tail = f" {self.link(qualifier)}" if qualifier is not None else ""
                    return f"({self.link(on)} {word} {self.link(value)}{tail})"
        items = g.value(node, OWL.oneOf)
        if items is not None:
            return "{" + ", ".join(self.link(m) for m in Collection(g, items)) + "}"
        return "(anonymous class)"

    def links(self, nodes) -> str:
        rendered = sorted((self.link(n) for n in set(nodes)), key=lambda h: h.lower())
        return ", ".join(rendered)

    def row(self, name: str, nodes) -> str:
        nodes = list(nodes)
        return f"<dt>{name}</dt><dd>{self.links(nodes)}</dd>\n" if nodes else ""

    def term(self, t: Term, mark: str) -> str:
        g, iri = self.graph, t.iri
        fr = f' <span class="fr" lang="fr">{escape(t.label_fr)}</span>' if t.label_fr else ""
        parts = [f'<section class="term" id="{escape(t.anchor)}">\n',
                 f'<h3><span lang="en">{escape(t.label_en)}</span>{fr}<span class="mark">{mark}</span></h3>\n',
                 f"<dl>\n<dt>IRI</dt><dd><code>{escape(str(iri))}</code></dd>\n"]
        if curie(iri) != str(iri):
            parts.append(f"<dt>Prefixed name</dt><dd><code>{escape(curie(iri))}</code></dd>\n")
        parts.append("</dl>\n")
        for text in texts(g, iri, SKOS.definition, "en"):
            parts.append(f'<p class="definition" lang="en">{escape(text)}</p>\n')
        for text in texts(g, iri, SKOS.definition, "fr"):
            parts.append(f'<p class="definition-fr" lang="fr">{escape(text)}</p>\n')
        parts.append("<dl>\n")
        if t.kind == OWL.Class:
            parts.append(self.row("Super-classes", g.objects(iri, RDFS.subClassOf)))
            subclasses = (s for s in g.subjects(RDFS.subClassOf, iri) if isinstance(s, URIRef))
            parts.append(self.row("Sub-classes", subclasses))
            parts.append(self.row("Equivalent to", g.objects(iri, OWL.equivalentClass)))
            parts.append(self.row("Disjoint with", self.disjoint(iri)))
            parts.append(self.row("In the domain of", g.subjects(RDFS.domain, iri)))
            parts.append(self.row("In the range of", g.subjects(RDFS.range, iri)))
        else:
            parts.append(self.row("Super-properties", g.objects(iri, RDFS.subPropertyOf)))
            parts.append(self.row("Sub-properties", g.subjects(RDFS.subPropertyOf, iri)))
            parts.append(self.row("Domain", g.objects(iri, RDFS.domain)))
            parts.append(self.row("Range", g.objects(iri, RDFS.range)))
            parts.append(self.row("Inverse of", {*g.objects(iri, OWL.inverseOf), *g.subjects(OWL.inverseOf, iri)}))
            chains = sorted(" ∘ ".join(self.link(step) for step in Collection(g, chain))
                            for chain in g.objects(iri, OWL.propertyChainAxiom))
            parts.extend(f"<dt>Property chain</dt><dd>{steps}</dd>\n" for steps in chains)
            kinds = [name for kind, name in CHARACTERISTICS if (iri, RDF.type, kind) in g]
            if kinds:
                parts.append(f"<dt>Characteristics</dt><dd>{', '.join(kinds)}</dd>\n")
        for prop, name in ((SKOS.scopeNote, "Scope note"), (SKOS.editorialNote, "Editorial note")):
            for text in texts(g, iri, prop, "en"):
                parts.append(f'<dt>{name}</dt><dd lang="en">{escape(text)}</dd>\n')
        defined_by = [o for o in g.objects(iri, RDFS.isDefinedBy) if o != ONTOLOGY_IRI]
        parts.append(self.row("Defined by", defined_by))
        parts.append("</dl>\n</section>\n")
        return "".join(p for p in parts if p)

    def disjoint(self, iri: URIRef) -> list[Node]:
        g = self.graph
        out = {*g.objects(iri, OWL.disjointWith), *g.subjects(OWL.disjointWith, iri)}
        for members in self.disjoint_sets:
            if iri in members:
                out.update(m for m in members if m != iri)
        return sorted(out)

    @staticmethod
    def origin(t: Term) -> str:
        """The prefixed name of a reused external term, so that prov:Agent and foaf:Agent differ in the list."""
        return "" if str(t.iri).startswith(str(GCM)) else f" <code>{escape(curie(t.iri))}</code>"

    def header(self) -> str:
        g, o = self.graph, ONTOLOGY_IRI
        title_en = first(g, o, DCTERMS.title, "en") or first(g, o, RDFS.label, "en") or str(o)
        title_fr = first(g, o, DCTERMS.title, "fr") or first(g, o, RDFS.label, "fr")
        rows = [f"<dt>IRI</dt><dd><code>{escape(str(o))}</code></dd>\n"]
        for prop, name in ((OWL.versionIRI, "Version IRI"), (OWL.versionInfo, "Version"),
                           (DCTERMS.license, "Licence"), (DCTERMS.creator, "Creator"), (DCTERMS.source, "Source")):
            rows.append(self.row(name, g.objects(o, prop)))
        rows.append(f"<dt>Namespace</dt><dd><code>gcm:</code> <code>{escape(str(GCM))}</code></dd>\n")
        description = "".join(f'<p lang="en">{escape(t)}</p>\n' for t in texts(g, o, DCTERMS.description, "en"))
        description += "".join(f'<p lang="fr" class="definition-fr">{escape(t)}</p>\n'
                               for t in texts(g, o, DCTERMS.description, "fr"))
        return (f'<h1>{escape(title_en)}</h1>\n<p class="fr" lang="fr">{escape(title_fr)}</p>\n'
                f"<dl>\n{''.join(rows)}</dl>\n{description}")

    def render(self) -> str:
        title = first(self.graph, ONTOLOGY_IRI, DCTERMS.title, "en") or "Ontology"
        toc, body = [], []
        for kind, section, heading, mark in KINDS:
            found = ordered([t for t in self.terms.values() if t.kind == kind])
            if not found:
                continue
            toc.append(f'<li><a href="#{section}">{heading}</a> ({len(found)})</li>\n')
            body.append(f'<h2 id="{section}">{heading}</h2>\n<nav><ul>\n')
            body.extend(f'<li><a href="#{escape(t.anchor)}">{escape(t.label_en)}</a>{self.origin(t)}</li>\n'
                        for t in found)
            body.append("</ul></nav>\n")
            body.extend(self.term(t, mark) for t in found)
        return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                f"<title>{escape(title)}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n"
                f"{self.header()}<h2>Contents</h2>\n<ul>\n{''.join(toc)}</ul>\n{''.join(body)}"
                "</body>\n</html>\n")


def render(ontology: Graph) -> bytes:
    """The documentation page of an ontology graph, UTF-8."""
    return Page(ontology).render().encode("utf-8")


def render_project(root: Path | None = None) -> bytes:
    """The documentation page of the project's ontology, as `gcmkg build` writes it."""
    return render(reference.ontology(root))


def write(out: Path, root: Path | None = None) -> Path:
    path = reference.ontology_file(root)
    if not path.is_file():
        raise InputError(path, 1, "no such file")
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as err:  # rdflib raises several unrelated types for bad Turtle
        raise InputError(path, parse_error_line(err), f"not valid Turtle: {err}") from None
    out.mkdir(parents=True, exist_ok=True)
    target = out / "index.html"
    target.write_bytes(render(graph))
    return target


# ------------------------------------------------------------------------------------------------- CLI


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--out", type=Path, metavar="DIR", help="output folder (default: graph/docs/)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only errors")


def run(args: argparse.Namespace) -> int:
    root = reference.project_root()
    target = write(args.out or root / "graph" / "docs", root)
    if not args.quiet:
        print(f"wrote {target}")
    return 0
