"""`gcmkg validate`: check graphs against the SHACL shapes and the `*-violation.rq` queries.

The data graphs are validated together with the ontology and the reference graph (the types and labels the
shapes need), without inference, by a SHACL engine through its public API:

- `rudof` (default): pyrudof, the Rust SHACL engine of the WESO group; a fraction of pySHACL's time;
- `pyshacl`: pySHACL, the reference, `inference="none"`, `advanced=True` (for SHACL-SPARQL).

`tests/test_validate_engines.py` shows both give the same results (focus node, path, constraint component,
severity, value, source shape) on the bundled graph, on every graph of `tests/data/invalid-graphs/` and on
a synthetic corpus. Then every `queries/*-violation.rq` runs on the build's Oxigraph dataset; each row is a
violation. One rule, one place: a defect is caught by one shape or one query, never both.

A result names its focus node by label, the path, the message in the chosen language (from the shapes graph,
which holds it in English and French), the severity and the paragraph of the report the node comes from.

Exit codes: 0 conforms (warnings and infos allowed), 1 a violation found, 2 usage or input error.

>>> from rdflib import Graph
>>> validate(Graph()).conforms
True
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SH

from . import dataset, owlfiles, reference
from .dataset import from_ox, to_ox
from .errors import InputError
from .iris import EXPORT_PREFIXES as PREFIXES
from .iris import GCM, ID
from .reference import bind, project_root, shapes_file

GCMSH = Namespace("https://w3id.org/gcmkg/shapes#")
LANGUAGES = ("en", "fr")
FORMATS = ("text", "turtle", "json")
ENGINES = ("rudof", "pyshacl")
SEVERITY_RANK = {"Violation": 0, "Warning": 1, "Info": 2}
QUERY_SUFFIX = "-violation.rq"
TEMPLATE = re.compile(r"\{[?$](\w+)\}")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_PREF = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")

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
class Finding:
    """What an engine reports, before naming: the fields both engines must agree on."""

    focus: object  # rdflib term
    shape: URIRef | None
    component: URIRef | None
    severity: str
    value: object | None


@dataclass(frozen=True)
class Result:
    """One validation result, from a shape or from a violation query, ready to print in en or fr."""

    severity: str  # "Violation", "Warning" or "Info"
    focus: object
    labels: Mapping[str, str]  # language -> label of the focus node
    messages: Mapping[str, str]  # language -> message, templates filled in
    origin: str  # shape IRI, or queries/<name>-violation.rq
    path: str | None = None  # the result path, in SPARQL property-path syntax
    value: object | None = None
    source: Source | None = None
    component: URIRef | None = field(default=None, compare=False, repr=False)
    path_node: object | None = field(default=None, compare=False, repr=False)  # sh:resultPath, as in the shapes
    path_triples: tuple = field(default=(), compare=False, repr=False)  # the triples of a blank-node path

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or compact(self.focus)

    def message(self, lang: str) -> str:
        return self.messages.get(lang) or self.messages.get("en") or next(iter(self.messages.values()), "")

    def key(self) -> tuple:
        return (SEVERITY_RANK[self.severity], self.origin, str(self.focus), self.path or "",
                "" if self.value is None else str(self.value))

    def as_json(self, lang: str) -> dict:
        return {"severity": self.severity, "focus": str(self.focus), "label": self.label(lang), "path": self.path,
                "value": None if self.value is None else str(self.value), "message": self.message(lang),
                "shape": self.origin, "source": None if self.source is None else self.source.as_json(lang)}


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
        lines.append(f"{', '.join(self.files) or 'graph'}: {verdict} ({counts}) {self.seconds:.2f} s")
        return "\n".join(lines) + "\n"

    def as_json(self, lang: str = "en") -> dict:
        return {"conforms": self.conforms, "files": self.files, "language": lang, "seconds": round(self.seconds, 3),
                "counts": self.counts(), "results": [r.as_json(lang) for r in self.results]}

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
            if r.value is not None:
                g.add((node, SH.value, r.value))
            if r.origin.startswith("queries/"):
                g.add((node, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
                g.add((node, DCTERMS.source, Literal(r.origin)))
            else:
                g.add((node, SH.sourceShape, URIRef(r.origin)))
                if r.component is not None:
                    g.add((node, SH.sourceConstraintComponent, r.component))
                if r.path_node is not None:
                    g.add((node, SH.resultPath, r.path_node))
                    for triple in r.path_triples:
                        g.add(triple)
            if r.source is not None:
                g.add((node, GCM.statedIn, r.source.iri))
        return g

    def render(self, fmt: str, lang: str) -> str:
        if fmt == "json":
            return json.dumps(self.as_json(lang), ensure_ascii=False, indent=2) + "\n"
        return self.graph(lang).serialize(format="longturtle") if fmt == "turtle" else self.text(lang)


# ---------------------------------------------------------------------------------------------- naming


def plural(n: int, lang: str) -> bool:
    return n > 1 if lang == "fr" else n != 1


def compact(node: object) -> str:
    """`id:objective/24` for an IRI of the dataset, `gcm:Term`, `gcmsh:Shape`; the IRI itself otherwise."""
    text = str(node)
    if isinstance(node, URIRef):
        for prefix, ns in (("id", ID), ("gcm", GCM), ("gcmsh", GCMSH)):
            if text.startswith(str(ns)):
                return f"{prefix}:{text.removeprefix(str(ns))}"
        return text
    return node.n3() if isinstance(node, BNode) else text


def show(node: object) -> str:
    return compact(node) if isinstance(node, (URIRef, BNode)) else str(node)


class Lookup:
    """Names and source paragraphs of nodes, read from the dataset (the union of its graphs)."""

    def __init__(self, ds: ox.Dataset) -> None:
        self.ds = ds

    def objects(self, node: object, predicate: URIRef | ox.NamedNode) -> list:
        wanted = predicate if isinstance(predicate, ox.NamedNode) else ox.NamedNode(str(predicate))
        return [q.object for q in self.ds.quads_for_subject(to_ox(node)) if q.predicate == wanted]

    def has_type(self, node: object, cls: URIRef) -> bool:
        return any(o == ox.NamedNode(str(cls)) for o in self.objects(node, RDF.type))

    def paragraph_kind(self, node: object) -> tuple[str | None, dict[str, str], int | None]:
        numbers = [int(o.value) for o in self.objects(node, GCM.paragraphNumber)
                   if isinstance(o, ox.Literal) and o.value.isdigit()]
        number = min(numbers) if numbers else None
        for cls, (key, patterns) in PARAGRAPH_KINDS.items():
            if self.has_type(node, cls):
                names = {lang: p.format(n=number) for lang, p in patterns.items()} if number is not None else {}
                return key, names, number
        return None, {}, number

    def labels(self, node: object) -> dict[str, str]:
        """Language -> name of a node: "paragraph 12" for a paragraph; else its rdfs:label (then
        skos:prefLabel) in that language, else an untagged one, else one in any other language."""
        if not isinstance(node, (URIRef, BNode)):
            return {lang: str(node) for lang in LANGUAGES}
        if names := self.paragraph_kind(node)[1]:
            return names
        found: dict[str, str] = {}
        literals = [o for p in (RDFS_LABEL, SKOS_PREF) for o in self.objects(node, p) if isinstance(o, ox.Literal)]
        for literal in sorted(literals, key=lambda o: (o.language or "", o.value)):
            found.setdefault(literal.language or "", literal.value)
        fallback = found.get("") or next(iter(found.values()), None)
        return {lang: found.get(lang) or fallback for lang in LANGUAGES if found.get(lang) or fallback}

    def fill(self, template: str, values: Mapping[str, object], lang: str) -> str:
        """Replace {?var} and {$this} by the label of the bound node in `lang`."""

        def one(match: re.Match[str]) -> str:
            node = values.get(match.group(1))
            if node is None:
                return match.group(0)
            if isinstance(node, Literal):
                return str(node)
            return self.labels(node).get(lang) or compact(node)

        return TEMPLATE.sub(one, template)

    def source(self, node: object) -> Source | None:
        """The paragraph `node` comes from: the node itself if it is a paragraph, else its gcm:statedIn."""
        if not isinstance(node, URIRef):
            return None
        paragraph = node
        if not self.objects(node, GCM.paragraphNumber) and not any(self.has_type(node, c) for c in PARAGRAPH_KINDS):
            found = sorted(o.value for o in self.objects(node, GCM.statedIn) if isinstance(o, ox.NamedNode))
            if not found:
                return None
            paragraph = URIRef(found[0])
        kind, names, number = self.paragraph_kind(paragraph)
        reports = [o for o in self.objects(paragraph, GCM.inReport) if isinstance(o, ox.NamedNode)]
        files = sorted({o.value for r in reports for o in self.objects(from_ox(r), DCTERMS.source)})
        return Source(paragraph, kind, number, ", ".join(files) or None, names)


def path_text(shapes: Graph, path: object) -> str | None:
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


# ---------------------------------------------------------------------------------------------- shapes and queries


def shapes_text(root: Path | None = None) -> str:
    path = shapes_file(root)
    if not path.is_file():
        raise InputError(path, 1, "shapes file not found")
    return path.read_text(encoding="utf-8")


def shapes_graph(root: Path | None = None) -> Graph:
    """The shapes, parsed once while the ontology files are the same (the one cache, see `reference`)."""
    text = shapes_text(root)
    return reference.derived(root, "shapes", lambda: bind(Graph()).parse(data=text, format="turtle"))


@dataclass(frozen=True)
class ViolationQuery:
    path: Path
    name: str  # queries/<file>
    text: str
    messages: Mapping[str, str]  # language -> template


def violation_queries(root: Path | None = None) -> list[ViolationQuery]:
    out = []
    for path in sorted(((root or project_root()) / "queries").glob(f"*{QUERY_SUFFIX}")):
        text = path.read_text(encoding="utf-8")
        header = dict(re.findall(r"^#\+\s*(\w+):\s*(.*?)\s*$", text, flags=re.MULTILINE))
        messages = {lang: header[f"message_{lang}"] for lang in LANGUAGES if f"message_{lang}" in header}
        out.append(ViolationQuery(path, f"queries/{path.name}", text, messages or {"en": header.get("summary", path.stem)}))
    return out


# ---------------------------------------------------------------------------------------------- engines


def engine_name(engine: str | None = None) -> str:
    name = engine or os.environ.get("GCMKG_SHACL") or "rudof"
    if name not in ENGINES:
        raise ValueError(f"unknown SHACL engine {name!r} (known: {', '.join(ENGINES)})")
    return name


_TERM_PREFIXES = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())


# A literal as pyrudof prints it ends with its closing quote and its language tag or datatype, if any.
_LITERAL_TAIL = re.compile(r'"(@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\^\^\S+)?\Z')


def _rudof_term(text: str):  # noqa: ANN202
    """pyrudof prints terms in Turtle's short forms: IRIs without brackets, `24` for an integer, prefixed
    datatypes; read them back as Turtle. It prints a literal's text unescaped (`"a\\b "c""`), so the text runs
    from the first quote to the last one before the tag or datatype, and is escaped again here."""
    if text.startswith('"') and (tail := _LITERAL_TAIL.search(text, 1)):
        # JSON's string escapes are Turtle's too, non-ASCII characters kept (Turtle has no surrogate pairs)
        term = json.dumps(text[1:tail.start()], ensure_ascii=False) + (tail.group(1) or "")
    elif text.startswith(("_:", '"')) or re.fullmatch(r"[-+]?[0-9.eE+-]+|true|false", text):
        term = text
    else:
        term = f"<{text}>"
    line = f"{_TERM_PREFIXES}<urn:s> <urn:p> {term} ."
    return from_ox(next(iter(ox.parse(line.encode("utf-8"), format=ox.RdfFormat.TURTLE))).object)


def rudof_session(root: Path | None = None):  # noqa: ANN201 - pyrudof.Rudof
    """A pyrudof session holding the ontology, the reference graph and the shapes, read once per process and kept
    beside them (the one cache, see `reference`); each validation stages its data on top and rolls it back."""
    import pyrudof

    def start():  # noqa: ANN202
        rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        base = ox.serialize((q.triple for q in reference.with_data(root)), format=ox.RdfFormat.N_TRIPLES)
        rudof.read_data(base.decode("utf-8"), format=pyrudof.RDFFormat.NTriples)
        rudof.read_shacl(shapes_text(root))
        return rudof

    return reference.derived(root, "rudof", start)


def rudof_findings(data: bytes, root: Path | None = None, staged: bool = True) -> list[Finding]:
    """pyrudof's native engine on N-Triples data: staged on the session that holds the ontology, the reference
    graph and the shapes (`rudof_session`), or, not `staged`, alone with the shapes."""
    import pyrudof

    if staged:
        rudof = rudof_session(root)
        rudof.begin_staging()
    else:
        rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        rudof.read_shacl(shapes_text(root))
    try:
        if data:  # pyrudof refuses to read nothing
            rudof.read_data(data.decode("utf-8"), format=pyrudof.RDFFormat.NTriples, merge=True)
        report = rudof.validate_shacl()
    finally:
        if staged:
            rudof.rollback_staging()
    return [Finding(_rudof_term(str(v.focus_node)), URIRef(str(v.source_shape)) if v.source_shape else None,
                    URIRef(str(v.constraint_component)), str(v.severity).removeprefix(str(SH)),
                    None if v.value is None else _rudof_term(str(v.value))) for v in report.violations]


def pyshacl_findings(data: Graph, shapes: Graph) -> list[Finding]:
    """pySHACL through its public `validate`, without inference (the entailments the shapes need, the
    subclass axioms, are in the data: `sh:class` follows rdfs:subClassOf there)."""
    import pyshacl

    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                    allow_warnings=True, allow_infos=True)
    return [Finding(report.value(n, SH.focusNode), report.value(n, SH.sourceShape),
                    report.value(n, SH.sourceConstraintComponent),
                    str(report.value(n, SH.resultSeverity)).removeprefix(str(SH)), report.value(n, SH.value))
            for n in report.subjects(RDF.type, SH.ValidationResult)]


def findings(ds: ox.Dataset, root: Path | None = None, engine: str | None = None) -> list[Finding]:
    """The SHACL findings on the union of every graph of the dataset. When it holds the ontology and the reference
    graph of `root` whole (`reference.with_data`), only the other graphs are handed to pyrudof, on top of the
    session that already holds those."""
    if engine_name(engine) == "pyshacl":
        return pyshacl_findings(dataset.rdflib_graph(ds), shapes_graph(root))
    sizes = reference.derived(root, "graph-sizes", lambda: Counter(q.graph_name.value for q in reference.with_data(root)))
    staged = all(len(list(ds.quads_for_graph_name(ox.NamedNode(g)))) == n for g, n in sizes.items())
    quads = (q for q in ds if not staged or q.graph_name.value not in sizes)
    data = ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES)
    import pyrudof

    try:
        return rudof_findings(data, root, staged)
    except pyrudof.ShaclError:
        # pyrudof 0.3.35 fails a SHACL-SPARQL constraint whose focus node is a blank node (it writes the node
        # into the query's VALUES): the reference engine answers instead, with the same results by definition.
        return pyshacl_findings(dataset.rdflib_graph(ds), shapes_graph(root))


def shape_results(ds: ox.Dataset, found: Iterable[Finding], root: Path | None = None) -> list[Result]:
    shapes, lookup = shapes_graph(root), Lookup(ds)
    results: dict[tuple, Result] = {}
    for f in found:
        templates = {lit.language: str(lit) for lit in shapes.objects(f.shape, SH.message)
                     if isinstance(lit, Literal) and lit.language in LANGUAGES}
        bound = {"this": f.focus, "value": f.value}
        path = shapes.value(f.shape, SH.path)
        result = Result(f.severity, f.focus, lookup.labels(f.focus),
                        {lang: lookup.fill(t, bound, lang) for lang, t in templates.items()},
                        str(f.shape), path_text(shapes, path), f.value, lookup.source(f.focus), f.component,
                        path, tuple(shapes.cbd(path)) if isinstance(path, BNode) else ())
        results.setdefault(result.key(), result)  # a property shape of two node shapes on one node: once
    return list(results.values())


def query_results(ds: ox.Dataset, queries: Iterable[ViolationQuery]) -> list[Result]:
    lookup, store = Lookup(ds), dataset.sparql_store(ds)
    results = []
    for q in queries:
        solutions = store.query(q.text, use_default_graph_as_union=True)
        names = [v.value for v in solutions.variables]
        for row in solutions:
            values = {name: from_ox(row[name]) for name in names if row[name] is not None}
            focus = values.get("focus") or next(iter(values.values()), None)  # ?focus, else the first variable
            results.append(Result(
                "Violation", focus, lookup.labels(focus),
                {lang: lookup.fill(t, {"this": focus, **values}, lang) for lang, t in q.messages.items()},
                q.name, str(values["path"]) if values.get("path") is not None else None, values.get("value"),
                lookup.source(focus)))
    return results


def validate_dataset(ds: ox.Dataset, root: Path | None = None, files: list[str] | None = None,
                     engine: str | None = None) -> ValidationReport:
    """Validate a dataset holding the data graphs, the ontology and the reference graph."""
    start = time.perf_counter()
    results = shape_results(ds, findings(ds, root, engine), root) + query_results(ds, violation_queries(root))
    results.sort(key=Result.key)
    return ValidationReport(results, time.perf_counter() - start, files or [])


def validate(data: Graph, root: Path | None = None, files: list[str] | None = None,
             engine: str | None = None) -> ValidationReport:
    """Validate one rdflib data graph, merged with the ontology and the reference graph of `root`."""
    root = root or project_root()
    ds = reference.with_data(root)
    dataset.add_graph(ds, "urn:gcmkg:data", data)
    return validate_dataset(ds, root, files, engine)


# ---------------------------------------------------------------------------------------------- files


def default_files(root: Path) -> list[Path]:
    """The asserted graph of each built report (not the inferred triples, not the dataset description)."""
    return sorted(root / "graph" / name for name in dataset.built_files(root / "graph")
                  if not name.endswith(dataset.INFERRED_SUFFIX))


def expand_files(paths: Iterable[Path]) -> list[Path]:
    """The files to validate: a folder stands for the graphs built into it (asserted, with no -inferred file);
    an -inferred file brings its asserted graph along (the entailments of a report mean nothing without it,
    and alone they break every shape)."""
    out: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            for name in dataset.built_files(path):  # InputError for a folder with no built graph
                if not name.endswith(dataset.INFERRED_SUFFIX):
                    out.setdefault(path / name, None)
            continue
        if path.name.endswith(dataset.INFERRED_SUFFIX) and path.name != owlfiles.REFERENCE_INFERRED_FILE:
            asserted = path.with_name(path.name.removesuffix(dataset.INFERRED_SUFFIX) + ".ttl")
            if not asserted.is_file():
                raise InputError(path, 1, f"the OWL RL entailments of a report are validated with its asserted "
                                          f"graph, and {asserted} is not there")
            out.setdefault(asserted, None)
        out.setdefault(path, None)
    return list(out)


def load_files(paths: Iterable[Path], ds: ox.Dataset) -> ox.Dataset:
    """Each file into its own named graph: FileNotFoundError for a missing file, InputError (file, line) for
    one that is not UTF-8 or does not parse. The syntax comes from the extension (Turtle otherwise)."""
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(2, "no such file", str(path))
        data = path.read_bytes()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as err:
            line = data[: err.start].count(b"\n") + 1
            raise InputError(path, line, f"not UTF-8 (byte 0x{data[err.start]:02X})") from None
        fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".")) or ox.RdfFormat.TURTLE
        dataset.parse_into(ds, data, path.resolve().as_uri(), path, fmt)
    return ds


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE|DIR",
                        help="graph files, or folders of built graphs, to validate together; an -inferred file "
                             "brings its asserted graph (default: graph/*.ttl except *-inferred.ttl)")
    parser.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the messages (default: en)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format (default: text)")
    parser.add_argument("--engine", choices=ENGINES,
                        help="SHACL engine: rudof (fast) or pyshacl (the reference); the same results "
                             "(default: $GCMKG_SHACL, else rudof)")
    parser.add_argument("-o", "--out", type=Path, help="write the report to this file (default: standard output)")


def run(args: argparse.Namespace) -> int:
    try:
        engine = engine_name(args.engine)
    except ValueError as err:
        print(f"error: GCMKG_SHACL: {err}", file=sys.stderr)
        return 2
    try:
        root = project_root()
        files = expand_files(args.files) or default_files(root)
        if not files:
            raise InputError(root / "graph", 1, "no graph files to validate (run `gcmkg build` first)")
        names = [str(f) if args.files else f.relative_to(root).as_posix() for f in files]
        ds = load_files(files, reference.with_data(root))
        report = validate_dataset(ds, root, names, engine)
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
