"""`gcmkg validate`: check graph files against the shapes and the `*-violation.rq` queries.

The data graph is merged with the ontology and the reference graph (the types and labels the shapes
need), validated with pySHACL without inference, then every `queries/*-violation.rq` runs on the same
merged graph; each row it returns is a violation. A result names its focus node by label, the path, the
message in the chosen language, the severity and the paragraph of the report the node comes from.

Exit codes: 0 conforms (warnings and infos allowed), 1 a violation found, 2 usage or input error.

>>> from rdflib import Graph
>>> validate(Graph()).conforms
True
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyshacl
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SH, SKOS
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result as QueryResult
from rdflib.term import Node
from rdflib.util import guess_format

from .errors import InputError
from .iris import GCM, ID
from .reference import SHAPES_FILE, bind, ontology_dir, project_root, reference

GCMSH = Namespace("https://w3id.org/gcmkg/shapes#")
LANGUAGES = ("en", "fr")
FORMATS = ("text", "turtle", "json")
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
                prepared = _PREPARED[query_object] = prepareQuery(query_object)
            query_object = prepared
        return plain_query(query_object, *args, **kwargs)

    graph.query = query  # type: ignore[method-assign]
    return graph


def merged(data: Graph, root: Path | None = None) -> Graph:
    """The data graph with the ontology and the reference graph: what the shapes and the queries run on."""
    graph = bind(Graph())
    graph += reference(root)
    graph += data
    return parse_queries_once(graph)


# ---------------------------------------------------------------------------------------------- validation


def shacl_results(graph: Graph, shapes: Graph, focus_nodes: Iterable[URIRef] | None = None) -> list[Result]:
    """Run pySHACL on a merged graph (data + ontology + reference).

    With `focus_nodes`, only the results about these nodes, and much faster. pySHACL (0.40) also filters the
    value nodes that nested shapes (sh:or, sh:xone members) check by the same list, so the IRIs one step away
    from each focus node are added to it; the results about them are then dropped."""
    wanted = set(focus_nodes or ())
    nearby = {n for f in wanted for n in (*graph.objects(f, None), *graph.subjects(None, f))
              if isinstance(n, URIRef)} | wanted
    _, report, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none", inplace=True,
                                    allow_warnings=True, allow_infos=True,
                                    focus_nodes=sorted(str(n) for n in nearby) if wanted else None)
    results: dict[tuple, Result] = {}
    for node in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(node, SH.focusNode)
        if wanted and focus not in wanted:
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


def shape_path(shapes: Graph, shape: Node | None, path: Node | None) -> Node | None:
    """The result path as it is written in the shapes graph (pySHACL copies blank-node paths)."""
    if path is None or isinstance(path, URIRef):
        return path
    original = shapes.value(shape, SH.path) if shape is not None else None
    return original if original is not None else path


def query_results(graph: Graph, queries: Iterable[ViolationQuery]) -> list[Result]:
    results = []
    for q in queries:
        for row in graph.query(q.text):
            values = row.asdict()
            focus = values.get("focus") or next(iter(values.values()))
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


def validate(data: Graph, root: Path | None = None, files: list[str] | None = None) -> ValidationReport:
    """Validate a data graph (merged here with the ontology and the reference graph) against the shapes
    and the violation queries of the project at `root`."""
    start = time.perf_counter()
    graph = merged(data, root)
    results = shacl_results(graph, shapes_graph(root)) + query_results(graph, violation_queries(root))
    results.sort(key=Result.key)
    return ValidationReport(results, time.perf_counter() - start, files or [])


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
        report = validate(load(files), root, names)
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
