"""OWL 2 RL reasoning, scoped to the entailments that matter, kept apart from the asserted data.

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

Two engines compute that closure. `owlrl` (the reference implementation, `GCMKG_REASONER=owlrl`) applies
every OWL 2 RL rule to every triple in cycles until nothing changes: about two seconds a report, spent on
rules that cannot fire here. `rules` (the default) compiles the structural axioms of the input into the only
rules they can trigger -- prp-dom, prp-rng, prp-spo1, prp-spo2 (property chains), prp-eqp1/2, prp-inv1/2,
prp-symp, prp-trp, cax-sco, cax-eqc1/2 and scm-cls -- and runs them to a fixpoint over Python sets, each
new triple joined once against indexes (semi-naive evaluation): a few hundredths of a second. What owlrl
computes beyond those rules is noise the filter drops (datatype and annotation-property typings, reflexive
owl:sameAs, schema triples); every input that could make another rule fire (owl:sameAs, restrictions,
unions and intersections, functional or inverse-functional properties, keys, rules about RDF/RDFS/OWL/XSD
terms themselves, blank-node properties) sends the closure to owlrl instead (`Unsupported`), so both engines
give the same kept triples; tests/test_reason.py and tests/test_fast_paths.py compare them.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from .reference import bind

STRUCTURAL = {RDFS.subClassOf, RDFS.subPropertyOf, OWL.inverseOf, OWL.propertyChainAxiom, RDF.first, RDF.rest,
              OWL.equivalentClass, OWL.equivalentProperty, RDFS.domain, RDFS.range}
PROPERTY_KINDS = {OWL.ObjectProperty, OWL.TransitiveProperty, OWL.SymmetricProperty}
NOISE_NAMESPACES = tuple(str(ns) for ns in (RDF, RDFS, OWL, XSD))
NOISE_CLASSES = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual}
ENGINES = ("rules", "owlrl")

Triple = tuple


def _tbox_triples(ontology: Graph) -> list[Triple]:
    """The ontology's axioms that the kept entailments can come from."""
    out = []
    for s, p, o in ontology:
        if p in STRUCTURAL and not (p == RDFS.subClassOf and isinstance(o, BNode)):
            out.append((s, p, o))
        elif p == RDF.type and o in PROPERTY_KINDS:
            out.append((s, p, o))
    return out


def _input_triples(data: Graph, ontology: Graph, reference: Graph) -> set[Triple]:
    triples: set[Triple] = set(_tbox_triples(ontology))
    seen: set[tuple] = set()
    for triple in data:
        if not isinstance(triple[2], Literal):
            triples.add(triple)
        elif triple[:2] not in seen:  # one literal per subject and property is enough for domain rules
            seen.add(triple[:2])
            triples.add(triple)
    for node in mentioned(data):
        for kind in reference.objects(node, RDF.type):
            triples.add((node, RDF.type, kind))
    return triples


def mentioned(data: Graph) -> set[URIRef]:
    return {t for triple in data for t in (triple[0], triple[2]) if isinstance(t, URIRef)}


def kept(triple: tuple, subjects: set, nodes: set, known: Graph | set) -> bool:
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


# ---------------------------------------------------------------------------------------------- the engines


class Unsupported(Exception):
    """The input holds something the compiled rules do not cover: owlrl computes the closure instead."""


#: OWL terms whose presence as a predicate or as a type makes rules fire that `rules` does not implement.
HANDLED_OWL_PREDICATES = {OWL.inverseOf, OWL.propertyChainAxiom, OWL.equivalentClass, OWL.equivalentProperty,
                          # rules that only ever report errors, never add triples:
                          OWL.disjointWith, OWL.propertyDisjointWith, OWL.members, OWL.distinctMembers,
                          OWL.differentFrom,
                          # annotations
                          OWL.versionInfo, OWL.versionIRI, OWL.imports, OWL.priorVersion, OWL.deprecated,
                          OWL.backwardCompatibleWith, OWL.incompatibleWith,
                          # annotated axioms (the sources of the reference graph's links): no OWL 2 RL rule reads them
                          OWL.annotatedSource, OWL.annotatedProperty, OWL.annotatedTarget}
HANDLED_OWL_TYPES = {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.TransitiveProperty,
                     OWL.SymmetricProperty, OWL.AsymmetricProperty, OWL.IrreflexiveProperty, OWL.ReflexiveProperty,
                     OWL.Class, OWL.NamedIndividual, OWL.Ontology, OWL.Thing, OWL.AllDisjointClasses,
                     OWL.AllDisjointProperties, OWL.AllDifferent, OWL.Axiom, OWL.Annotation}
#: Types that, derived during the closure, would change the rules themselves.
RULE_TYPES = {OWL.TransitiveProperty, OWL.SymmetricProperty, OWL.FunctionalProperty, OWL.InverseFunctionalProperty,
              OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property, OWL.Restriction,
              OWL.AllDifferent, OWL.AllDisjointClasses, OWL.AllDisjointProperties, OWL.Nothing}
#: Predicates that, derived during the closure, would change the rules themselves.
RULE_PREDICATES = STRUCTURAL | {OWL.sameAs, OWL.onProperty, OWL.someValuesFrom, OWL.allValuesFrom, OWL.hasValue,
                                OWL.intersectionOf, OWL.unionOf, OWL.oneOf, OWL.hasKey, OWL.maxCardinality,
                                OWL.maxQualifiedCardinality, OWL.complementOf}


_AXIOMS = {RDF.type: "type", RDFS.subPropertyOf: "sub_property", OWL.equivalentProperty: "equivalent_property",
           OWL.inverseOf: "inverse", RDFS.domain: "domain", RDFS.range: "range", RDFS.subClassOf: "sub_class",
           OWL.equivalentClass: "equivalent_class", OWL.propertyChainAxiom: "chain", RDF.first: "first",
           RDF.rest: "rest"}
_TYPE_KINDS = {OWL.SymmetricProperty: "symmetric", OWL.TransitiveProperty: "transitive", OWL.Class: "class",
               OWL.FunctionalProperty: "unsupported", OWL.InverseFunctionalProperty: "unsupported",
               OWL.Restriction: "unsupported"}


def _noise(term) -> bool:
    return not isinstance(term, URIRef) or str(term).startswith(NOISE_NAMESPACES)


def _items(index: dict, head) -> list:
    """An rdf:List from the (first, rest) index, or Unsupported when it is not a proper list."""
    out, node, seen = [], head, set()
    while node != RDF.nil:
        if node in seen or node not in index:
            raise Unsupported(f"malformed rdf:List at {node}")
        seen.add(node)
        first, rest = index[node]
        if len(first) != 1 or len(rest) != 1:
            raise Unsupported(f"malformed rdf:List at {node}")
        out.append(next(iter(first)))
        node = next(iter(rest))
    return out


class Rules:
    """The rules the structural axioms of an input compile to (see the module docstring)."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.sub_property: dict = defaultdict(set)  # p -> its direct super-properties (and equivalents)
        self.inverse: dict = defaultdict(set)
        self.symmetric: set = set()
        self.transitive: set = set()
        self.domain: dict = defaultdict(set)
        self.range: dict = defaultdict(set)
        self.sub_class: dict = defaultdict(set)  # c -> its direct super-classes (and equivalents)
        self.chains: dict = defaultdict(list)  # p -> [(chain property, (p1, ..., pn), position of p)]
        lists: dict = defaultdict(lambda: (set(), set()))
        chain_heads = []
        classes = []
        owl = str(OWL)
        for s, p, o in triples:
            kind = _AXIOMS.get(p)
            if kind is None:
                if type(p) is BNode:
                    raise Unsupported("a blank node as predicate")
                if str.startswith(p, owl) and p not in HANDLED_OWL_PREDICATES:
                    raise Unsupported(f"{p} needs rules beyond the compiled ones")
            elif kind == "type":
                if o in _TYPE_KINDS:
                    which = _TYPE_KINDS[o]
                    if which == "symmetric":
                        self.symmetric.add(s)
                    elif which == "transitive":
                        self.transitive.add(s)
                    elif which == "class":
                        classes.append(s)
                    else:
                        raise Unsupported(f"{o} needs rules beyond the compiled ones")
                elif type(o) is URIRef and str.startswith(o, owl) and o not in HANDLED_OWL_TYPES:
                    raise Unsupported(f"{o} needs rules beyond the compiled ones")
            elif kind == "sub_property":
                if s != o:
                    self.sub_property[s].add(o)
            elif kind == "equivalent_property":
                if s != o:
                    self.sub_property[s].add(o)
                    self.sub_property[o].add(s)
            elif kind == "inverse":
                self.inverse[s].add(o)
                self.inverse[o].add(s)
            elif kind == "domain":
                self.domain[s].add(o)
            elif kind == "range":
                self.range[s].add(o)
            elif kind == "sub_class":
                if s != o:
                    self.sub_class[s].add(o)
            elif kind == "equivalent_class":
                if s != o:
                    self.sub_class[s].add(o)
                    self.sub_class[o].add(s)
            elif kind == "chain":
                chain_heads.append((s, o))
            elif kind == "first":
                lists[s][0].add(o)
            elif kind == "rest":
                lists[s][1].add(o)
        for prop, head in chain_heads:
            props = tuple(_items(lists, head))
            for position, member in enumerate(props):
                self.chains[member].append((prop, props, position))
        # What the closure could derive about RDF/RDFS/OWL/XSD terms (literal and datatype typings,
        # annotation properties, owl:sameAs) must not feed a rule, or owlrl's extra triples would matter.
        # (A derived triple may have such a predicate, e.g. gcm:unNetworkPage rdfs:subPropertyOf rdfs:seeAlso,
        # as long as no rule is about it.)
        triggers = {*self.sub_property, *self.inverse, *self.symmetric, *self.transitive, *self.domain,
                    *self.range, *self.chains}
        for prop in triggers:
            if _noise(prop):
                raise Unsupported(f"a rule about {prop}")
        for cls in self.sub_class:
            if _noise(cls) and cls != OWL.Thing:
                raise Unsupported(f"a rule about {cls}")
        # scm-cls: every class is a sub-class of owl:Thing, and owl:Nothing of it
        for cls in classes:
            if cls != OWL.Thing:
                self.sub_class[cls].add(OWL.Thing)
            self.sub_class[OWL.Nothing].add(cls)
        self.joined = self.transitive | set(self.chains)  # predicates whose triples are joined: indexed


def rules_closure(triples: Iterable[Triple]) -> set[Triple]:
    """The input and every triple the compiled rules derive from it, to a fixpoint (semi-naive)."""
    triples = set(triples)
    rules = Rules(triples)
    by_subject: dict = defaultdict(lambda: defaultdict(set))  # p -> s -> {o}
    by_object: dict = defaultdict(lambda: defaultdict(set))  # p -> o -> {s}
    joined = rules.joined
    for s, p, o in triples:
        if p in joined:
            by_subject[p][s].add(o)
            by_object[p][o].add(s)
    out = set(triples)
    queue = list(triples)
    TYPE = RDF.type

    def add(triple: Triple) -> None:
        if triple in out:
            return
        s, p, o = triple
        if p in RULE_PREDICATES or (p == TYPE and o in RULE_TYPES):
            raise Unsupported(f"the closure derives {triple}, which changes the rules")
        out.add(triple)
        queue.append(triple)
        if p in joined:
            by_subject[p][s].add(o)
            by_object[p][o].add(s)

    sub_property, inverse, symmetric, transitive = rules.sub_property, rules.inverse, rules.symmetric, rules.transitive
    domain, range_, sub_class, chains = rules.domain, rules.range, rules.sub_class, rules.chains
    while queue:
        s, p, o = queue.pop()
        for q in sub_property.get(p, ()):
            add((s, q, o))
        for q in inverse.get(p, ()):
            add((o, q, s))
        if p in symmetric:
            add((o, p, s))
        if p in transitive:
            for z in list(by_subject[p].get(o, ())):
                add((s, p, z))
            for w in list(by_object[p].get(s, ())):
                add((w, p, o))
        for c in domain.get(p, ()):
            add((s, TYPE, c))
        for c in range_.get(p, ()):
            add((o, TYPE, c))
        if p == TYPE:
            for d in sub_class.get(o, ()):
                add((s, TYPE, d))
        for prop, props, position in chains.get(p, ()):
            starts = {s}
            for step in reversed(props[:position]):
                starts = {w for x in starts for w in by_object[step].get(x, ())}
                if not starts:
                    break
            ends = {o} if starts else set()
            for step in props[position + 1:]:
                ends = {z for x in ends for z in by_subject[step].get(x, ())}
                if not ends:
                    break
            for u in sorted(starts, key=str):
                for v in sorted(ends, key=str):
                    add((u, prop, v))
    return out


def owlrl_closure(triples: Iterable[Triple]) -> set[Triple]:
    """owlrl's OWL 2 RL closure of the input (the reference implementation)."""
    import owlrl  # imported here: it is only needed when asked for, or as the fallback

    graph = Graph()
    for triple in triples:
        graph.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
    return set(graph)


def engine_name(engine: str | None = None) -> str:
    name = engine or os.environ.get("GCMKG_REASONER") or "rules"
    if name not in ENGINES:
        raise ValueError(f"unknown reasoner {name!r} (known: {', '.join(ENGINES)})")
    return name


def reason(data: Graph, ontology: Graph, reference: Graph, engine: str | None = None) -> Graph:
    """The inferred triples about one report's data, without what is already asserted anywhere.

    `engine`: "rules" (default, or $GCMKG_REASONER) or "owlrl"; both give the same triples."""
    name = engine_name(engine)
    triples = _input_triples(data, ontology, reference)
    if name == "rules":
        try:
            closure = rules_closure(triples)
        except Unsupported:
            closure = owlrl_closure(triples)
    else:
        closure = owlrl_closure(triples)
    known = frozenset(reference)
    subjects = {s for s in data.subjects() if isinstance(s, URIRef)}
    nodes = mentioned(data)
    inferred = bind(Graph())
    new = closure - triples
    new.difference_update(known)
    for triple in new:
        if triple not in data and kept(triple, subjects, nodes, known):
            inferred.add(triple)
    return inferred
