"""OWL 2 RL reasoning with owlrl, scoped to the entailments that matter, kept apart from the asserted data.

owlrl's full closure over ontology + reference graph + data costs seconds per report and grows faster than
the data, and most of what it adds is noise (axiomatic triples, reflexive owl:sameAs, owl:Thing types,
facts about the reference graph that hold without any report). So the closure runs on:
- the ontology's structural axioms only (sub-classes, sub-properties, inverses, property chains, domains and
  ranges): labels, definitions and restrictions cannot produce the entailments we keep;
- the report's IRI-to-IRI triples, and one literal per subject and property (only domain rules read
  literals, and one value is enough for them);
- the types of the reference individuals the report mentions.
The result keeps what a user of the graph needs: inverse and super-properties, super-classes of the report's
nodes, `gcm:engagedWithObjective` and `gcm:discusses` from the property chains.
"""

from __future__ import annotations

import owlrl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from .reference import bind

STRUCTURAL = {RDFS.subClassOf, RDFS.subPropertyOf, OWL.inverseOf, OWL.propertyChainAxiom, RDF.first, RDF.rest,
              OWL.equivalentClass, OWL.equivalentProperty, RDFS.domain, RDFS.range}
PROPERTY_KINDS = {OWL.ObjectProperty, OWL.TransitiveProperty, OWL.SymmetricProperty}
NOISE_NAMESPACES = tuple(str(ns) for ns in (RDF, RDFS, OWL, XSD))
NOISE_CLASSES = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual}


def tbox(ontology: Graph) -> Graph:
    """The ontology's axioms that the kept entailments can come from."""
    out = Graph()
    for s, p, o in ontology:
        if p in STRUCTURAL and not (p == RDFS.subClassOf and isinstance(o, BNode)):
            out.add((s, p, o))
        elif p == RDF.type and o in PROPERTY_KINDS:
            out.add((s, p, o))
    return out


def closure_input(data: Graph, ontology: Graph, reference: Graph) -> Graph:
    graph = Graph()
    for triple in tbox(ontology):
        graph.add(triple)
    seen: set[tuple] = set()
    for triple in data:
        if not isinstance(triple[2], Literal):
            graph.add(triple)
        elif triple[:2] not in seen:  # one literal per subject and property is enough for domain rules
            seen.add(triple[:2])
            graph.add(triple)
    for node in mentioned(data):
        for kind in reference.objects(node, RDF.type):
            graph.add((node, RDF.type, kind))
    return graph


def mentioned(data: Graph) -> set[URIRef]:
    return {t for triple in data for t in (triple[0], triple[2]) if isinstance(t, URIRef)}


def kept(triple: tuple, subjects: set, nodes: set, known: Graph) -> bool:
    """Filter owlrl's output down to the entailments about this report worth publishing."""
    s, p, o = triple
    if isinstance(s, (Literal, BNode)) or isinstance(o, BNode) or str(s).startswith(NOISE_NAMESPACES):
        return False
    if p == OWL.sameAs or s == o or (p == RDF.type and (o in NOISE_CLASSES or str(o).startswith(NOISE_NAMESPACES))):
        return False
    if p == RDF.type:
        return s in subjects  # types of reference individuals hold without any report
    if str(p).startswith(NOISE_NAMESPACES):
        return False
    return (s in nodes or o in nodes) and triple not in known


def reason(data: Graph, ontology: Graph, reference: Graph) -> Graph:
    """The inferred triples about one report's data, without what is already asserted anywhere."""
    graph = closure_input(data, ontology, reference)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
    subjects = {s for s in data.subjects() if isinstance(s, URIRef)}
    nodes = mentioned(data)
    inferred = bind(Graph())
    for triple in graph:
        if triple not in data and triple not in reference and kept(triple, subjects, nodes, reference):
            inferred.add(triple)
    return inferred
