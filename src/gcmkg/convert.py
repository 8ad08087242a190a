"""One report file to its data graph: read, extract, emit (the steps live in their own modules)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from . import emit, extract, ingest, lexicon, reader, reference, resolve
from .errors import Diagnostics, InputError
from .records import Extraction


@dataclass
class Converted:
    source: Path
    stem: str
    graph: Graph
    extraction: Extraction
    diagnostics: Diagnostics
    origin: ingest.Origin | None = None  # the file read: name, format (Markdown, Word, PDF), SHA-256


def detect_language(path: Path) -> lexicon.Lexicon:
    """The lexicon whose title-block cue matches the report's first lines."""
    text = reader.decode(path, path.read_bytes())
    head = [reader.plain(line) for line in text.splitlines()[:80] if line.strip()]
    for language in lexicon.available():
        lex = lexicon.load(language)
        detect = re.compile(lex.data["detect"])
        if any(detect.search(line) for line in head):
            return lex
    raise InputError(path, 1, "not a GCM review report: no title block in a known language "
                     f"(known: {', '.join(lexicon.available())}); expected e.g. "
                     "'**Commission économique pour l'Europe**' or '**Economic Commission for Europe**' "
                     "followed by the review's title")


def convert(path: Path, root: Path | None = None) -> Converted:
    path = ingest.ingest(path)  # a PDF or Word report reads as Markdown from here on; its name is kept
    try:
        lex = detect_language(path)
        document = reader.read(path, lex.pattern("headings", "toc"), lex.pattern("headings", "annex"),
                               lex.patterns("role_lines", "sentence"))
        gazetteer = gazetteer_for(root, lex.language)
        diagnostics = Diagnostics(str(path))
        extraction = extract.extract(document, lex, gazetteer, diagnostics)
        graph = emit.emit(document, extraction, lex, gazetteer, labels_for(root, lex.language),
                          reference.derived(root, "substantive",
                                            lambda: emit.substantive_roles(reference.ontology(root))))
    except InputError as err:  # in a PDF, said by page
        raise InputError.of(path.locate(err.problem)) from err
    diagnostics.warnings = [path.locate(w) for w in diagnostics.warnings]
    return Converted(path, path.stem, graph, extraction, diagnostics, path.origin)


def gazetteer_for(root: Path | None, language: str) -> resolve.Gazetteer:
    return reference.derived(root, f"gazetteer-{language}", lambda: resolve.build(reference.reference(root), language))


def labels_for(root: Path | None, language: str) -> dict:
    return reference.derived(root, f"labels-{language}",
                             lambda: emit.concept_labels(reference.reference(root), language))
