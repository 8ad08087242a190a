"""`gcmkg validate`: check graph files against the shapes and the `*-violation.rq` queries.

The data graph is merged with the ontology and the reference graph (the types and labels the shapes
need), validated with pySHACL without inference, then every `queries/*-violation.rq` runs on the same
merged graph; each row it returns is a violation. A result names its focus node by label, the path, the
message in the chosen language, the severity and the paragraph of the report the node comes from.

How it is made fast, with the results of pySHACL and rdflib over everything (`validate(..., scoped=False)`,
`GCMKG_VALIDATION=full`; tests/test_fast_paths.py compares both on the bundled report and broken copies):
- only the nodes the data can change the results of are validated (`affected`): the nodes it describes,
  the reference nodes it mentions that a shape looking beyond its focus node's own triples targets
  (`shapes_scope`: inverse paths, SPARQL about other nodes), and the reference nodes next to a reference node
  it adds triples to; the results of the other nodes are those of the reference graph alone, computed once
  and cached (`reference_results`). pySHACL's focus_nodes option is mended for this (`_pyshacl_focus`);
- the SHACL-SPARQL constraints and the violation queries are answered by an Oxigraph copy of the merged
  graph (`SparqlMirror`), as long as Oxigraph stores every literal of it as rdflib does;
- pySHACL and rdflib's SPARQL engine are imported only when a validation runs.

Exit codes: 0 conforms (warnings and infos allowed), 1 a violation found, 2 usage or input error.

>>> from rdflib import Graph
>>> validate(Graph()).conforms
True
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS
from rdflib.query import Result as QueryResult
from rdflib.term import Node, Variable
from rdflib.util import guess_format

from .errors import InputError
from .iris import GCM, ID
from .reference import (SHAPES_FILE, bind, cached, fingerprint, ontology_dir, ontology_file, project_root, reference,
                        reference_copy, reference_files, reference_key)

if TYPE_CHECKING:
    from rdflib.plugins.sparql.sparql import Query

GCMSH = Namespace("https://w3id.org/gcmkg/shapes#")
LANGUAGES = ("en", "fr")
FORMATS = ("text", "turtle", "json")
XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")
SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
SEVERITY_RANK = {"Violation": 0, "Warning": 1, "Info": 2}
QUERY_SUFFIX = "-violation.rq"
INFERRED_SUFFIX = "-inferred.ttl"

#: How a source paragraph is named, by class and language.
PARAGRAPH_KINDS = {
    GCM.BodyParagraph: ("body", {"en": "paragraph {n}", "fr": "paragraphe {n}"}),
    GCM.AnnexParagraph: ("annex", {"en": "annex paragraph {n}", "fr": "paragraphe {n} de l'annexe"}),
    GCM.Footnote: ("footnote", {"en": "footnote {n}", "fr": "note {n}"}),
}
WORDS = {
    "en": {"conforms": "conforms", "fails": "does not conform", "Violation": "violation", "Warning": "warning",
           "Info": "info", "Violations": "violations", "Warnings": "warnings", "Infos": "infos", "path": "path",
           "value": "value", "source": "source", "shape": "shape", "in": "in"},
    "fr": {"conforms": "conforme", "fails": "non conforme", "Violation": "violation", "Warning": "avertissement",
           "Info": "information", "Violations": "violations", "Warnings": "avertissements", "Infos": "informations",
           "path": "chemin", "value": "valeur", "source": "source", "shape": "forme", "in": "dans"},
}
TEMPLATE = re.compile(r"\{[?$](\w+)\}")


# ---------------------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Source:
    """The paragraph of a report a result's focus node comes from."""

    iri: URIRef
    kind: str | None  # "body", "annex", "footnote" or None when the node is not a known paragraph
    number: int | None
    file: str | None  # the report file the paragraph was converted from
    names: Mapping[str, str]  # language -> "paragraph 12" / "paragraphe 12"

    def name(self, lang: str) -> str:
        return self.names.get(lang) or compact(self.iri)

    def as_json(self, lang: str) -> dict:
        return {"iri": str(self.iri), "kind": self.kind, "number": self.number, "file": self.file,
                "name": self.name(lang)}


@dataclass(frozen=True)
class Result:
    """One validation result, from a shape or from a violation query, ready to print in en or fr."""

    severity: str  # "Violation", "Warning" or "Info"
    focus: Node
    labels: Mapping[str, str]  # language -> label of the focus node
    messages: Mapping[str, str]  # language -> message, templates filled in
    origin: str  # shape IRI, or queries/<name>-violation.rq
    path: str | None = None  # the result path, in SPARQL property-path syntax
    value: Node | None = None
    source: Source | None = None
    path_node: Node | None = field(default=None, compare=False, repr=False)
    path_triples: tuple = field(default=(), compare=False, repr=False)  # a blank-node path, as in the shapes
    component: URIRef | None = field(default=None, compare=False, repr=False)

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or compact(self.focus)

    def message(self, lang: str) -> str:
        return self.messages.get(lang) or self.messages.get("en") or next(iter(self.messages.values()), "")

    def key(self) -> tuple:
        return (SEVERITY_RANK[self.severity], self.origin, str(self.focus), self.path or "",
                "" if self.value is None else str(self.value))

    def as_json(self, lang: str) -> dict:
        return {
            "severity": self.severity,
            "focus": str(self.focus),
            "label": self.label(lang),
            "path": self.path,
            "value": None if self.value is None else str(self.value),
            "message": self.message(lang),
            "shape": self.origin,
            "source": None if self.source is None else self.source.as_json(lang),
        }


@dataclass
class ValidationReport:
    """All results of one validation; `conforms` is False as soon as one is a violation."""

    results: list[Result]
    seconds: float = 0.0
    files: list[str] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not any(r.severity == "Violation" for r in self.results)

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    def counts(self) -> dict[str, int]:
        return {severity: self.count(severity) for severity in SEVERITY_RANK}

    # ------------------------------------------------------------------ renderings

    def text(self, lang: str = "en") -> str:
        words = WORDS[lang]
        lines: list[str] = []
        for r in self.results:
            lines.append(f"{words[r.severity]}: {r.label(lang)} <{r.focus}>" if isinstance(r.focus, URIRef)
                         else f"{words[r.severity]}: {r.label(lang)} ({r.focus.n3()})")
            lines.append(f"  {r.message(lang)}")
            if r.path:
                lines.append(f"  {words['path']}: {r.path}")
            if r.value is not None:
                lines.append(f"  {words['value']}: {show(r.value)}")
            if r.source is not None:
                where = f" ({words['in']} {r.source.file})" if r.source.file else ""
                lines.append(f"  {words['source']}: {r.source.name(lang)}{where} <{r.source.iri}>")
            lines.append(f"  {words['shape']}: {compact(URIRef(r.origin)) if '#' in r.origin else r.origin}")
        counts = ", ".join(f"{n} {words[s + 's' if plural(n, lang) else s]}" for s, n in self.counts().items())
        verdict = words["conforms"] if self.conforms else words["fails"]
        files = ", ".join(self.files) or "graph"
        lines.append(f"{files}: {verdict} ({counts}) {self.seconds:.2f} s")
        return "\n".join(lines) + "\n"

    def as_json(self, lang: str = "en") -> dict:
        return {
            "conforms": self.conforms,
            "files": self.files,
            "language": lang,
            "seconds": round(self.seconds, 3),
            "counts": self.counts(),
            "results": [r.as_json(lang) for r in self.results],
        }

    def json(self, lang: str = "en") -> str:
        return json.dumps(self.as_json(lang), ensure_ascii=False, indent=2) + "\n"

    def graph(self, lang: str = "en") -> Graph:
        """The report as a SHACL validation report graph (sh:ValidationReport), messages in `lang`."""
        g = bind(Graph())
        g.bind("sh", SH)
        g.bind("gcmsh", GCMSH)
        report = BNode("report")
        g.add((report, RDF.type, SH.ValidationReport))
        g.add((report, SH.conforms, Literal(self.conforms)))
        for i, r in enumerate(self.results, start=1):
            node = BNode(f"result{i}")
            g.add((report, SH.result, node))
            g.add((node, RDF.type, SH.ValidationResult))
            g.add((node, SH.focusNode, r.focus))
            g.add((node, SH.resultSeverity, SH[r.severity]))
            g.add((node, SH.resultMessage, Literal(r.message(lang), lang=lang)))
            if r.path_node is not None:
                g.add((node, SH.resultPath, r.path_node))
                for triple in r.path_triples:
                    g.add(triple)
            if r.value is not None:
                g.add((node, SH.value, r.value))
            if r.origin.startswith("queries/"):
                g.add((node, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
                g.add((node, DCTERMS.source, Literal(r.origin)))
            else:
                g.add((node, SH.sourceShape, URIRef(r.origin)))
                if r.component is not None:
                    g.add((node, SH.sourceConstraintComponent, r.component))
            if r.source is not None:
                g.add((node, PROV.wasDerivedFrom, r.source.iri))
        return g

    def turtle(self, lang: str = "en") -> str:
        return self.graph(lang).serialize(format="longturtle")

    def render(self, fmt: str, lang: str) -> str:
        return {"text": self.text, "json": self.json, "turtle": self.turtle}[fmt](lang)


# ---------------------------------------------------------------------------------------------- naming


def plural(n: int, lang: str) -> bool:
    return n > 1 if lang == "fr" else n != 1


def compact(node: Node) -> str:
    """`id:objective/24` for an IRI of the dataset, the IRI itself otherwise."""
    text = str(node)
    if isinstance(node, URIRef) and text.startswith(str(ID)):
        return "id:" + text.removeprefix(str(ID))
    if isinstance(node, URIRef) and text.startswith(str(GCM)):
        return "gcm:" + text.removeprefix(str(GCM))
    if isinstance(node, URIRef) and text.startswith(str(GCMSH)):
        return "gcmsh:" + text.removeprefix(str(GCMSH))
    return text if isinstance(node, URIRef) else node.n3() if isinstance(node, BNode) else text


def show(node: Node) -> str:
    return compact(node) if isinstance(node, (URIRef, BNode)) else str(node)


def labels(graph: Graph, node: Node) -> dict[str, str]:
    """Language -> name of a node: "paragraph 12" for a paragraph; else its rdfs:label (then skos:prefLabel)
    in that language, else an untagged one, else one in any other language, so that a report in English
    still names the nodes of a French report."""
    if not isinstance(node, (URIRef, BNode)):
        return {lang: str(node) for lang in LANGUAGES}
    if paragraph_names := paragraph_kind(graph, node)[1]:
        return dict(paragraph_names)
    found: dict[str, str] = {}
    candidates = sorted(
        (o for p in (RDFS.label, SKOS.prefLabel) for o in graph.objects(node, p) if isinstance(o, Literal)),
        key=lambda o: (o.language or "", str(o)),
    )
    for literal in candidates:
        found.setdefault(literal.language or "", str(literal))
    fallback = found.get("") or next(iter(found.values()), None)
    return {lang: found.get(lang) or fallback for lang in LANGUAGES if found.get(lang) or fallback}


def fill(template: str, values: Mapping[str, Node | None], graph: Graph, lang: str) -> str:
    """Replace {?var} and {$this} by the label of the bound node in `lang`."""

    def one(match: re.Match[str]) -> str:
        node = values.get(match.group(1))
        if node is None:
            return match.group(0)
        if isinstance(node, Literal):
            return str(node)
        return labels(graph, node).get(lang) or compact(node)

    return TEMPLATE.sub(one, template)


def paragraph_kind(graph: Graph, node: Node) -> tuple[str | None, dict[str, str], int | None]:
    """("body" | "annex" | "footnote" | None, language -> "paragraph 12", number) of a node."""
    numbers = [int(o) for o in graph.objects(node, GCM.paragraphNumber)
               if isinstance(o, Literal) and str(o).isdigit()]
    number = min(numbers) if numbers else None
    for cls, (key, patterns) in PARAGRAPH_KINDS.items():
        if (node, RDF.type, cls) in graph:
            names = {lang: p.format(n=number) for lang, p in patterns.items()} if number is not None else {}
            return key, names, number
    return None, {}, number


def source_of(graph: Graph, node: Node) -> Source | None:
    """The paragraph `node` comes from: the node itself if it is a paragraph, else its prov:wasDerivedFrom."""
    if (node, GCM.paragraphNumber, None) in graph or any((node, RDF.type, c) in graph for c in PARAGRAPH_KINDS):
        paragraph = node
    else:
        paragraphs = sorted(o for o in graph.objects(node, PROV.wasDerivedFrom) if isinstance(o, URIRef))
        if not paragraphs:
            return None
        paragraph = paragraphs[0]
    if not isinstance(paragraph, URIRef):
        return None
    kind, names, number = paragraph_kind(graph, paragraph)
    report = graph.value(paragraph, GCM.inReport)
    files = sorted(str(o) for o in graph.objects(report, DCTERMS.source)) if report is not None else []
    return Source(paragraph, kind, number, ", ".join(files) or None, names)


def path_text(shapes: Graph, path: Node | None) -> str | None:
    """A SHACL property path in SPARQL syntax, prefixed: `^gcm:hasSession`, `(^gcm:participant|^gcm:onBehalfOf)`."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        try:
            return shapes.namespace_manager.normalizeUri(path)
        except Exception:  # noqa: BLE001 - an IRI rdflib cannot prefix stays whole
            return f"<{path}>"
    if (inverse := shapes.value(path, SH.inversePath)) is not None:
        return "^" + (path_text(shapes, inverse) or "")
    if (alternatives := shapes.value(path, SH.alternativePath)) is not None:
        return "(" + "|".join(path_text(shapes, p) or "" for p in shapes.items(alternatives)) + ")"
    for predicate, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        if (inner := shapes.value(path, predicate)) is not None:
            return f"({path_text(shapes, inner)}){suffix}"
    steps = list(shapes.items(path))
    return "/".join(path_text(shapes, p) or "" for p in steps) if steps else str(path)


# ---------------------------------------------------------------------------------------------- loading


def shapes_file(root: Path | None = None) -> Path:
    return ontology_dir(root) / SHAPES_FILE


@cache
def _shapes(path: Path) -> Graph:
    return bind(Graph()).parse(path, format="turtle")


def shapes_graph(root: Path | None = None) -> Graph:
    path = shapes_file(root)
    if not path.is_file():
        raise InputError(path, 1, "shapes file not found")
    return _shapes(path.resolve())


@dataclass(frozen=True)
class ViolationQuery:
    path: Path
    name: str  # queries/<file>
    text: str
    messages: Mapping[str, str]  # language -> template


def violation_queries(root: Path | None = None) -> list[ViolationQuery]:
    folder = (root or project_root()) / "queries"
    out = []
    for path in sorted(folder.glob(f"*{QUERY_SUFFIX}")):
        text = path.read_text(encoding="utf-8")
        header = dict(re.findall(r"^#\+\s*(\w+):\s*(.*?)\s*$", text, flags=re.MULTILINE))
        messages = {lang: header[f"message_{lang}"] for lang in LANGUAGES if f"message_{lang}" in header}
        if not messages:
            messages = {"en": header.get("summary", path.stem)}
        out.append(ViolationQuery(path, f"queries/{path.name}", text, messages))
    return out


_PREPARED: dict[str, Query] = {}


def parse_queries_once(graph: Graph) -> Graph:
    """pySHACL sends the same SPARQL text once per focus node; parse each text once instead, which makes the
    SHACL-SPARQL constraints about thirty times faster. (An instance attribute rather than a Graph subclass,
    so that SPARQL Update, which wants a plain Graph, still works on the graph.)"""
    plain_query = graph.query

    def query(query_object, *args, **kwargs) -> QueryResult:
        if isinstance(query_object, str):
            if (prepared := _PREPARED.get(query_object)) is None:
                from rdflib.plugins.sparql import prepareQuery  # here: importing rdflib's SPARQL costs 60 ms
                prepared = _PREPARED[query_object] = prepareQuery(query_object)
            query_object = prepared
        return plain_query(query_object, *args, **kwargs)

    graph.query = query  # type: ignore[method-assign]
    return graph


XSD_NS = "http://www.w3.org/2001/XMLSchema#"
#: Datatypes Oxigraph stores as xsd:integer (it keeps values, not lexical forms, of the numeric types).
INTEGER_TYPES = frozenset(URIRef(XSD_NS + name) for name in (
    "integer", "positiveInteger", "nonNegativeInteger", "negativeInteger", "nonPositiveInteger", "long", "int",
    "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"))
XSD_INTEGER = URIRef(XSD_NS + "integer")
#: Other datatypes whose literals Oxigraph keeps as they are, when their lexical form is the canonical one.
CANONICAL = {URIRef(XSD_NS + "boolean"): re.compile(r"true|false"),
             URIRef(XSD_NS + "date"): re.compile(r"-?[0-9]{4,}-[0-9]{2}-[0-9]{2}"),
             URIRef(XSD_NS + "gYear"): re.compile(r"-?[0-9]{4,}"),
             URIRef(XSD_NS + "anyURI"): re.compile(r"[^\s]*")}
CANONICAL_INTEGER = re.compile(r"0|-?[1-9][0-9]*")


def _to_ox(term):  # noqa: ANN001, ANN202
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def _from_ox(term, integers: Mapping | None = None):  # noqa: ANN001, ANN202
    """The rdflib term of an Oxigraph term; `integers` (lexical form -> datatype) gives back the datatype of
    an integer literal of the graph that Oxigraph stored as xsd:integer."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == str(XSD_STRING):
            return Literal(term.value)
        if datatype.startswith(HIDDEN_DATATYPE):
            return Literal(term.value, datatype=URIRef(datatype.removeprefix(HIDDEN_DATATYPE)))
        if integers is not None and datatype == str(XSD_INTEGER) and term.value in integers:
            return Literal(term.value, datatype=integers[term.value])
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"not an RDF term: {term!r}")


#: The datatype prefix a literal is stored under in Oxigraph when its lexical form collides (see `_ox_quads`).
HIDDEN_DATATYPE = "urn:gcmkg:oxigraph-kept:"


def _ox_quads(triples: Iterable[tuple], primary: Mapping | None = None) -> tuple[list, dict, frozenset] | None:
    """The triples as Oxigraph quads, the datatypes of their integer literals by lexical form, and the
    predicates of the triples whose literal had to be kept apart; None when Oxigraph would keep a literal
    otherwise than rdflib (a non-canonical or non-integer number, an upper-case language tag,
    "a"^^xsd:string beside "a", ...), so that a query could see a difference.

    Oxigraph makes "3"^^xsd:positiveInteger and "3"^^xsd:nonNegativeInteger one term, 3; rdflib keeps two.
    With `primary` (lexical form -> datatype, of the reference part), an integer literal of these triples that
    shares its lexical form with one of another datatype is stored under a datatype of its own
    (HIDDEN_DATATYPE + its datatype), which keeps the two terms apart; `SparqlMirror.query` leaves to rdflib
    every query that could read such a triple."""
    import pyoxigraph as ox

    default = ox.DefaultGraph()
    terms: dict = {}
    integers: dict = {}
    taken = dict(primary or {})
    hidden: set = set()
    quads = []
    for triple in triples:
        converted = []
        for position, term in enumerate(triple):
            found = terms.get(term)
            if found is None:
                if isinstance(term, Literal):
                    if primary is not None and term.datatype in INTEGER_TYPES and \
                            CANONICAL_INTEGER.fullmatch(str(term)) and \
                            taken.setdefault(str(term), term.datatype) != term.datatype:
                        found = terms[term] = ox.Literal(str(term), datatype=ox.NamedNode(
                            HIDDEN_DATATYPE + str(term.datatype)))
                    elif not _stable_literal(term, integers):
                        return None
                if found is None:
                    found = terms[term] = _to_ox(term)
            if position == 2 and isinstance(term, Literal) and found.datatype.value.startswith(HIDDEN_DATATYPE):
                hidden.add(triple[1])
            converted.append(found)
        quads.append(ox.Quad(*converted, default))
    return quads, integers, frozenset(hidden)


def _reads_any_predicate(text: str) -> bool:
    """Whether a query may match a triple whatever its predicate: a variable or a negated property set where
    a predicate goes (a conservative reading of the text between its outermost braces)."""
    text = _without_strings(text)
    body = text[text.find("{"):text.rfind("}") + 1]
    term = r"(?:[?$]\w+|<[^>]*>|[\w-]*:[\w.-]*|\]|_:\w+)"
    return re.search(term + r"\s+[?$]\w+\s+(?:[?$<\"'\[(_]|[\w-]*:|\d)", body) is not None \
        or re.search(r";\s*[?$]\w+", body) is not None \
        or re.search(r"!\s*(?:\(|<|[\w-]*:)", body) is not None


def _stable_literal(term: Literal, integers: dict) -> bool:
    datatype = term.datatype
    if term.language:
        return term.language == term.language.lower()
    if datatype is None:
        return True
    if datatype in INTEGER_TYPES:
        if not CANONICAL_INTEGER.fullmatch(str(term)) or integers.setdefault(str(term), datatype) != datatype:
            return False
        return True
    pattern = CANONICAL.get(datatype)
    return pattern is not None and pattern.fullmatch(str(term)) is not None


def _reference_nquads(root: Path | None) -> tuple[bytes, dict] | None:
    """The ontology and the reference graph as N-Quads for Oxigraph, with their integer datatypes (cached),
    None if they do not map (`_ox_quads`)."""

    def compute() -> tuple[bytes, dict] | None:
        import pyoxigraph as ox

        found = _ox_quads(reference(root))
        return None if found is None else (ox.serialize(found[0], format=ox.RdfFormat.N_QUADS), found[1])  # no hidden

    return cached("oxigraph-reference", fingerprint((ontology_file(root), *reference_files(root))), compute)


def _without_strings(text: str) -> str:
    """A query's text with every IRI written <>, every string "" (a typed one keeps its ^^), no comment."""
    text = re.sub(r"<[^<>\s]*>", "<>", text)
    text = re.sub(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'',
                  '""', text)
    return re.sub(r"#[^\n]*", "", text)


def _constants_outside_expressions(text: str) -> bool:
    """Whether a query has a number or a typed literal where it is matched as a term (a triple pattern,
    VALUES): Oxigraph stores "14"^^xsd:positiveInteger as 14, which a pattern `?p gcm:paragraphNumber 14`
    matches there and not in rdflib. Constants inside FILTER (...) and BIND (...) are compared by value, the
    same in both."""
    text = _without_strings(text)
    out, i = [], 0
    for match in re.finditer(r"\b(?:FILTER|BIND)\s*\(", text, flags=re.IGNORECASE):
        if match.start() < i:
            continue
        depth, j = 0, match.end() - 1
        while j < len(text):
            depth += {"(": 1, ")": -1}.get(text[j], 0)
            if depth == 0:
                break
            j += 1
        if "EXISTS" not in text[match.end():j].upper():
            out.append(text[i:match.start()])
            i = j + 1
    out.append(text[i:])
    rest = "".join(out)
    return "^^" in rest or re.search(r"(?<![\w:.?$-])[+-]?(?:[0-9]|\.[0-9])", rest) is not None


@cache
def _computed_variables(text: str) -> frozenset[str] | None:
    """The variables of a query that do not take terms of the graph (BIND, SELECT expressions, VALUES), or
    None when the query looks at what Oxigraph stores otherwise than rdflib (DATATYPE, SAMETERM, constants
    matched as terms)."""
    upper = text.upper()
    if "DATATYPE" in upper or "SAMETERM" in upper or _constants_outside_expressions(text):
        return None
    computed = set(re.findall(r"\bAS\s+[?$](\w+)", text, flags=re.IGNORECASE))
    for match in re.finditer(r"\bVALUES\s*(\([^)]*\)|[?$]\w+)", text, flags=re.IGNORECASE):
        computed.update(re.findall(r"[?$](\w+)", match.group(1)))
    return frozenset(computed)


class SparqlMirror:
    """An Oxigraph copy of a graph that answers the SELECT and ASK queries sent to the graph, as rdflib results.

    rdflib evaluates SPARQL in pure Python: the violation queries and the SHACL-SPARQL constraints (one query
    per focus node) cost half of a validation. Oxigraph answers them in microseconds. Pre-bound variables
    (pySHACL's `$this`) become Oxigraph substitutions (SEP-0007, the semantics SHACL's pre-binding has). Terms
    map both ways exactly: a graph with a term that would not (`_ox_quads`) gets no mirror. Used only while
    the graph does not change (`sparql_on_oxigraph`); a query Oxigraph cannot parse, and anything but SELECT
    and ASK, goes to rdflib. tests/test_fast_paths.py compares both engines on every query, focus node by
    focus node."""

    def __init__(self, quads: list, integers: dict, hidden: frozenset = frozenset(), loaded: bytes | None = None) -> None:
        import pyoxigraph as ox

        self.ox = ox
        self.integers = integers
        self.hidden = hidden  # predicates whose integer literals are kept apart (`_ox_quads`)
        self.store = ox.Store()
        if loaded:  # parsed apart: a store's own loader renames blank nodes, the parser keeps their labels
            self.store.bulk_extend(ox.parse(loaded, format=ox.RdfFormat.N_QUADS))
        self.store.bulk_extend(quads)

    @classmethod
    def of(cls, graph: Graph) -> SparqlMirror | None:
        found = _ox_quads(graph)
        return None if found is None else cls(*found)

    @classmethod
    def of_merged(cls, data: Iterable[tuple], root: Path | None = None) -> SparqlMirror | None:
        """The mirror of `merged(data, root)` (`data`: a graph or its triples), the reference part loaded from
        the cache."""
        loaded = _reference_nquads(root)
        if loaded is None:
            return None
        found = _ox_quads(data, primary=loaded[1])
        if found is None:
            return None
        quads, integers, hidden = found
        return cls(quads, {**loaded[1], **integers}, hidden, loaded[0])

    def query(self, text: str, bindings: Mapping | None = None) -> QueryResult | None:
        """rdflib's result of `text`, or None when Oxigraph does not take it."""
        ox = self.ox
        computed = _computed_variables(text)
        if computed is None:
            return None
        if self.hidden and (_reads_any_predicate(text) or any(_mentions(text, p) for p in self.hidden)):
            return None
        try:
            substitutions = {ox.Variable(str(name)): _to_ox(value) for name, value in (bindings or {}).items()
                             if not isinstance(value, Literal)
                             or (_stable_literal(value, {}) and not (self.hidden and value.datatype in INTEGER_TYPES))}
            if len(substitutions) != len(bindings or {}):
                return None
            answer = self.store.query(text, substitutions=substitutions or None)
        except (SyntaxError, ValueError, OSError, TypeError):
            return None
        if isinstance(answer, ox.QueryBoolean):
            result = QueryResult("ASK")
            result.askAnswer = bool(answer)
            return result
        if not isinstance(answer, ox.QuerySolutions):
            return None
        names = [v.value for v in answer.variables]
        variables = [Variable(name) for name in names]
        integers = [None if name in computed else self.integers for name in names]
        rows = []
        for solution in answer:
            row = {}
            for name, variable, known in zip(names, variables, integers):
                value = solution[name]
                if value is not None:
                    row[variable] = _from_ox(value, known)
            rows.append(row)
        result = QueryResult("SELECT")
        result.vars = variables
        result.bindings = rows
        return result


def _mentions(text: str, predicate: URIRef) -> bool:
    """Whether a query may name a predicate (its local name is in the text)."""
    local = re.split(r"[#/:]", str(predicate))[-1]
    return not local or local in text


@contextmanager
def sparql_on_oxigraph(graph: Graph, mirror: SparqlMirror | None = None) -> Iterator[Graph]:
    """While inside, the graph's SELECT and ASK queries are answered by an Oxigraph copy of it (`mirror`, made
    here if not given): the graph must not change meanwhile."""
    if mirror is None:
        try:
            mirror = SparqlMirror.of(graph)
        except ImportError:
            mirror = None
    if mirror is None:
        yield graph
        return
    rdflib_query = graph.query

    def query(query_object, processor="sparql", result="sparql", initNs=None, initBindings=None,  # noqa: ANN001, N803
              use_store_provided=True, **kwargs) -> QueryResult:
        if isinstance(query_object, str) and processor == "sparql" and result == "sparql" and not initNs \
                and not kwargs:
            answer = mirror.query(query_object, initBindings)
            if answer is not None:
                return answer
        return rdflib_query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)

    graph.query = query  # type: ignore[method-assign]
    try:
        yield graph
    finally:
        graph.query = rdflib_query  # type: ignore[method-assign]


def merged(data: Iterable[tuple], root: Path | None = None) -> Graph:
    """The data (a graph or its triples) with the ontology and the reference graph: what the shapes and the
    queries run on."""
    graph = reference_copy(root)
    graph.addN((s, p, o, graph) for s, p, o in data)
    return parse_queries_once(graph)


@cache
def _overlay_base(root: Path | None, key: str) -> Graph:
    return parse_queries_once(reference_copy(root))


_OVERLAY_IN_USE: set[int] = set()


@contextmanager
def overlaid(data: Graph, root: Path | None = None) -> Iterator[Graph]:
    """`merged(data, root)` without a new copy of the ontology and the reference graph, which costs as much as
    validating a report's nodes: one graph of them is kept for the process, `data` is added to it here and
    taken out again on the way out (only the triples it did not hold before). Nested use gets a copy."""
    base = _overlay_base(root.resolve() if root is not None else None, reference_key(root))
    if id(base) in _OVERLAY_IN_USE:
        yield merged(data, root)
        return
    _OVERLAY_IN_USE.add(id(base))
    added = [triple for triple in data if triple not in base]
    try:
        base.addN((s, p, o, base) for s, p, o in added)
        yield base
    finally:
        for triple in added:
            base.remove(triple)
        _OVERLAY_IN_USE.discard(id(base))


# ---------------------------------------------------------------------------------------------- validation


def shacl_results(graph: Graph, shapes: Graph, focus_nodes: Iterable[URIRef] | None = None) -> list[Result]:
    """Run pySHACL on a merged graph (data + ontology + reference).

    With `focus_nodes`, only the results about these nodes, and much faster: the same results as a full run
    has about them (see `_pyshacl_focus`), or, with a pySHACL this module was not written for, a full run
    whose other results are dropped."""
    import pyshacl  # imported here: `gcmkg query` and the other commands that never validate skip its cost

    wanted = set(focus_nodes) if focus_nodes is not None else None
    if wanted is not None and not wanted:
        return []
    patched = wanted is not None and _patchable()
    with _pyshacl_focus() if patched else _unpatched():
        _, report, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none", inplace=True,
                                        allow_warnings=True, allow_infos=True,
                                        focus_nodes=sorted(wanted, key=str) if patched else None)
    results: dict[tuple, Result] = {}
    for node in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(node, SH.focusNode)
        if wanted is not None and focus not in wanted:
            continue
        shape = report.value(node, SH.sourceShape)
        value = report.value(node, SH.value)
        path = report.value(node, SH.resultPath)
        path_node = shape_path(shapes, shape, path)
        severity = SEVERITIES.get(report.value(node, SH.resultSeverity), "Violation")
        # Messages come from the shapes graph, by language: pySHACL drops the language tags of the
        # messages of SHACL-SPARQL constraints.
        templates = {lit.language: str(lit) for lit in shapes.objects(shape, SH.message)
                     if isinstance(lit, Literal) and lit.language in LANGUAGES}
        if not templates:
            templates = {"en": str(m) for m in report.objects(node, SH.resultMessage)}
        bound = {"this": focus, "value": value}
        result = Result(
            severity=severity,
            focus=focus,
            labels=labels(graph, focus),
            messages={lang: fill(t, bound, graph, lang) for lang, t in templates.items()},
            origin=str(shape) if isinstance(shape, URIRef) else compact(shape),
            path=path_text(shapes, path_node),
            value=value,
            source=source_of(graph, focus),
            path_node=path_node,
            path_triples=tuple(shapes.cbd(path_node)) if isinstance(path_node, BNode) else (),
            component=report.value(node, SH.sourceConstraintComponent),
        )
        # A property shape shared by two node shapes that target the same node reports twice.
        results.setdefault(result.key(), result)
    return list(results.values())


# pySHACL's focus_nodes option (0.40) filters every shape evaluation by the list, not only the targets: the
# value nodes that nested shapes check (sh:property, sh:or, sh:xone members) are dropped when they are not
# in the list, literals always, so a constraint on them silently passes. `_pyshacl_focus` lets the list
# filter the targets only, which gives each focus node the results a full run gives it, and looks the list
# up as a set (pySHACL scans it once per target and shape). It also evaluates the property shapes of a
# node shape once for all its focus nodes rather than once per node (pySHACL rebuilds every constraint
# component at each call): the results are the same, a third of the time. And it leaves out the text of each
# result (`_no_description`). Last, an sh:or or sh:xone whose members are plain class shapes (`_class_members`)
# is counted here rather than by validating each value node against every member (`_logic_of_classes`).
PATCHED_PYSHACL = ("0.40.",)


def _patchable() -> bool:
    try:
        from importlib.metadata import version
        return version("pyshacl").startswith(PATCHED_PYSHACL)
    except Exception:  # noqa: BLE001
        return False


@contextmanager
def _unpatched() -> Iterator[None]:
    yield


def _no_description(*args, **kwargs) -> str:  # noqa: ANN002, ANN003
    """pySHACL writes a text for every result, the discarded results of sh:or and sh:xone members included,
    and that text is most of its time on a report; it goes only into the text report, which is not read here
    (the results come from the report graph)."""
    return ""


#: What a member of an sh:or or sh:xone may say besides sh:class for `_class_members` to take it: nothing that changes
#: whether a node conforms to it.
PLAIN_MEMBER = frozenset({SH["class"], RDF.type, RDFS.label, RDFS.comment, SH.name, SH.description, SH.message})


def _class_members(component, members_list: Node) -> list[frozenset] | None:  # noqa: ANN001
    """The classes of each member of an sh:or or sh:xone list, or None unless every member is a node shape that says
    nothing but sh:class (`[ sh:class gcm:Moderating ]`): a node conforms to such a member when it is an
    instance of all its classes. Members pySHACL filters out are left out, as pySHACL does."""
    shapes = component.shape.sg.graph
    members = []
    for member in shapes.items(members_list):
        if component.shape.sg.is_filtered_out_shape(member):
            continue
        said = set(shapes.predicates(member, None))
        classes = frozenset(shapes.objects(member, SH["class"]))
        if not classes or not said <= PLAIN_MEMBER \
                or not set(shapes.objects(member, RDF.type)) <= {SH.NodeShape, SH.Shape}:
            return None
        members.append(classes)
    return members


def _logic_of_classes(component, target_graph, focus_value_nodes: Mapping, members: list[frozenset],  # noqa: ANN001
                      exactly_one: bool) -> tuple:
    """pySHACL's sh:xone (`exactly_one`) or sh:or results over plain class members, without a shape validation
    (and the result objects of every failing member, which pySHACL then discards) per value node and member.
    Instance of, as pySHACL's sh:class has it: one of the node's rdf:type values, or a superclass of one
    (rdfs:subClassOf*); a literal is an instance of nothing. A member listed twice counts twice for sh:xone,
    as in pySHACL."""
    supers: dict[Node, frozenset] = {}
    reports = []
    for focus, values in focus_value_nodes.items():
        for value in values:
            passed = 0
            if not isinstance(value, Literal):
                found: set = set()
                for kind in target_graph.objects(value, RDF.type):
                    if kind not in supers:
                        supers[kind] = frozenset(target_graph.transitive_objects(kind, RDFS.subClassOf))
                    found |= supers[kind]
                passed = sum(1 for classes in members if classes <= found)
            if passed != 1 if exactly_one else not passed:
                reports.append(component.make_v_result(target_graph, focus, value_node=value))
    return bool(reports), reports


@contextmanager
def _pyshacl_focus() -> Iterator[None]:
    from pyshacl.constraints.constraint_component import ConstraintComponent
    from pyshacl.constraints.core.logical_constraints import OrConstraintComponent, XoneConstraintComponent
    from pyshacl.constraints.core.shape_based_constraints import PropertyConstraintComponent
    from pyshacl.shape import Shape

    validate_shape = Shape.validate
    property_shapes = PropertyConstraintComponent._evaluate_property_shape
    describe_result = ConstraintComponent.make_v_result_description
    xone = XoneConstraintComponent._evaluate_xone_constraint
    either = OrConstraintComponent._evaluate_or_constraint

    def validate(self, executor, target_graph, focus=None, _evaluation_path=None):  # noqa: ANN001, ANN202
        chosen = executor.focus_nodes
        if chosen is not None and focus is not None:  # a nested evaluation: its value nodes are never filtered
            executor.focus_nodes = None
            try:
                return validate_shape(self, executor, target_graph, focus, _evaluation_path)
            finally:
                executor.focus_nodes = chosen
        if chosen is not None and not isinstance(chosen, frozenset):
            executor.focus_nodes = frozenset(chosen)
        return validate_shape(self, executor, target_graph, focus, _evaluation_path)

    def evaluate_property_shape(self, executor, prop_shape, target_graph, focus_value_nodes,  # noqa: ANN001, ANN202
                                potentially_recursive, _evaluation_path):
        found = self.shape.get_other_shape(prop_shape)
        if not found or not found.is_property_shape or (potentially_recursive and found in potentially_recursive):
            return property_shapes(self, executor, prop_shape, target_graph, focus_value_nodes,
                                   potentially_recursive, _evaluation_path)  # pySHACL's own errors and warnings
        values = list(dict.fromkeys(v for nodes in focus_value_nodes.values() for v in nodes))
        if not values:
            return False, []
        conforms, reports = found.validate(executor, target_graph, focus=values, _evaluation_path=_evaluation_path[:])
        return not conforms, reports

    def of_classes(evaluate, exactly_one: bool):  # noqa: ANN001, ANN202
        def evaluate_list(self, executor, members_list, target_graph, focus_value_nodes,  # noqa: ANN001, ANN202
                          _evaluation_path):
            members = None if executor.sparql_mode else _class_members(self, members_list)
            if not members:  # other members, an empty list (pySHACL's own error) or SPARQL mode: pySHACL's way
                return evaluate(self, executor, members_list, target_graph, focus_value_nodes, _evaluation_path)
            return _logic_of_classes(self, target_graph, focus_value_nodes, members, exactly_one)
        return evaluate_list

    Shape.validate = validate
    PropertyConstraintComponent._evaluate_property_shape = evaluate_property_shape
    ConstraintComponent.make_v_result_description = _no_description
    XoneConstraintComponent._evaluate_xone_constraint = of_classes(xone, exactly_one=True)
    OrConstraintComponent._evaluate_or_constraint = of_classes(either, exactly_one=False)
    try:
        yield
    finally:
        Shape.validate = validate_shape
        PropertyConstraintComponent._evaluate_property_shape = property_shapes
        ConstraintComponent.make_v_result_description = describe_result
        XoneConstraintComponent._evaluate_xone_constraint = xone
        OrConstraintComponent._evaluate_or_constraint = either


#: Constraint parameters that look at the focus node's own triples and at the values they lead to (their
#: types, for sh:class), never at triples that point to the focus node or at other nodes.
LOCAL_PARAMETERS = {SH.datatype, SH.nodeKind, SH["class"], SH.minCount, SH.maxCount, SH.pattern, SH.flags,
                    SH.languageIn, SH.uniqueLang, SH.minLength, SH.maxLength, SH.minInclusive, SH.maxInclusive,
                    SH.minExclusive, SH.maxExclusive, SH["in"], SH.hasValue, SH.equals, SH.disjoint, SH.lessThan,
                    SH.lessThanOrEquals, SH.closed, SH.ignoredProperties,
                    RDF.type, RDFS.label, RDFS.comment, SH.severity, SH.message, SH.name, SH.description,
                    SH.order, SH.group, SH.deactivated, SH.defaultValue, SH.targetClass, SH.targetNode,
                    SH.targetSubjectsOf}
NESTED_SHAPES = {SH.property, SH.node, SH.qualifiedValueShape}
NESTED_LISTS = {SH["or"], SH["and"], SH.xone}


@dataclass(frozen=True)
class Scope:
    """Which reference nodes the data can change the shape results of, whatever the data: the instances of
    `classes` (the targets of shapes that look beyond the focus node's own triples: inverse paths, SPARQL
    about other nodes), or every node the data mentions when `everything`."""

    classes: frozenset
    everything: bool


def _pattern_triples(node: Mapping) -> list[tuple]:
    """The (s, p, o) of a BGP, or of a TriplesBlock: rdflib leaves the pattern inside (NOT) EXISTS untranslated,
    as lists of s p o s p o ..."""
    triples = node.get("triples") or ()
    if getattr(node, "name", "") == "TriplesBlock":
        flat = [term for part in triples for term in part]
        return [tuple(flat[i:i + 3]) for i in range(0, len(flat) - 2, 3)]
    return list(triples)


def _local_sparql(shapes: Graph, constraint: Node) -> bool:
    """A SHACL-SPARQL constraint whose every triple pattern starts from $this with a plain predicate."""
    from rdflib.paths import Path as SparqlPath
    from rdflib.plugins.sparql import prepareQuery

    texts = [str(t) for p in (SH.select, SH.ask) for t in shapes.objects(constraint, p)]
    if len(texts) != 1:
        return False
    try:
        algebra = prepareQuery(texts[0], initNs=_shape_prefixes(shapes, constraint)).algebra
    except Exception:  # noqa: BLE001 - pySHACL would report it; here it only means "not provably local"
        return False
    this = Variable("this")
    pending: list = [algebra]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):  # rdflib's CompValue
            name = getattr(node, "name", "")
            if name in ("ToMultiSet", "Graph", "ServiceGraphPattern", "SubSelect"):
                return False
            if name in ("BGP", "TriplesBlock"):
                # a TriplesBlock too, or a constraint that looks at other nodes only inside NOT EXISTS counts as local
                for s, p, _ in _pattern_triples(node):
                    if s != this or isinstance(p, SparqlPath) or not isinstance(p, URIRef):
                        return False
            pending.extend(dict.values(node))
        elif isinstance(node, (list, tuple, set)):
            pending.extend(node)
    return True


def _local_shape(shapes: Graph, shape: Node, seen: set) -> bool:
    if shape in seen:
        return True
    seen.add(shape)
    path = shapes.value(shape, SH.path)
    if path is not None and not isinstance(path, URIRef):
        return False
    for p, o in shapes.predicate_objects(shape):
        if p in LOCAL_PARAMETERS or p == SH.path:
            continue
        if p in NESTED_SHAPES:
            if not _local_shape(shapes, o, seen):
                return False
        elif p in NESTED_LISTS:
            if not all(_local_shape(shapes, member, seen) for member in shapes.items(o)):
                return False
        elif p == SH.sparql:
            if not _local_sparql(shapes, o):
                return False
        elif p == SH["not"]:
            if not _local_shape(shapes, o, seen):
                return False
        else:
            return False
    return True


def shapes_scope(shapes: Graph) -> Scope:
    """What `Scope` the shapes graph has (see there)."""
    if any(shapes.triples((None, SH.targetObjectsOf, None))) or any(shapes.triples((None, SH.target, None))):
        return Scope(frozenset(), True)  # a triple of the data can make a reference node a target
    targeted = {s for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf) for s in shapes.subjects(p, None)}
    implicit = {s for kind in (RDFS.Class, OWL.Class) for s in shapes.subjects(RDF.type, kind)
                if (s, RDF.type, SH.NodeShape) in shapes}
    classes: set = set()
    for shape in targeted | implicit:
        if _local_shape(shapes, shape, set()):
            continue
        if (shape, SH.targetNode, None) in shapes or (shape, SH.targetSubjectsOf, None) in shapes:
            return Scope(frozenset(), True)  # (not worth the precision: no shape of ours has these targets)
        classes.update(shapes.objects(shape, SH.targetClass))
        if shape in implicit:
            classes.add(shape)
    return Scope(frozenset(classes), False)


def _scope(root: Path | None) -> Scope:
    return cached("shapes-scope", fingerprint((shapes_file(root),)), lambda: shapes_scope(shapes_graph(root)))


#: Triples that make ontology, not data: a graph that has one is validated whole.
SCHEMA_PREDICATES = frozenset({RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty,
                               RDFS.domain, RDFS.range, OWL.inverseOf})


def affected(data: Iterable[tuple], known: Graph, graph: Graph | None = None,
             scope: Scope | None = None) -> set[URIRef] | None:
    """The nodes whose shape results the data can change: the nodes it describes and the other nodes it
    mentions that are not in the reference graph `known`; the reference nodes it mentions that are targets
    of a shape looking beyond their own triples (`scope`, in the merged `graph`); the reference nodes one step
    away from a node it describes that is in the reference graph too. The results of every other node are
    those of the reference graph alone. None when the data has blank nodes (pySHACL's focus nodes are IRIs)
    or ontology axioms: then everything is validated."""
    nodes: set = set()
    subjects: set = set()
    objects: set = set()
    for s, p, o in data:
        if isinstance(s, BNode) or isinstance(o, BNode):
            return None
        if p in SCHEMA_PREDICATES or (p == RDF.type and o in (RDFS.Class, OWL.Class)):
            return None  # the data changes the ontology: which nodes a shape targets may change anywhere
        subjects.add(s)
        if isinstance(o, URIRef):
            objects.add(o)
    nodes |= subjects
    for node in objects - subjects:
        if (node, None, None) not in known and (None, None, node) not in known:
            nodes.add(node)
        elif scope is None or scope.everything or (scope.classes and _targeted(graph or known, node, scope)):
            nodes.add(node)
    for node in subjects:
        for o in known.objects(node, None):
            if isinstance(o, URIRef):
                nodes.add(o)
        for s in known.subjects(None, node):
            if isinstance(s, URIRef):
                nodes.add(s)
    return nodes


def _targeted(graph: Graph, node: Node, scope: Scope) -> bool:
    """Whether a class in the scope targets the node: one of its types is that class or a sub-class of it."""
    pending = list(graph.objects(node, RDF.type))
    seen = set()
    while pending:
        kind = pending.pop()
        if kind in scope.classes:
            return True
        if kind not in seen:
            seen.add(kind)
            pending.extend(graph.objects(kind, RDFS.subClassOf))
    return False


def reference_results(root: Path | None = None) -> list[Result]:
    """The shape results of the ontology and the reference graph alone (cached across runs)."""
    key = fingerprint((ontology_file(root), *reference_files(root), shapes_file(root)))
    return cached("shacl-reference", key, lambda: shacl_results(merged(Graph(), root), shapes_graph(root)))


def scoped_shacl_results(graph: Graph, data: Graph, root: Path | None = None) -> list[Result]:
    """The results a full pySHACL run over `graph` (= data + ontology + reference graph) gives, computed on the
    nodes the data affects only, the others' taken from the validation of the reference graph alone."""
    shapes = shapes_graph(root)
    focus = affected(data, reference(root), graph, _scope(root))
    if focus is None or not _patchable():
        return shacl_results(graph, shapes)
    fresh = shacl_results(graph, shapes, focus)
    return fresh + [r for r in reference_results(root) if r.focus not in focus]


def shape_path(shapes: Graph, shape: Node | None, path: Node | None) -> Node | None:
    """The result path as it is written in the shapes graph (pySHACL copies blank-node paths)."""
    if path is None or isinstance(path, URIRef):
        return path
    original = shapes.value(shape, SH.path) if shape is not None else None
    return original if original is not None else path


def query_results(graph: Graph, queries: Iterable[ViolationQuery]) -> list[Result]:
    results = []
    for q in queries:
        results.extend(_row_results(graph, q, graph.query(q.text)))
    return results


def _row_focus(values: Mapping) -> Node | None:
    """A violation query names its focus node ?focus, or else by its first variable."""
    return values.get("focus") or next(iter(values.values()), None)


def _row_results(graph: Graph, q: ViolationQuery, rows: Iterable) -> list[Result]:
    results = []
    for row in rows:
        values = row.asdict()
        focus = _row_focus(values)
        value = values.get("value")
        results.append(Result(
            severity="Violation",
            focus=focus,
            labels=labels(graph, focus),
            messages={lang: fill(t, {"this": focus, **values}, graph, lang) for lang, t in q.messages.items()},
            origin=q.name,
            path=str(values["path"]) if values.get("path") is not None else None,
            value=value,
            source=source_of(graph, focus),
        ))
    return results


def warm(root: Path | None = None) -> None:
    """Load what every validation needs (before worker processes are forked, so that they share it)."""
    import pyshacl  # noqa: F401

    shapes_graph(root)
    _scope(root)
    reference_results(root)
    _reference_nquads(root)
    reference_copy(root)
    with overlaid(Graph(), root):  # the one reference graph reports are overlaid on
        pass


def validate(data: Graph, root: Path | None = None, files: list[str] | None = None,
             scoped: bool | None = None) -> ValidationReport:
    """Validate a data graph (merged here with the ontology and the reference graph) against the shapes
    and the violation queries of the project at `root`.

    `scoped` (default: unless $GCMKG_VALIDATION is "full"): run the shapes on the nodes the data affects
    only (`scoped_shacl_results`) and SPARQL on Oxigraph (`sparql_on_oxigraph`), with the same results as
    pySHACL and rdflib over everything."""
    start = time.perf_counter()
    if scoped is None:
        scoped = os.environ.get("GCMKG_VALIDATION", "scoped") != "full"
    if scoped:
        with overlaid(data, root) as graph, sparql_on_oxigraph(graph, SparqlMirror.of_merged(data, root)):
            results = scoped_shacl_results(graph, data, root) + query_results(graph, violation_queries(root))
    else:
        graph = merged(data, root)
        results = shacl_results(graph, shapes_graph(root)) + query_results(graph, violation_queries(root))
    results.sort(key=Result.key)
    return ValidationReport(results, time.perf_counter() - start, files or [])


# ---------------------------------------------------------------------------------------------- many files


def _path_predicates(path: object) -> set[URIRef] | None:
    """The predicates an rdflib property path can follow, None when it can follow any (a negated set)."""
    from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath

    if isinstance(path, URIRef):
        return {path}
    if isinstance(path, NegatedPath):
        return None
    parts = [path.arg] if isinstance(path, InvPath) else [path.path] if isinstance(path, MulPath) \
        else list(path.args) if isinstance(path, (AlternativePath, SequencePath)) else None
    if parts is None:
        return None
    found: set[URIRef] = set()
    for part in parts:
        inner = _path_predicates(part)
        if inner is None:
            return None
        found |= inner
    return found


def _untranslated_path_predicates(path: dict) -> set[URIRef] | None:
    """The IRIs of a property path as rdflib's parser leaves it inside EXISTS, None for a negated set."""
    found: set[URIRef] = set()
    pending: list = [path]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if "Negated" in getattr(node, "name", ""):
                return None
            pending.extend(dict.values(node))
        elif isinstance(node, (list, tuple)):
            pending.extend(node)
        elif isinstance(node, URIRef):
            found.add(node)
    return found


def _backward_predicates(text: str, focus: str | None, namespaces: Mapping[str, str]) -> set[URIRef] | None:
    """The predicates of a query's triple patterns that do not start from the focus variable: the ones it can
    follow from a node it reached to other nodes pointing to it (`?other gcm:inEvent ?session`). Patterns from
    the focus only read the focus node's own triples. Every predicate of a property path counts, wherever it
    starts. None when the query can follow any predicate (a variable predicate, a negated property set) or
    looks into named graphs or services, or when rdflib cannot parse it."""
    from rdflib.paths import Path as SparqlPath
    from rdflib.plugins.sparql import prepareQuery

    try:
        algebra = prepareQuery(text, initNs=dict(namespaces)).algebra
    except Exception:  # noqa: BLE001 - a query rdflib cannot read could follow anything
        return None
    start = Variable(focus) if focus else None
    found: set[URIRef] = set()
    pending: list = [algebra]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):  # rdflib's CompValue
            name = getattr(node, "name", "")
            if name in ("Graph", "ServiceGraphPattern"):
                return None
            if name in ("BGP", "TriplesBlock"):
                for s, p, _ in _pattern_triples(node):
                    if isinstance(p, dict):  # an untranslated property path: every IRI in it
                        inner = _untranslated_path_predicates(p)
                        if inner is None:
                            return None
                        found |= inner
                    elif isinstance(p, SparqlPath):
                        inner = _path_predicates(p)
                        if inner is None:
                            return None
                        found |= inner
                    elif isinstance(p, URIRef):
                        if s != start:
                            found.add(p)
                    else:
                        return None
            pending.extend(dict.values(node))
        elif isinstance(node, (list, tuple, set)):
            pending.extend(node)
    return found


def _shape_prefixes(shapes: Graph, constraint: Node) -> dict[str, str]:
    namespaces = {}
    for declared in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(declared, SH.declare):
            prefix, namespace = shapes.value(declaration, SH.prefix), shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                namespaces[str(prefix)] = str(namespace)
    return namespaces


def join_predicates(shapes: Graph, queries: Iterable[ViolationQuery]) -> frozenset[URIRef] | None:
    """The predicates along which a rule may go from a node it reached back to other nodes that point to it:
    where a rule joins several nodes (the contributions of one session, the sessions of one review). Two files
    that mention one node which a triple with such a predicate points to must be validated together; a node
    that only others point to otherwise (a person, a forum) never leads a rule from one file's nodes to
    another's. From the SPARQL of the shapes and of the violation queries, and the inverse paths of property
    shapes that are not evaluated on the focus node of a targeted node shape. None when a rule may follow any
    predicate: then every file is validated with every other."""
    targeted = {s for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
                for s in shapes.subjects(p, None)}
    targeted |= {s for kind in (RDFS.Class, OWL.Class) for s in shapes.subjects(RDF.type, kind)
                 if (s, RDF.type, SH.NodeShape) in shapes}
    found: set[URIRef] = set()
    for owner, constraint in shapes.subject_objects(SH.sparql):
        texts = [str(t) for p in (SH.select, SH.ask) for t in shapes.objects(constraint, p)]
        # $this is the focus node only on a targeted node shape; elsewhere it is a value node reached from it.
        this = "this" if owner in targeted and (owner, SH.path, None) not in shapes else None
        for text in texts:
            more = _backward_predicates(text, this, _shape_prefixes(shapes, constraint))
            if more is None:
                return None
            found |= more
    for shape, path in shapes.subject_objects(SH.path):
        if isinstance(path, URIRef):
            continue
        owners = set(shapes.subjects(SH.property, shape))
        if (shape not in targeted or (shape, SH.path, None) in shapes) and owners and owners <= targeted:
            continue  # an inverse path from the focus node itself: its triples are in the files of the node
        pending = [path]
        while pending:
            node = pending.pop()
            if isinstance(node, URIRef):
                found.add(node)
                continue
            pending.extend(o for _, o in shapes.predicate_objects(node))
    for q in queries:
        more = _backward_predicates(q.text, "focus", {})
        if more is None:
            return None
        found |= more
    return frozenset(found)


def _join_predicates(root: Path | None) -> frozenset[URIRef] | None:
    queries = violation_queries(root)
    key = fingerprint((shapes_file(root), *(q.path for q in queries)), "exists-patterns")  # a new rule of reading
    return cached("join-predicates", key, lambda: join_predicates(shapes_graph(root), queries))


def _focus_is_bound(text: str) -> bool:
    """Whether every row of a violation query binds ?focus through a triple pattern of its top group (not an
    OPTIONAL, UNION or sub-query): then its rows about one focus node are those of the query with ?focus
    given that node, which Oxigraph answers without evaluating the query for every other node."""
    from rdflib.plugins.sparql import prepareQuery

    try:
        algebra = prepareQuery(text).algebra
    except Exception:  # noqa: BLE001
        return False
    focus = Variable("focus")
    if focus not in (algebra.get("PV") or ()):
        return False
    pending = [algebra.get("p")]
    while pending:
        node = pending.pop()
        name = getattr(node, "name", "")
        if name == "BGP" and any(focus in (s, o) and not isinstance(p, Variable) for s, p, o in node.get("triples")):
            return True
        if name in ("Project", "OrderBy", "Filter", "Extend", "Distinct", "Reduced", "Slice", "ToMultiSet"):
            pending.append(node.get("p"))
        elif name == "Join":
            pending.extend((node.get("p1"), node.get("p2")))
    return False


def _query_results_about(graph: Graph, mirror: SparqlMirror | None, queries: Iterable[ViolationQuery],
                         nodes: set) -> list[Result]:
    """The rows of the violation queries whose focus is one of `nodes`, on a large graph: Oxigraph asked once
    per node with ?focus given (`_focus_is_bound`), which costs what the node's own rows cost, where a whole
    run of a query with FILTER NOT EXISTS costs the square of the graph; else the query run whole, filtered."""
    results = []
    for q in queries:
        if not nodes:
            break
        rows: list | None = None
        if mirror is not None and _focus_is_bound(q.text):
            rows = []
            for node in sorted(nodes, key=str):
                answer = mirror.query(q.text, {Variable("focus"): node})
                if answer is None:  # the mirror does not take this query (then for no node)
                    rows = None
                    break
                rows.extend(answer)
        if rows is None:
            rows = [row for row in graph.query(q.text) if _row_focus(row.asdict()) in nodes]
        results.extend(_row_results(graph, q, rows))
    return results


def validate_files(graphs: list[Graph], root: Path | None = None, files: list[str] | None = None,
                   scoped: bool | None = None) -> ValidationReport:
    """Validate several graph files together: the results `validate` gives on their union, in time linear
    in their number.

    On the union of a hundred reports, the SHACL-SPARQL constraints and the violation queries cost the square
    of its size (Oxigraph evaluates a FILTER NOT EXISTS for every node, not only the joined ones). So the files
    are split into groups that no rule relates (`_groups`), and each group is validated as `gcmkg build`
    validates a report: its graph merged with the reference graph and the union's triples about the nodes it
    shares with other groups, on its own nodes. What relates groups, the nodes several of them mention (a
    person, a forum) and the reference nodes the data affects, is validated once on the union: pySHACL on
    these nodes only, each violation query asked about each of them. The results of the other reference
    nodes are those of the reference graph alone, as in `scoped_shacl_results`.

    Whole-union validation (`validate` on the union) when `scoped` is False or $GCMKG_VALIDATION is "full", for
    one file, or when the shortcut's conditions fail (blank nodes or ontology axioms in the data, a pySHACL
    whose focus-node option is not mended, a rule that may follow any predicate)."""
    start = time.perf_counter()
    if scoped is None:
        scoped = os.environ.get("GCMKG_VALIDATION", "scoped") != "full"
    joins = _join_predicates(root) if scoped and len(graphs) > 1 and _patchable() else None
    # `affected` reads the types of the reference nodes the data mentions without describing: those of the
    # reference graph, as long as the data adds no ontology axiom (else it answers None).
    known = reference(root)
    focus = None if joins is None else affected((t for g in graphs for t in g), known, known, _scope(root))
    if focus is None:
        whole = bind(Graph())
        for g in graphs:
            whole += g
        report = validate(whole, root, files, scoped)
        report.seconds = time.perf_counter() - start
        return report
    shapes, queries = shapes_graph(root), violation_queries(root)
    mentions: dict[Node, set[int]] = {}
    described: dict[Node, set[int]] = {}
    for index, g in enumerate(graphs):
        for s, _, o in g:
            mentions.setdefault(s, set()).add(index)
            described.setdefault(s, set()).add(index)
            if isinstance(o, URIRef):
                mentions.setdefault(o, set()).add(index)
    in_reference = {n for n in mentions if (n, None, None) in known or (None, None, n) in known}
    groups = _groups(graphs, mentions, in_reference, joins)
    group_of = {index: number for number, group in enumerate(groups) for index in group}
    home = {n: group_of[next(iter(where))] for n, where in mentions.items()
            if n not in in_reference and len({group_of[i] for i in where}) == 1}
    shacl: list[Result] = []
    rows: list[Result] = []
    for batch in _batches(groups, graphs):
        numbers = {group_of[group[0]] for group in batch}
        indexes = [index for group in batch for index in group]
        own = {n for n in focus if home.get(n) in numbers}
        # The union's triples about the nodes this batch shares with the others: a rule reads the types and
        # labels of the values of its focus nodes (sh:class, messages), wherever they are described.
        outside = {n for index in indexes for n in graphs[index].all_nodes() if home.get(n, -1) not in numbers}
        shared = [triple for node in outside for index in described.get(node, ()) if group_of[index] not in numbers
                  for triple in graphs[index].triples((node, None, None))]
        # A batch is as big as the reference graph or more: a copy of it (`merged`) costs less than adding the
        # batch to the process's one reference graph and taking it out again (`overlaid`).
        data = [*(graphs[index] for index in indexes), shared]
        graph = merged(itertools.chain.from_iterable(data), root)
        with sparql_on_oxigraph(graph, SparqlMirror.of_merged(itertools.chain.from_iterable(data), root)):
            shacl += shacl_results(graph, shapes, own)
            rows += [r for r in query_results(graph, queries) if home.get(r.focus) in numbers or
                     (r.focus not in mentions and r.focus not in home)]
        del graph
    across = focus - home.keys()
    union = merged(itertools.chain.from_iterable(graphs), root)
    mirror = SparqlMirror.of_merged(itertools.chain.from_iterable(graphs), root)
    with sparql_on_oxigraph(union, mirror):
        shacl += shacl_results(union, shapes, across)
        rows += _query_results_about(union, mirror, queries, {n for n in mentions if n not in home})
    shacl += [r for r in reference_results(root) if r.focus not in focus]
    unique: dict[tuple, Result] = {}
    for r in rows:  # a row about a node no file mentions comes from every group: once
        if r.focus in mentions:
            continue
        unique.setdefault((r.key(), tuple(sorted(r.messages.items()))), r)
    results = shacl + [r for r in rows if r.focus in mentions] + list(unique.values())
    results.sort(key=Result.key)
    return ValidationReport(results, time.perf_counter() - start, files or [])


#: About how many triples of data are validated at once: groups of files that no rule relates are validated
#: together up to this size, which spreads the cost of a pySHACL run and of an Oxigraph store over several
#: reports while keeping the SPARQL that grows with the square of a graph on small graphs.
BATCH_TRIPLES = 20_000


def _batches(groups: list[list[int]], graphs: list[Graph]) -> Iterator[list[list[int]]]:
    batch: list[list[int]] = []
    size = 0
    for group in groups:
        batch.append(group)
        size += sum(len(graphs[index]) for index in group)
        if size >= BATCH_TRIPLES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _groups(graphs: list[Graph], mentions: Mapping[Node, set[int]], in_reference: set,
            joins: frozenset[URIRef]) -> list[list[int]]:
    """The files in groups no rule relates: two files go together when a triple with a join predicate
    (`join_predicates`) points to a node they both mention; the other nodes they share are only read, as
    values (a person, a forum), which the union's triples about them given to each group cover. Reference
    nodes do not join files: the rules that join on one (the sessions covering an objective) join on a node
    of the report too (their review). Groups in the order of their first file, files in their order."""
    parent = list(range(len(graphs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for g in graphs:
        for _, p, o in g:
            # Classes (objects of rdf:type) join nothing, like the reference nodes: a rule naming a class
            # names it as a constant, beside a join on a node of the report.
            if p not in joins or p == RDF.type or o in in_reference or len(where := mentions.get(o, ())) < 2:
                continue
            first, *rest = sorted(where)
            for other in rest:
                parent[find(other)] = find(first)
    groups: dict[int, list[int]] = {}
    for index in range(len(graphs)):
        groups.setdefault(find(index), []).append(index)
    return list(groups.values())


# ---------------------------------------------------------------------------------------------- files


def default_files(root: Path) -> list[Path]:
    """The asserted graph of each built report (not the inferred triples, not the dataset description)."""
    return sorted(p for p in (root / "graph").glob("*.ttl")
                  if not p.name.endswith(INFERRED_SUFFIX) and p.name != "void.ttl")


def load(paths: Iterable[Path]) -> Graph:
    """Parse every file into one graph: FileNotFoundError for a missing file, InputError (file, line)
    for one that is not UTF-8 or does not parse."""
    graph = bind(Graph())
    for path in paths:
        _parse_into(graph, path)
    return graph


def load_each(paths: Iterable[Path]) -> list[Graph]:
    """Parse every file into a graph of its own (for `validate_files`), with `load`'s errors."""
    return [_parse_into(bind(Graph()), path) for path in paths]


def _parse_into(graph: Graph, path: Path) -> Graph:
    if not path.is_file():
        raise FileNotFoundError(2, "no such file", str(path))
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(path, line, f"not UTF-8 (byte 0x{data[err.start]:02X})") from None
    fmt = guess_format(str(path)) or "turtle"
    try:
        graph.parse(data=text, format=fmt, publicID=path.resolve().as_uri())
    except Exception as err:  # noqa: BLE001 - every parser error becomes one message with a line
        raise InputError(path, parse_error_line(err), f"cannot parse as {fmt}: {parse_error_reason(err)}") from None
    return graph


def parse_error_line(err: Exception) -> int:
    if isinstance(getattr(err, "lines", None), int):  # rdflib's BadSyntax counts lines from 0
        return err.lines + 1
    for attribute in ("lineno", "line"):  # json.JSONDecodeError, others
        if isinstance(getattr(err, attribute, None), int):
            return getattr(err, attribute)
    if callable(getattr(err, "getLineNumber", None)):  # xml.sax.SAXParseException
        return err.getLineNumber()
    return 1


def parse_error_reason(err: Exception) -> str:
    why = getattr(err, "_why", None)
    return str(why) if why else str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


# ---------------------------------------------------------------------------------------------- CLI


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE",
                        help="graph files to validate together (default: graph/*.ttl except *-inferred.ttl)")
    parser.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the messages (default: en)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format (default: text)")
    parser.add_argument("-o", "--out", type=Path, help="write the report to this file (default: standard output)")


def run(args: argparse.Namespace) -> int:
    try:
        root = project_root()
        files = list(args.files) or default_files(root)
        if not files:
            raise InputError(root / "graph", 1, "no graph files to validate (run `gcmkg build` first)")
        names = [str(f) if args.files else f.relative_to(root).as_posix() for f in files]
        report = validate_files(load_each(files), root, names)
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except FileNotFoundError as err:
        print(f"error: {err.filename}: no such file", file=sys.stderr)
        return 2
    output = report.render(args.format, args.lang)
    if args.out:
        args.out.write_text(output, encoding="utf-8", newline="\n")
    else:
        sys.stdout.write(output)
    return 0 if report.conforms else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gcmkg validate", description="Validate graph files against the shapes "
                                     "and the *-violation.rq queries.")
    add_arguments(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
