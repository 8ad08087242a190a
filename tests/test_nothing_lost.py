"""Nothing in a report is lost: the paragraph texts in the graph, in order, reproduce its body and annex text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from gcmkg.convert import convert
from gcmkg.iris import GCM

ROOT = Path(__file__).resolve().parents[1]
REPORTS = [*sorted((ROOT / "graph" / "sources").glob("*.md")),
           *sorted((ROOT / "tests" / "data" / "reports").glob("*-??.md"))]


def source_text(path: Path) -> tuple[str, str]:
    """Body and annex text straight from the Markdown, by a deliberately naive reading: drop what precedes
    chapter I (title block and contents), headings, footnote lines and rules, paragraph numbers and markup."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, l in enumerate(lines) if re.match(r"^#+\s+I\.\s", l))
    parts = {"body": [], "annex": []}
    part = "body"
    for line in lines[start:]:
        if re.match(r"^#+\s+Annexe?\b", line):
            part = "annex"
        if re.match(r"^#+\s", line) or re.match(r"^<sup>\d+</sup>", line.strip()) or line.strip() == "---":
            continue
        line = re.sub(r"^\d+\.\s+", "", line.strip())
        line = re.sub(r"<sup>\d+</sup>", "", line)  # footnote call-outs
        line = re.sub(r"</?sup>", "", line)  # ordinals such as 128<sup>e</sup>
        parts[part].append(line)
    return tuple(squash(" ".join(parts[p])) for p in ("body", "annex"))


def squash(text: str) -> str:
    return re.sub(r"[\s*_]", "", text)


def graph_text(graph: Graph, cls) -> str:
    paragraphs = sorted(graph.subjects(RDF.type, cls), key=lambda p: int(graph.value(p, GCM.sequence)))
    return squash("".join(str(graph.value(p, GCM.text)) for p in paragraphs))


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.stem)
def test_paragraph_texts_reproduce_body_and_annex(path: Path) -> None:
    graph = convert(path, ROOT).graph
    body, annex = source_text(path)
    assert graph_text(graph, GCM.BodyParagraph) == body
    assert graph_text(graph, GCM.AnnexParagraph) == annex


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.stem)
def test_every_text_is_language_tagged_and_every_footnote_kept(path: Path) -> None:
    graph = convert(path, ROOT).graph
    texts = list(graph.objects(None, GCM.text))
    language = path.stem.rsplit("-", 1)[-1]  # reports are named <commission>-gcm-<year>-review-<lang>.md
    assert texts and all(t.language == language for t in texts)
    footnotes = re.findall(r"^<sup>(\d+)</sup>", path.read_text(encoding="utf-8"), re.MULTILINE)
    numbers = sorted(int(graph.value(f, GCM.paragraphNumber)) for f in graph.subjects(RDF.type, GCM.Footnote))
    assert numbers == sorted(map(int, footnotes))
    called = {str(f) for f in graph.objects(None, GCM.hasFootnote)}
    assert called == {str(f) for f in graph.subjects(RDF.type, GCM.Footnote)}  # each footnote has its call-out
