"""`gcmkg check`: the ontology and the reference graph, checked as the converter and Protégé need them.

Problems reported: a term without `rdfs:label` in English, French and Spanish or without `skos:definition` in
English and French (the ontology defines its terms in those two; it labels them in the three languages the
converter reads); a `gcm:` term used but not declared; a label shared by two states or territories, or by two
organisations, in one language (it would make names ambiguous); an objective without its title in each of the
three languages; a lexicon concept that is not in the reference graph.
"""

from __future__ import annotations

import json
import re
from importlib import resources
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.exceptions import ParserError
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from . import lexicon
from .errors import InputError
from .iris import GCM, ID
from .reference import ontology_file, reference_files
from .resolve import normal

TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDFS.Datatype)
# The languages every term has a label in (those of the reports the converter reads), and those it is defined in.
LANGUAGES = tuple(lexicon.available())  # a language gets its lexicon and its labels together
DEFINITION_LANGUAGES = ("en", "fr")


@dataclass(frozen=True)
class Finding:
    kind: str
    subject: str
    message: str
    file: str = ""
    line: int = 0


def subject_forms(text: str, iri: str) -> list[str]:
    """How a Turtle file may write `iri`: whole, or with each of the file's own prefixes."""
    forms = [f"<{iri}>"]
    for prefix, namespace in re.findall(r"^@prefix\s+([\w-]*):\s*<([^>]*)>", text, re.MULTILINE):
        local = iri[len(namespace):]
        if iri.startswith(namespace) and re.fullmatch(r"[\w.-]*", local):
            forms.append(f"{prefix}:{local}")
    return forms


def locate(found: list[Finding], paths: list[Path]) -> list[Finding]:
    """Each finding with the file and line where its subject is described (or first named)."""
    texts = {path: path.read_text(encoding="utf-8").splitlines() for path in paths}
    out = []
    for f in found:
        described, named = [], []
        for path, lines in texts.items():
            forms = subject_forms("\n".join(lines), f.subject) if f.subject.startswith("http") else [f.subject]
            described += [(str(path), n) for n, line in enumerate(lines, 1) for form in forms
                          if line.startswith(form) and line[len(form):len(form) + 1] in (" ", "\t", "")]
            named += [(str(path), n) for n, line in enumerate(lines, 1) if any(form in line for form in forms)]
        where = (described or named or [("", 0)])[-1 if f.kind == "duplicate-label" else 0]
        out.append(Finding(f.kind, f.subject, f.message, *where))
    return out


def parse(paths: list[Path]) -> Graph:
    graph = Graph()
    for path in paths:
        try:
            graph.parse(path, format="turtle")
        except (SyntaxError, ParserError, ValueError) as err:
            line = getattr(err, "lines", None) or 1
            raise InputError(path, int(line) if str(line).isdigit() else 1, f"not valid Turtle: {err}") from None
    return graph


def has_lang(graph: Graph, subject: URIRef, prop: URIRef, lang: str) -> bool:
    return any(isinstance(o, Literal) and o.language == lang for o in graph.objects(subject, prop))


def terms(graph: Graph) -> list[Finding]:
    out = []
    declared = {s for t in TERM_TYPES for s in graph.subjects(RDF.type, t) if isinstance(s, URIRef)}
    for term in sorted(declared):
        for prop, what, languages in ((RDFS.label, "rdfs:label", LANGUAGES),
                                      (SKOS.definition, "skos:definition", DEFINITION_LANGUAGES)):
            for lang in languages:
                if not has_lang(graph, term, prop, lang):
                    out.append(Finding("missing-label", str(term), f"no {what} in @{lang}"))
    used = {t for triple in graph for t in triple if isinstance(t, URIRef) and str(t).startswith(str(GCM))}
    for term in sorted(used - declared):
        out.append(Finding("undeclared", str(term), "gcm: term used but not declared in the ontology"))
    return out


def duplicates(graph: Graph) -> list[Finding]:
    out = []
    families = {
        # States and territories share one name space: the converter resolves a country's name among both
        "state": {s for c in (GCM.State, GCM.Territory) for s in graph.subjects(RDF.type, c)},
        "organisation": {s for c in graph.transitive_subjects(RDFS.subClassOf, GCM.Organisation)
                         for s in graph.subjects(RDF.type, c)},
    }
    for family, members in families.items():
        seen: dict[tuple[str, str], set[URIRef]] = defaultdict(set)
        for member in members:
            for prop in (SKOS.prefLabel, SKOS.altLabel, RDFS.label, GCM.acronym):
                for value in graph.objects(member, prop):
                    if isinstance(value, Literal):
                        seen[(value.language or "", normal(str(value)))].add(member)
        for (lang, label), who in sorted(seen.items()):
            if len(who) > 1:
                out.append(Finding("duplicate-label", str(max(who)),  # located where the last of them is described
                                   f"{family} name {label!r}@{lang} is shared by {', '.join(sorted(map(str, who)))}"))
    return out


def objectives(graph: Graph) -> list[Finding]:
    out = []
    found = sorted(graph.subjects(RDF.type, GCM.Objective))
    if len(found) != 23:
        out.append(Finding("objectives", str(ID["objective/"]), f"{len(found)} objectives, expected 23"))
    for objective in found:
        for lang in LANGUAGES:
            if not has_lang(graph, objective, SKOS.prefLabel, lang):
                out.append(Finding("objective-title", str(objective), f"no title (skos:prefLabel) in @{lang}"))
    return out


def concepts(graph: Graph) -> list[Finding]:
    out = []
    for language in lexicon.available():
        for key, _ in lexicon.load(language).concepts():
            if (ID[key], None, None) not in graph:
                out.append(Finding("lexicon", key, f"lexicon {language}.toml names a concept not in the reference graph"))
    return out


def findings(root: Path | None = None) -> list[Finding]:
    paths = [ontology_file(root), *reference_files(root)]
    graph = parse(paths)
    lexicons = [Path(str(resources.files(__package__).joinpath("lexicons", f"{language}.toml")))
                for language in lexicon.available()]
    return locate(terms(graph) + duplicates(graph) + objectives(graph) + concepts(graph), paths + lexicons)


def run(fmt: str = "text", root: Path | None = None) -> int:
    found = findings(root)
    if fmt == "json":
        print(json.dumps([f.__dict__ for f in found], ensure_ascii=False, indent=2))
    else:
        for f in found:
            where = f"{f.file}:{f.line}: " if f.file else ""
            print(f"{where}{f.kind}: {f.subject}: {f.message}", file=sys.stdout)
        print(f"{len(found)} problem(s) in the ontology and the reference graph" if found
              else "ontology and reference graph: no problems found")
    return 1 if found else 0
