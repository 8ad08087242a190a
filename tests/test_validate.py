"""`gcmkg validate`: the shapes, the violation queries, the report and the command line.

Invalid graphs are made from the real built graph: a copy of graph/ece-gcm-2024-review-fr.ttl merged with the
ontology and the reference graph, changed by one SPARQL Update per case (so a case keeps working when the
report or the converter change). Shape cases validate only their focus node, which keeps the suite fast;
blank-node cases share one full validation. The command-line cases use the small files of
tests/data/invalid-graphs/, added to the real graph.
"""

from __future__ import annotations

import doctest
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

import pyoxigraph as ox

from gcmkg import dataset, validate
from gcmkg.cli import main as gcmkg
from gcmkg.iris import ID
from gcmkg.reference import reference

ROOT = Path(__file__).resolve().parents[1]
BUILT = ROOT / "graph" / "ece-gcm-2024-review-fr.ttl"
INVALID = ROOT / "tests" / "data" / "invalid-graphs"
SHAPES = ROOT / "ontology" / "gcm.shacl.ttl"
GCMSH = validate.GCMSH

PREFIXES = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX gcm: <https://w3id.org/gcmkg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

# Nodes of the real graph the cases change. `<@x>` in an update is <https://w3id.org/gcmkg/id/x>.
REVIEW = "review/ece-2024"
S2 = "review/ece-2024/session/2"
P14 = "review/ece-2024/report/paragraph/14"
DNK = "review/ece-2024/session/2/contribution/DNK"
MODERATOR = "review/ece-2024/session/2/moderating/susan-fratzke"
LINK = "review/ece-2024/report/annex-paragraph/1/discusses/principle-human-rights"
# An office holding the real graph does not have (the second review of ECE elected no bureau beyond its co-chairs).
OFFICE_IRI = "review/ece-2024/office-holding/OMN"
OFFICE = (f'<@{OFFICE_IRI}> a gcm:OfficeHolding ; rdfs:label "rapporteur : Oman"@fr ; gcm:participant <@state/OMN> ; '
          f'gcm:inEvent <@{REVIEW}> ; gcm:statedIn <@{P14}> ; gcm:nameAsPrinted "Oman"@fr ;')


def expand(update: str) -> str:
    return PREFIXES + update.replace("<@", f"<{ID}")


def iri(key: str) -> URIRef:
    return ID[key]


def as_dataset(graph: Graph) -> ox.Dataset:
    ds = ox.Dataset()
    dataset.add_graph(ds, "urn:test:data", graph)
    return ds


def shacl_results(graph: Graph, focus: URIRef | None = None) -> list[validate.Result]:
    """The shapes' results on a merged graph (about `focus` only, if given)."""
    ds = as_dataset(graph)
    results = validate.shape_results(ds, validate.findings(ds, ROOT), ROOT)
    return [r for r in results if focus is None or r.focus == focus]


def labels(graph: Graph, node: URIRef) -> dict[str, str]:
    """The node's names as a validation report gives them (from its own triples only)."""
    own = Graph()
    for triple in graph.triples((node, None, None)):
        own.add(triple)
    return validate.Lookup(as_dataset(own)).labels(node)


def validate_main(args: list[str]) -> int:
    return gcmkg(["validate", *args])


@pytest.fixture(scope="module")
def data() -> Graph:
    return Graph().parse(BUILT)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return validate.shapes_graph(ROOT)


@pytest.fixture(scope="module")
def merged(data: Graph) -> Graph:
    """The real graph with the ontology and the reference graph, shared: `changed` undoes each change."""
    graph = Graph()
    graph += reference(ROOT)
    graph += data
    return graph


@contextmanager
def changed(graph: Graph, update: str) -> Iterator[Graph]:
    """Apply a SPARQL Update to `graph` for the time of a with-block (cheaper than copying the graph)."""
    before = set(graph)
    graph.update(expand(update))
    after = set(graph)
    try:
        yield graph
    finally:
        for triple in after - before:
            graph.remove(triple)
        for triple in before - after:
            graph.add(triple)


def english(graph: Graph, message: str) -> str:
    """Fill [[key]] with the English name of id:key in `graph`, as the report names it."""
    return re.sub(r"\[\[([^\]]+)\]\]", lambda m: labels(graph, iri(m.group(1)))["en"], message)


# ---------------------------------------------------------------------------------------------- the real graph


@pytest.fixture(scope="module")
def bundled(data: Graph) -> validate.ValidationReport:
    return validate.validate(data, ROOT)


def test_bundled_report_conforms(bundled: validate.ValidationReport) -> None:
    assert bundled.conforms is True
    assert [r for r in bundled.results if r.severity != "Info"] == []


def test_bundled_report_has_no_unresolved_actor_warning(bundled: validate.ValidationReport) -> None:
    assert not [r for r in bundled.results if r.origin == str(GCMSH["UnresolvedActor-unresolved"])]


def test_reference_graph_alone_conforms() -> None:
    assert validate.validate(Graph(), ROOT).results == []


def test_docstring_examples_run() -> None:
    assert doctest.testmod(validate).failed == 0


# ---------------------------------------------------------------------------------------------- one case per shape


@dataclass(frozen=True)
class Case:
    shape: str  # local name in gcmsh:
    update: str  # SPARQL Update applied to the merged graph
    focus: str  # id: key of the node the result is about
    message: str  # exact English message; [[key]] is the English name of id:key
    severity: str = "Violation"

    def __str__(self) -> str:
        return self.shape


CASES = [
    # shared property shapes
    Case("label", f"DELETE WHERE {{ <@{DNK}> rdfs:label ?l }}", DNK,
         "Needs an rdfs:label: a string tagged with one of the six UN languages, at most one per language."),
    # the French and the Spanish label both go: with a Spanish label, a State without its French one still has two
    Case("Reference-label", """DELETE { <@state/DEU> rdfs:label ?l } WHERE { <@state/DEU> rdfs:label ?l
         FILTER (lang(?l) != "en") }""", "state/DEU",
         "A reference individual has exactly one English and one French rdfs:label, and at most one Spanish."),
    Case("Reference-prefLabel", 'INSERT DATA { <@state/DEU> skos:prefLabel "Deutschland"@de }', "state/DEU",
         "A reference individual has exactly one English and one French skos:prefLabel, and at most one Spanish (the "
         "names the gazetteer resolves)."),
    Case("Reference-altLabel", 'INSERT DATA { <@state/DEU> skos:altLabel "Germania" }', "state/DEU",
         "Every skos:altLabel of a reference individual is tagged English, Spanish or French."),
    Case("source", f"INSERT DATA {{ <@{S2}> gcm:statedIn <@state/DEU> }}", S2,
         "Germany is given as the source (gcm:statedIn) but is not a paragraph of a report."),
    Case("SessionRole-inEvent", f"""DELETE {{ <@{MODERATOR}> gcm:inEvent ?e }} INSERT {{ <@{MODERATOR}> gcm:inEvent
         <@state/DEU> }} WHERE {{ <@{MODERATOR}> gcm:inEvent ?e }}""", MODERATOR,
         "This role is played in a session, but Germany is not a gcm:Session."),
    Case("PersonRole-participant", f"""DELETE {{ <@{MODERATOR}> gcm:participant ?p }} INSERT {{ <@{MODERATOR}>
         gcm:participant <@state/DEU> }} WHERE {{ <@{MODERATOR}> gcm:participant ?p }}""", MODERATOR,
         "This role is played by a person, but Germany is not a gcm:Person."),
    Case("BodyRole-participant", f"""DELETE {{ <@{DNK}> gcm:participant ?p }} INSERT {{ <@{DNK}> gcm:participant
         <@person/amy-pope> }} WHERE {{ <@{DNK}> gcm:participant ?p }}""", DNK,
         "This role is played by a State, a territory or an organisation, but Amy Pope is none of them."),
    Case("NonThematicSession-coversObjective",
         f"INSERT DATA {{ <@{REVIEW}/session/opening> gcm:coversObjective <@objective/1> }}",
         f"{REVIEW}/session/opening",
         "Only a thematic session covers GCM objectives; an opening or closing session covers none."),
    Case("NonThematicSession-sessionNumber",
         f'INSERT DATA {{ <@{REVIEW}/session/closing> gcm:sessionNumber "9"^^xsd:positiveInteger }}',
         f"{REVIEW}/session/closing",
         "Only thematic sessions are numbered; an opening or closing session has no gcm:sessionNumber."),
    Case("NumberedParagraph-inSection", f"DELETE WHERE {{ <@{P14}> gcm:inSection ?s }}", P14,
         "A body or annex paragraph belongs to a section of its report (gcm:inSection)."),
    Case("Statement-onBehalfOf",
         f"INSERT DATA {{ <@{REVIEW}/session/opening/opening-statement/amy-pope> gcm:onBehalfOf <@org/iom> }}",
         f"{REVIEW}/session/opening/opening-statement/amy-pope",
         "An opening or closing statement is made on behalf of a State or of a person, but [[org/iom]] is neither."),
    # meetings
    Case("Meeting-superEvent", "INSERT DATA { <@forum/imrf/2026> schema:superEvent <@state/DEU> }", "forum/imrf/2026",
         "Germany is given as the forum this meeting is an edition of (schema:superEvent) but is not a gcm:Forum."),
    Case("Meeting-kind", 'INSERT DATA { <@meeting/x> a gcm:Meeting ; rdfs:label "X"@en }', "meeting/x",
         "A meeting is a review, a forum, or an edition of a forum (schema:superEvent)."),
    Case("Review-title", f"DELETE WHERE {{ <@{REVIEW}> gcm:title ?t }}", REVIEW,
         "A review has a title (gcm:title), a language-tagged string, at most one per language."),
    Case("Review-ordinal", f'INSERT DATA {{ <@{REVIEW}> gcm:ordinal "3"^^xsd:positiveInteger }}', REVIEW,
         "A review has exactly one gcm:ordinal (2 for the second review), an xsd:positiveInteger."),
    Case("Review-startDate", f"""DELETE {{ <@{REVIEW}> schema:startDate ?d }} INSERT {{ <@{REVIEW}> schema:startDate
         "2024-03-11" }} WHERE {{ <@{REVIEW}> schema:startDate ?d }}""", REVIEW,
         "A review has exactly one schema:startDate, an xsd:date."),
    Case("Review-convenedBy", f"""DELETE {{ <@{REVIEW}> gcm:convenedBy ?c }} INSERT {{ <@{REVIEW}> gcm:convenedBy
         <@org/iom> }} WHERE {{ <@{REVIEW}> gcm:convenedBy ?c }}""", REVIEW,
         "A review is convened by exactly one UN regional commission (gcm:convenedBy a gcm:RegionalCommission)."),
    Case("Review-hasReport", f"DELETE WHERE {{ <@{REVIEW}> gcm:hasReport ?r }}", REVIEW,
         "A review has exactly one report (gcm:hasReport a gcm:Report); its language editions are one report."),
    Case("Review-heldIn", f"DELETE WHERE {{ <@{REVIEW}> gcm:heldIn ?p }}", REVIEW,
         "A review is held in exactly one place (gcm:heldIn a gcm:Place)."),
    Case("Review-hasSession", f"INSERT DATA {{ <@{REVIEW}> gcm:hasSession <@state/DEU> }}", REVIEW,
         "A review has at least one session (gcm:hasSession), and each is a gcm:Session."),
    Case("Review-agenda", f"INSERT DATA {{ <@{REVIEW}> gcm:agenda <@{REVIEW}/report> }}", REVIEW,
         "A review has at most one agenda (gcm:agenda), a gcm:Document."),
    Case("Review-followsDecision", f"INSERT DATA {{ <@{REVIEW}> gcm:followsDecision <@state/DEU> }}", REVIEW,
         "Germany is given as the decision the review follows (gcm:followsDecision) but is not a gcm:Decision."),
    Case("Review-precedes", f"INSERT DATA {{ <@{REVIEW}> gcm:precedes <@state/DEU> }}", REVIEW,
         "Germany is given as the meeting the review precedes (gcm:precedes) but is not a gcm:Meeting."),
    Case("Review-contributesTo", f"INSERT DATA {{ <@{REVIEW}> gcm:contributesTo <@state/DEU> }}", REVIEW,
         "Germany is given as the forum the review feeds (gcm:contributesTo) but is not a gcm:Meeting."),
    Case("Review-ngoCount", f"""DELETE {{ <@{REVIEW}> gcm:ngoCount ?n }} INSERT {{ <@{REVIEW}> gcm:ngoCount 65 }}
         WHERE {{ <@{REVIEW}> gcm:ngoCount ?n }}""", REVIEW,
         "A review has at most one gcm:ngoCount, an xsd:nonNegativeInteger."),
    Case("Review-ngoCountIsMinimum", f'INSERT DATA {{ <@{REVIEW}> gcm:ngoCountIsMinimum "yes" }}', REVIEW,
         "A review has at most one gcm:ngoCountIsMinimum, an xsd:boolean."),
    Case("Review-ngoCountKnown", f"DELETE WHERE {{ <@{REVIEW}> gcm:ngoCount ?n }}", REVIEW,
         "The report does not say how many non-governmental organisations took part (no gcm:ngoCount).", "Info"),
    # sessions
    Case("Session-sessionOf", f"DELETE WHERE {{ <@{S2}> gcm:sessionOf ?r }}", S2,
         "A session is part of exactly one meeting (gcm:sessionOf a gcm:Meeting)."),
    Case("Session-listed", f"INSERT DATA {{ <@state/DEU> gcm:hasSession <@{S2}> }}", S2,
         "The meeting of a session (gcm:sessionOf) and the meeting that lists it (gcm:hasSession) differ: Germany."),
    Case("Session-title", f'INSERT DATA {{ <@{S2}> gcm:title "Untagged title" }}', S2,
         "A session title (gcm:title) is a language-tagged string, at most one per language."),
    Case("Session-kind", f"INSERT DATA {{ <@{S2}> a gcm:ClosingSession }}", S2,
         "A session is exactly one of: an opening, a thematic or a closing session."),
    Case("ThematicSession-sessionNumber", f"DELETE WHERE {{ <@{S2}> gcm:sessionNumber ?n }}", S2,
         "A thematic session has exactly one gcm:sessionNumber, an xsd:positiveInteger."),
    Case("ThematicSession-coversObjective", f"DELETE WHERE {{ <@{S2}> gcm:coversObjective ?o }}", S2,
         "A thematic session covers at least one GCM objective (gcm:coversObjective)."),
    Case("Session-knownObjective", f"INSERT DATA {{ <@{S2}> gcm:coversObjective <@objective/24> }}", S2,
         "The session covers id:objective/24, which is not one of the 23 GCM objectives (a gcm:Objective numbered "
         "1 to 23)."),
    Case("ThematicSession-objectiveOnce", f"INSERT DATA {{ <@{S2}> gcm:coversObjective <@objective/2> }}", S2,
         "[[objective/2]] is covered by this thematic session and by another one of the same review; a review "
         "covers each objective once."),
    # documents, the report and its parts
    Case("Document-label", "DELETE WHERE { <@document/ece-gcm-2024-1> rdfs:label ?l }", "document/ece-gcm-2024-1",
         "A document has an rdfs:label."),
    Case("Document-identifier", 'INSERT DATA { <@document/ece-gcm-2024-1> dcterms:identifier "ECE/GCM/2024/2" }',
         "document/ece-gcm-2024-1",
         "A document has at most one UN document symbol (dcterms:identifier), an xsd:string."),
    Case("Document-identified", "DELETE WHERE { <@document/ece-gcm-2024-1> dcterms:identifier ?i }",
         "document/ece-gcm-2024-1",
         "A document other than a report is known by its UN document symbol (dcterms:identifier)."),
    Case("Report-title", f"DELETE WHERE {{ <@{REVIEW}/report> gcm:title ?t }}", f"{REVIEW}/report",
         "A report has a title (gcm:title), a language-tagged string, at most one per language."),
    Case("Report-reportOf", f"DELETE WHERE {{ <@{REVIEW}/report> gcm:reportOf ?r }}", f"{REVIEW}/report",
         "A report is the report of exactly one review (gcm:reportOf a gcm:Review)."),
    Case("Report-listed", f"INSERT DATA {{ <@state/DEU> gcm:hasReport <@{REVIEW}/report> }}", f"{REVIEW}/report",
         "The review of a report (gcm:reportOf) and the review that lists it (gcm:hasReport) differ: Germany."),
    Case("Report-language", f"""DELETE {{ <@{REVIEW}/report> dcterms:language ?l }} INSERT {{ <@{REVIEW}/report>
         dcterms:language "de" }} WHERE {{ <@{REVIEW}/report> dcterms:language ?l }}""", f"{REVIEW}/report",
         "A report names the language of each edition converted (dcterms:language), one of ar, en, es, fr, ru, zh."),
    Case("Report-sourceFile", f"DELETE WHERE {{ <@{REVIEW}/report> dcterms:source ?f }}", f"{REVIEW}/report",
         "A report names the file each edition was converted from (dcterms:source), an xsd:string."),
    Case("Report-hasParagraph", f"INSERT DATA {{ <@{REVIEW}/report> gcm:hasParagraph <@state/DEU> }}",
         f"{REVIEW}/report", "A report has paragraphs (gcm:hasParagraph), and each is a gcm:Paragraph."),
    Case("Report-hasSection", f"INSERT DATA {{ <@{REVIEW}/report> gcm:hasSection <@state/DEU> }}", f"{REVIEW}/report",
         "Germany is listed as a section of the report (gcm:hasSection) but is not a gcm:Section."),
    Case("Section-title", f"DELETE WHERE {{ <@{REVIEW}/report/section/iii> gcm:title ?t }}",
         f"{REVIEW}/report/section/iii",
         "A section has a heading (gcm:title), a language-tagged string, at most one per language."),
    Case("Section-sequence", f'INSERT DATA {{ <@{REVIEW}/report/section/iii> gcm:sequence "99"^^xsd:positiveInteger }}',
         f"{REVIEW}/report/section/iii",
         "A section has exactly one place in reading order (gcm:sequence), an xsd:positiveInteger."),
    Case("Section-text", f'INSERT DATA {{ <@{REVIEW}/report/section/iii> gcm:text "Text"@de }}',
         f"{REVIEW}/report/section/iii",
         "The unnumbered text of a section (gcm:text) is tagged with one of the six UN languages."),
    Case("Section-report", f"DELETE WHERE {{ ?r gcm:hasSection <@{REVIEW}/report/section/iii> }}",
         f"{REVIEW}/report/section/iii", "A section belongs to exactly one report (gcm:hasSection)."),
    Case("Paragraph-paragraphNumber", f"DELETE WHERE {{ <@{P14}> gcm:paragraphNumber ?n }}", P14,
         "A paragraph has exactly one printed number (gcm:paragraphNumber), an xsd:positiveInteger."),
    Case("Paragraph-sequence", f"""DELETE {{ <@{P14}> gcm:sequence ?n }} INSERT {{ <@{P14}> gcm:sequence "x" }}
         WHERE {{ <@{P14}> gcm:sequence ?n }}""", P14,
         "A paragraph has exactly one place in reading order (gcm:sequence), an xsd:positiveInteger."),
    Case("Paragraph-text", f'INSERT DATA {{ <@{P14}> gcm:text "Un autre texte."@fr }}', P14,
         "A paragraph has its full text (gcm:text) in one of the six UN languages, one text per language."),
    Case("Paragraph-inReport", f"DELETE WHERE {{ <@{P14}> gcm:inReport ?r }}", P14,
         "A paragraph is in exactly one report (gcm:inReport a gcm:Report)."),
    Case("Paragraph-listed", f"INSERT DATA {{ <@state/DEU> gcm:hasParagraph <@{P14}> }}", P14,
         "The report of a paragraph (gcm:inReport) and the report that lists it (gcm:hasParagraph) differ: Germany."),
    Case("Paragraph-inSection", f"INSERT DATA {{ <@{P14}> gcm:inSection <@{REVIEW}/report/section/iii> }}", P14,
         "A paragraph is in at most one section (gcm:inSection), a gcm:Section."),
    Case("Paragraph-aboutSession", f"INSERT DATA {{ <@{P14}> gcm:aboutSession <@{REVIEW}/session/1> }}", P14,
         "A paragraph is about at most one session (gcm:aboutSession), a gcm:Session."),
    Case("Paragraph-hasFootnote", f"INSERT DATA {{ <@{P14}> gcm:hasFootnote <@{REVIEW}/report/footnote/9> }}", P14,
         "The paragraph calls footnote id:review/ece-2024/report/footnote/9, which is not a gcm:Footnote of the "
         "report."),
    Case("Paragraph-hasThematicLink", f"INSERT DATA {{ <@{P14}> gcm:hasThematicLink <@state/DEU> }}", P14,
         "Germany is given as a thematic link of the paragraph (gcm:hasThematicLink) but is not a gcm:ThematicLink."),
    Case("Paragraph-kind", f"INSERT DATA {{ <@{P14}> a gcm:Footnote }}", P14,
         "A paragraph is exactly one of: a body paragraph, an annex paragraph, a footnote."),
    Case("Footnote-called", f"DELETE WHERE {{ ?p gcm:hasFootnote <@{REVIEW}/report/footnote/1> }}",
         f"{REVIEW}/report/footnote/1",
         "No paragraph calls this footnote (gcm:hasFootnote): its call mark was probably lost in the conversion "
         "from PDF.", "Warning"),
    # decisions
    Case("Decision-source", "DELETE WHERE { <@decision/unece-excom/2023-05-15> gcm:statedIn ?p }",
         "decision/unece-excom/2023-05-15",
         "A decision comes from a paragraph of the report (gcm:statedIn a gcm:Paragraph)."),
    Case("Decision-date", """DELETE { <@decision/unece-excom/2023-05-15> dcterms:date ?d } INSERT {
         <@decision/unece-excom/2023-05-15> dcterms:date "15 mai 2023" } WHERE {
         <@decision/unece-excom/2023-05-15> dcterms:date ?d }""", "decision/unece-excom/2023-05-15",
         "A decision has exactly one date (dcterms:date), an xsd:date."),
    Case("Decision-creator", """DELETE { <@decision/unece-excom/2023-05-15> dcterms:creator ?c } INSERT {
         <@decision/unece-excom/2023-05-15> dcterms:creator <@person/amy-pope> } WHERE {
         <@decision/unece-excom/2023-05-15> dcterms:creator ?c }""", "decision/unece-excom/2023-05-15",
         "A decision is taken by exactly one body (dcterms:creator), an organisation."),
    Case("Decision-note", "INSERT DATA { <@decision/unece-excom/2023-05-15> dcterms:source <@state/DEU> }",
         "decision/unece-excom/2023-05-15",
         "Germany is cited for the decision (dcterms:source) but is not a paragraph or footnote of the report."),
    # participations
    Case("Participation-participant", f"DELETE WHERE {{ <@{DNK}> gcm:participant ?p }}", DNK,
         "A participation has at least one participant (gcm:participant), and each is a gcm:Actor."),
    Case("Participation-inEvent", f"DELETE WHERE {{ <@{DNK}> gcm:inEvent ?e }}", DNK,
         "A participation takes place in exactly one meeting or session (gcm:inEvent)."),
    Case("Participation-source", f"DELETE WHERE {{ <@{DNK}> gcm:statedIn ?p }}", DNK,
         "A participation comes from exactly one paragraph of the report (gcm:statedIn a gcm:Paragraph)."),
    Case("Participation-nameAsPrinted", f"DELETE WHERE {{ <@{DNK}> gcm:nameAsPrinted ?n }}", DNK,
         "A participation keeps the names as printed (gcm:nameAsPrinted), a language-tagged string, one per "
         "language."),
    Case("Participation-function", f'INSERT DATA {{ <@{MODERATOR}> gcm:function "Rapporteuse"@fr }}', MODERATOR,
         "The function as printed (gcm:function) is a language-tagged string, at most one per language."),
    Case("Participation-affiliation", f"INSERT DATA {{ <@{MODERATOR}> gcm:affiliation <@person/amy-pope> }}",
         MODERATOR, "A participant acts for a State, a territory or an organisation (gcm:affiliation), but Amy Pope is "
         "none of them."),
    Case("Participation-order", f'INSERT DATA {{ <@{DNK}> gcm:order "40"^^xsd:positiveInteger }}', DNK,
         "A participation has at most one place in the order of speakers (gcm:order), an xsd:positiveInteger."),
    Case("Participation-onBehalfOf", f"INSERT DATA {{ <@{DNK}> gcm:onBehalfOf <@state/XXX> }}", DNK,
         "id:state/XXX is given as the one on whose behalf someone took part (gcm:onBehalfOf) but is not a "
         "gcm:Actor."),
    Case("Participation-representedBy",
         f"INSERT DATA {{ <@{REVIEW}/attendance/ALB> gcm:representedBy <@person/amy-pope> }}",
         f"{REVIEW}/attendance/ALB",
         "An attendee is represented by a State or an organisation (gcm:representedBy), but Amy Pope is neither."),
    Case("Participation-role", f"INSERT DATA {{ <@{DNK}> a gcm:RightOfReply }}", DNK,
         "A participation has exactly one role: one of the twelve subclasses of gcm:Participation."),
    Case("Participation-sourceAboutSession", f"""DELETE {{ <@{DNK}> gcm:statedIn ?p }} INSERT {{ <@{DNK}>
         gcm:statedIn <@{REVIEW}/report/paragraph/13> }} WHERE {{ <@{DNK}> gcm:statedIn ?p }}""", DNK,
         "The participation is in a session, but the paragraph it comes from, paragraph 13, is not about that "
         "session (gcm:aboutSession)."),
    Case("JointOrganising-inEvent", f"""DELETE {{ <@{REVIEW}/joint-organising/iom> gcm:inEvent ?e }} INSERT {{
         <@{REVIEW}/joint-organising/iom> gcm:inEvent <@state/DEU> }} WHERE {{
         <@{REVIEW}/joint-organising/iom> gcm:inEvent ?e }}""", f"{REVIEW}/joint-organising/iom",
         "A review is organised jointly, but Germany is not a gcm:Review."),
    Case("JointOrganising-participant", f"""DELETE {{ <@{REVIEW}/joint-organising/iom> gcm:participant ?p }} INSERT {{
         <@{REVIEW}/joint-organising/iom> gcm:participant <@state/DEU> }} WHERE {{
         <@{REVIEW}/joint-organising/iom> gcm:participant ?p }}""", f"{REVIEW}/joint-organising/iom",
         "A review is organised by organisations, but Germany is not a gcm:Organisation."),
    Case("Contribution-order", f"DELETE WHERE {{ <@{DNK}> gcm:order ?o }}", DNK,
         "A contribution has its place in the order of speakers of its session (gcm:order)."),
    Case("Contribution-onBehalfOfState", f"INSERT DATA {{ <@{DNK}> gcm:onBehalfOf <@org/unece> }}", DNK,
         "A contribution is made on behalf of States only, but [[org/unece]] is not a gcm:State."),
    Case("Contribution-orderUnique", f"""DELETE {{ <@{DNK}> gcm:order ?o }} INSERT {{ <@{DNK}> gcm:order ?first }}
         WHERE {{ <@{DNK}> gcm:order ?o . <@{S2}/contribution/DEU> gcm:order ?first }}""", DNK,
         f"This contribution and [[{S2}/contribution/DEU]] are in the same session at the same place in the order "
         "of speakers (gcm:order)."),
    Case("SubstantiveParticipation-substantiveIn", f"DELETE WHERE {{ <@{DNK}> gcm:substantiveIn ?s }}", DNK,
         "A contribution or a lead speaking names its session twice, with gcm:inEvent and with gcm:substantiveIn "
         "(which engages the speaker with the session's objectives), and the two agree."),
    Case("Participation-substantiveOnly", f"INSERT DATA {{ <@{S2}/right-of-reply/AZE> gcm:substantiveIn <@{S2}> }}",
         f"{S2}/right-of-reply/AZE", "Only a contribution or a lead speaking engages its speaker with the objectives "
         "of a session (gcm:substantiveIn), but this participation is neither."),
    Case("RightOfReply-participant", f"""DELETE {{ <@{S2}/right-of-reply/AZE> gcm:participant ?p }} INSERT {{
         <@{S2}/right-of-reply/AZE> gcm:participant <@person/amy-pope> }} WHERE {{
         <@{S2}/right-of-reply/AZE> gcm:participant ?p }}""", f"{S2}/right-of-reply/AZE",
         "Only a State exercises a right of reply, but Amy Pope is not a gcm:State."),
    Case("OpeningStatement-inEvent", f"""DELETE {{ ?s gcm:inEvent ?e }} INSERT {{ ?s gcm:inEvent <@state/DEU> }}
         WHERE {{ BIND (<@{REVIEW}/session/opening/opening-statement/amy-pope> AS ?s) ?s gcm:inEvent ?e }}""",
         f"{REVIEW}/session/opening/opening-statement/amy-pope",
         "An opening statement is made in an opening session, but Germany is not a gcm:OpeningSession."),
    Case("ClosingStatement-inEvent", f"""DELETE {{ ?s gcm:inEvent ?e }} INSERT {{ ?s gcm:inEvent <@state/DEU> }}
         WHERE {{ BIND (<@{REVIEW}/session/closing/closing-statement/tatiana-molcean> AS ?s) ?s gcm:inEvent ?e }}""",
         f"{REVIEW}/session/closing/closing-statement/tatiana-molcean",
         "A closing statement is made in a closing session, but Germany is not a gcm:ClosingSession."),
    Case("Attendance-oneCapacity", f"""INSERT DATA {{ <@{REVIEW}/attendance/ALB> a gcm:ObserverAttendance ,
         gcm:AssociateMemberAttendance }}""", f"{REVIEW}/attendance/ALB",
         "An attendance is as an observer or as an associate member, not both."),
    Case("AssociateMemberAttendance-participant",
         f"INSERT DATA {{ <@{REVIEW}/attendance/ALB> a gcm:AssociateMemberAttendance }}", f"{REVIEW}/attendance/ALB",
         "An associate member of a commission is a territory, but Albania is not a gcm:Territory."),
    Case("OfficeHolding-office", f"INSERT DATA {{ {OFFICE} }}", OFFICE_IRI,
         "An office holding keeps the office as printed (gcm:office), a language-tagged string, one per language."),
    Case("OfficeHolding-inEvent", f"INSERT DATA {{ {OFFICE} gcm:office \"rapporteur\"@fr ; gcm:inEvent <@{S2}> }}",
         OFFICE_IRI, "An office is held in a meeting (its bureau), but [[review/ece-2024/session/2]] is not a gcm:Meeting."),
    Case("OfficeHolding-participant", f"INSERT DATA {{ {OFFICE} gcm:office \"rapporteur\"@fr ; gcm:participant <@org/iom> }}",
         OFFICE_IRI, "An office of a meeting is held by a State's delegation or by a person, but [[org/iom]] is neither."),
    Case("Attendance-inEvent", f"""DELETE {{ <@{REVIEW}/attendance/ALB> gcm:inEvent ?e }} INSERT {{
         <@{REVIEW}/attendance/ALB> gcm:inEvent <@state/DEU> }}
         WHERE {{ <@{REVIEW}/attendance/ALB> gcm:inEvent ?e }}""",
         f"{REVIEW}/attendance/ALB", "Attendance is recorded for a meeting, but Germany is not a gcm:Meeting."),
    # actors built from the report
    Case("Person-name", "DELETE WHERE { <@person/amy-pope> foaf:name ?n }", "person/amy-pope",
         "A person has exactly one name (foaf:name), an xsd:string without language tag."),
    Case("Person-label", """DELETE { <@person/amy-pope> rdfs:label ?l } INSERT { <@person/amy-pope> rdfs:label
         "Amy Pope"@fr } WHERE { <@person/amy-pope> rdfs:label ?l }""", "person/amy-pope",
         "A person has exactly one rdfs:label, the name as an xsd:string without language tag."),
    Case("Person-role", 'INSERT DATA { <@person/nobody> a gcm:Person ; foaf:name "Nobody" ; rdfs:label "Nobody" }',
         "person/nobody",
         "This person takes part in nothing: no participation names them (gcm:participant or gcm:onBehalfOf).",
         "Warning"),
    Case("UnresolvedActor-nameAsPrinted", f"""INSERT DATA {{ <@unresolved/x> a gcm:UnresolvedActor ; rdfs:label "X"@fr ;
         gcm:statedIn <@{P14}> }}""", "unresolved/x",
         "An unresolved actor keeps the name as printed (gcm:nameAsPrinted), a language-tagged string."),
    Case("UnresolvedActor-source", """INSERT DATA { <@unresolved/x> a gcm:UnresolvedActor ; rdfs:label "X"@fr ;
         gcm:nameAsPrinted "X"@fr }""", "unresolved/x",
         "An unresolved actor names the paragraph where it is printed (gcm:statedIn a gcm:Paragraph)."),
    Case("UnresolvedActor-unresolved", f"""INSERT DATA {{ <@unresolved/x> a gcm:UnresolvedActor ; rdfs:label "X"@fr ;
         gcm:nameAsPrinted "Amis de Ruritanie"@fr ; gcm:statedIn <@{P14}> }}""", "unresolved/x",
         "The name Amis de Ruritanie matches no State or organisation of the reference graph: add it as a "
         "skos:altLabel in ontology/reference/, or add the missing individual.", "Warning"),
    # thematic links and places
    Case("ThematicLink-concept", f"""DELETE {{ <@{LINK}> gcm:linkedConcept ?c }} INSERT {{ <@{LINK}> gcm:linkedConcept
         <@objective/24> }} WHERE {{ <@{LINK}> gcm:linkedConcept ?c }}""", LINK,
         "A thematic link points to exactly one concept of the reference graph (gcm:linkedConcept a skos:Concept)."),
    Case("ThematicLink-source", f"DELETE WHERE {{ <@{LINK}> gcm:statedIn ?p }}", LINK,
         "A thematic link comes from exactly one paragraph (gcm:statedIn a gcm:Paragraph)."),
    Case("ThematicLink-listed", f"INSERT DATA {{ <@{P14}> gcm:hasThematicLink <@{LINK}> }}", LINK,
         "The paragraph a thematic link comes from (gcm:statedIn) and the paragraph that lists it "
         "(gcm:hasThematicLink) differ: paragraph 14."),
    Case("ThematicLink-evidence", f"DELETE WHERE {{ <@{LINK}> gcm:evidence ?e }}", LINK,
         "A thematic link keeps the words that matched (gcm:evidence), language-tagged strings."),
    Case("Place-reference", 'INSERT DATA { <@place/atlantis> a gcm:Place ; rdfs:label "Atlantide"@fr }',
         "place/atlantis",
         "This place is not in the reference graph (no English and French skos:prefLabel): add it to "
         "ontology/reference/places.ttl.", "Warning"),
    # reference individuals
    Case("State-alpha2", """DELETE { <@state/DEU> gcm:iso3166Alpha2 ?c } INSERT { <@state/DEU> gcm:iso3166Alpha2 "de" }
         WHERE { <@state/DEU> gcm:iso3166Alpha2 ?c }""", "state/DEU",
         "A State has exactly one ISO 3166-1 alpha-2 code (gcm:iso3166Alpha2), two capital letters."),
    Case("State-alpha3", "DELETE WHERE { <@state/DEU> gcm:iso3166Alpha3 ?c }", "state/DEU",
         "A State has exactly one ISO 3166-1 alpha-3 code (gcm:iso3166Alpha3), three capital letters."),
    Case("State-m49", """DELETE { <@state/DEU> gcm:m49Code ?c } INSERT { <@state/DEU> gcm:m49Code "276"^^xsd:integer }
         WHERE { <@state/DEU> gcm:m49Code ?c }""", "state/DEU",
         "A State has exactly one UN M49 code (gcm:m49Code), three digits."),
    Case("State-demonym", 'INSERT DATA { <@state/DEU> gcm:demonym "deutsch"@de }', "state/DEU",
         "Every demonym of a State (gcm:demonym) is tagged English, Spanish or French."),
    Case("State-memberOf", "INSERT DATA { <@state/DEU> org:memberOf <@state/FRA> }", "state/DEU",
         "A State is a member (org:memberOf) of organisations only, but France is not a gcm:Organisation."),
    Case("Territory-alpha3", "DELETE WHERE { <@territory/ABW> gcm:iso3166Alpha3 ?c }", "territory/ABW",
         "A territory has exactly one ISO 3166-1 alpha-3 code (gcm:iso3166Alpha3), three capital letters."),
    Case("Territory-key", """DELETE { <@territory/ABW> gcm:iso3166Alpha3 ?c } INSERT { <@territory/ABW> gcm:iso3166Alpha3
         "ARU" } WHERE { <@territory/ABW> gcm:iso3166Alpha3 ?c }""", "territory/ABW",
         "The IRI of a territory ends with its ISO 3166-1 alpha-3 code, here ARU."),
    Case("State-key", """DELETE { <@state/DEU> gcm:iso3166Alpha3 ?c } INSERT { <@state/DEU> gcm:iso3166Alpha3 "GER" }
         WHERE { <@state/DEU> gcm:iso3166Alpha3 ?c }""", "state/DEU",
         "The IRI of a State ends with its ISO 3166-1 alpha-3 code, here GER."),
    Case("Organisation-acronym", 'INSERT DATA { <@org/iom> gcm:acronym "IOM" }', "org/iom",
         "Every acronym of an organisation (gcm:acronym) is tagged English, Spanish or French."),
    Case("Organisation-kind", """INSERT DATA { <@org/x> a gcm:Organisation ; rdfs:label "X"@en, "X"@fr ;
         skos:prefLabel "X"@en, "X"@fr }""", "org/x",
         "An organisation has at least one kind: UN system entity, EU institution, intergovernmental organisation, "
         "civil-society organisation, trade union, employers' organisation, network or research institution."),
    Case("Organisation-governance", "INSERT DATA { <@org/iom> a gcm:CivilSocietyOrganisation }", "org/iom",
         "An organisation is governed in one way at most: it is not two of UN system entity, EU institution, "
         "intergovernmental organisation, civil-society organisation, trade union and employers' organisation "
         "(network and research institution combine with any of them)."),
    Case("Organisation-parent", "INSERT DATA { <@org/dg-home> org:subOrganizationOf <@state/DEU> }", "org/dg-home",
         "An organisation is part of organisations only (org:subOrganizationOf), but Germany is not a "
         "gcm:Organisation."),
    Case("RegionalCommission-notation", """DELETE { <@org/unece> skos:notation ?n } INSERT { <@org/unece>
         skos:notation "ece" } WHERE { <@org/unece> skos:notation ?n }""", "org/unece",
         "A regional commission has exactly one skos:notation, its document-symbol prefix in capital letters (ECE), "
         "from which review IRIs are made."),
    Case("Objective-number", """INSERT DATA { <@objective/24> a gcm:Objective ;
         rdfs:label "Objective 24"@en, "Objectif 24"@fr ; skos:prefLabel "Objective 24"@en, "Objectif 24"@fr ;
         gcm:objectiveNumber "24"^^xsd:positiveInteger ; skos:notation "24"^^gcm:ObjectiveNotation ;
         skos:inScheme <@scheme/objectives> }""",
         "objective/24", "A GCM objective has exactly one gcm:objectiveNumber, an xsd:positiveInteger from 1 to 23."),
    Case("Objective-notation", """DELETE { <@objective/7> skos:notation ?n } INSERT { <@objective/7> skos:notation
         "seven" } WHERE { <@objective/7> skos:notation ?n }""", "objective/7",
         "A GCM objective has exactly one skos:notation, its number written in digits and typed gcm:ObjectiveNotation."),
    Case("Objective-inScheme", "DELETE WHERE { <@objective/7> skos:inScheme ?s }", "objective/7",
         "A GCM objective is in the concept scheme of the objectives (skos:inScheme id:scheme/objectives)."),
    Case("Objective-shortName", 'INSERT DATA { <@objective/7> gcm:shortName "7 - Verwundbarkeit"@de }', "objective/7",
         "The short names of a GCM objective (gcm:shortName) are one English, one Spanish and one French string at most."),
    Case("Objective-key", """DELETE { <@objective/7> skos:notation ?n } INSERT { <@objective/7> skos:notation
         "8"^^gcm:ObjectiveNotation }
         WHERE { <@objective/7> skos:notation ?n }""", "objective/7",
         "The IRI (id:objective/n) and the skos:notation of a GCM objective agree with its gcm:objectiveNumber 7."),
]

# Node shapes whose own constraint is sh:nodeKind sh:IRI: a blank node of the class, with a label that names it.
BLANK_CASES = {
    "MeetingShape": ("gcm:Forum", "A meeting is named by an IRI, never a blank node."),
    "ReviewShape": ("gcm:Review", "A review is named by an IRI, never a blank node."),
    "SessionShape": ("gcm:Session", "A session is named by an IRI, never a blank node."),
    "OpeningSessionShape": ("gcm:OpeningSession", "An opening session is named by an IRI, never a blank node."),
    "ClosingSessionShape": ("gcm:ClosingSession", "A closing session is named by an IRI, never a blank node."),
    "ThematicSessionShape": ("gcm:ThematicSession", "A thematic session is named by an IRI, never a blank node."),
    "DocumentShape": ("gcm:Document", "A document is named by an IRI, never a blank node."),
    "ReportShape": ("gcm:Report", "A report is named by an IRI, never a blank node."),
    "SectionShape": ("gcm:Section", "A section is named by an IRI, never a blank node."),
    "ParagraphShape": ("gcm:Paragraph", "A paragraph is named by an IRI, never a blank node."),
    "BodyParagraphShape": ("gcm:BodyParagraph", "A body paragraph is named by an IRI, never a blank node."),
    "AnnexParagraphShape": ("gcm:AnnexParagraph", "An annex paragraph is named by an IRI, never a blank node."),
    "FootnoteShape": ("gcm:Footnote", "A footnote is named by an IRI, never a blank node."),
    "DecisionShape": ("gcm:Decision", "A decision is named by an IRI, never a blank node."),
    "ParticipationShape": ("gcm:Participation", "A participation is named by an IRI, never a blank node."),
    "JointOrganisingShape": ("gcm:JointOrganising", "A joint organising is named by an IRI, never a blank node."),
    "CoChairingShape": ("gcm:CoChairing", "A co-chairing is named by an IRI, never a blank node."),
    "LeadOrganisingShape": ("gcm:LeadOrganising", "A lead organising is named by an IRI, never a blank node."),
    "ModeratingShape": ("gcm:Moderating", "A moderating is named by an IRI, never a blank node."),
    "LeadSpeakingShape": ("gcm:LeadSpeaking", "A lead speaking is named by an IRI, never a blank node."),
    "ContributionShape": ("gcm:Contribution", "A contribution is named by an IRI, never a blank node."),
    "RightOfReplyShape": ("gcm:RightOfReply", "A right of reply is named by an IRI, never a blank node."),
    "OpeningStatementShape": ("gcm:OpeningStatement", "An opening statement is named by an IRI, never a blank node."),
    "ClosingStatementShape": ("gcm:ClosingStatement", "A closing statement is named by an IRI, never a blank node."),
    "RapporteuringShape": ("gcm:Rapporteuring", "A rapporteuring is named by an IRI, never a blank node."),
    "AttendanceShape": ("gcm:Attendance", "An attendance is named by an IRI, never a blank node."),
    "AssociateMemberAttendanceShape": ("gcm:AssociateMemberAttendance",
                                       "An attendance as an associate member is named by an IRI, never a blank node."),
    "OfficeHoldingShape": ("gcm:OfficeHolding", "An office holding is named by an IRI, never a blank node."),
    "TerritoryShape": ("gcm:Territory", "A territory is named by an IRI, never a blank node."),
    "PersonShape": ("gcm:Person", "A person is named by an IRI, never a blank node."),
    "UnresolvedActorShape": ("gcm:UnresolvedActor", "An unresolved actor is named by an IRI, never a blank node."),
    "ThematicLinkShape": ("gcm:ThematicLink", "A thematic link is named by an IRI, never a blank node."),
    "PlaceShape": ("gcm:Place", "A place is named by an IRI, never a blank node."),
    "StateShape": ("gcm:State", "A State is named by an IRI, never a blank node."),
    "OrganisationShape": ("gcm:Network", "An organisation is named by an IRI, never a blank node."),
    "RegionalCommissionShape": ("gcm:RegionalCommission",
                                "A regional commission is named by an IRI, never a blank node."),
    "ObjectiveShape": ("gcm:Objective", "A GCM objective is named by an IRI, never a blank node."),
}


def shape_results(results: list[validate.Result], shape: str) -> list[validate.Result]:
    return [r for r in results if r.origin == str(GCMSH[shape])]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_shape_rejects(case: Case, merged: Graph, shapes: Graph) -> None:
    focus = iri(case.focus)
    with changed(merged, case.update) as graph:
        found = shape_results(shacl_results(graph, focus), case.shape)
        expected = english(graph, case.message)
    assert found, f"gcmsh:{case.shape} accepted the change"
    result = found[0]
    assert result.focus == focus
    assert result.severity == case.severity
    assert result.message("en") == expected
    text = validate.ValidationReport(found).text("en")
    assert f"<{focus}>" in text
    assert result.label("en") in text.splitlines()[0]


@pytest.fixture(scope="module")
def blank_report(merged: Graph, shapes: Graph) -> validate.ValidationReport:
    inserts = " ".join(f'[] a {cls} ; rdfs:label "blank {shape}"@en .' for shape, (cls, _) in BLANK_CASES.items())
    with changed(merged, f"INSERT DATA {{ {inserts} }}") as graph:
        return validate.ValidationReport(shacl_results(graph))


@pytest.mark.parametrize("shape", BLANK_CASES)
def test_node_shape_rejects_a_blank_node(shape: str, blank_report: validate.ValidationReport) -> None:
    found = [r for r in shape_results(blank_report.results, shape) if r.label("en") == f"blank {shape}"]
    assert len(found) == 1
    assert isinstance(found[0].focus, BNode)
    assert found[0].severity == "Violation"
    assert found[0].message("en") == BLANK_CASES[shape][1]
    assert f"blank {shape}" in blank_report.text("en")


def test_every_shape_has_a_case() -> None:
    graph = Graph().parse(SHAPES)
    named = {str(s).removeprefix(str(GCMSH)) for s in graph.subjects(SH.message, None) if isinstance(s, URIRef)}
    assert named == {c.shape for c in CASES} | set(BLANK_CASES)


def test_every_shape_has_one_english_and_one_french_message_and_a_severity() -> None:
    graph = Graph().parse(SHAPES)
    shapes = set(graph.subjects(RDF.type, SH.NodeShape)) | set(graph.subjects(RDF.type, SH.PropertyShape))
    assert shapes
    for shape in shapes:
        assert isinstance(shape, URIRef), shape
        languages = sorted(m.language for m in graph.objects(shape, SH.message))
        assert languages == ["en", "fr"], shape
        assert graph.value(shape, SH.severity) in (SH.Violation, SH.Warning, SH.Info), shape


def test_node_shapes_are_targeted_by_class_and_property_shapes_are_used() -> None:
    graph = Graph().parse(SHAPES)
    for shape in graph.subjects(RDF.type, SH.NodeShape):
        assert graph.value(shape, SH.targetClass) is not None, shape
    for shape in graph.subjects(RDF.type, SH.PropertyShape):
        assert (None, SH.property, shape) in graph, shape


# ---------------------------------------------------------------------------------------------- violation queries


@dataclass(frozen=True)
class QueryCase:
    query: str
    update: str
    focus: str
    message: str

    def __str__(self) -> str:
        return self.query


QUERY_CASES = [
    QueryCase("paragraph-numbering-gap-violation.rq",
              f"DELETE WHERE {{ <@{REVIEW}/report/paragraph/10> ?p ?o }}", f"{REVIEW}/report/paragraph/11",
              "Number 10 is missing before this paragraph in its series (Body paragraph)."),
    QueryCase("contribution-order-gap-violation.rq", f"DELETE WHERE {{ <@{S2}/contribution/ARM> ?p ?o }}",
              f"{S2}/contribution/BEL", f"No contribution to [[{S2}]] has order 2, the place before this one."),
]


@pytest.mark.parametrize("case", QUERY_CASES, ids=str)
def test_violation_query_finds(case: QueryCase, merged: Graph) -> None:
    queries = [q for q in validate.violation_queries(ROOT) if q.path.name == case.query]
    assert len(queries) == 1
    with changed(merged, case.update) as graph:
        results = [r for r in validate.query_results(as_dataset(graph), queries) if r.focus == iri(case.focus)]
        expected = english(graph, case.message)
    assert len(results) == 1
    assert results[0].severity == "Violation"
    assert results[0].message("en") == expected
    assert results[0].message("fr") != results[0].message("en")


def test_every_violation_query_has_a_case() -> None:
    assert {p.name for p in (ROOT / "queries").glob("*-violation.rq")} == {c.query for c in QUERY_CASES}


@pytest.mark.parametrize("path", sorted((ROOT / "queries").glob("*-violation.rq")), ids=lambda p: p.name)
def test_violation_query_header_prefixes_and_order(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    keys = re.findall(r"^#\+ (\w+):", text, flags=re.MULTILINE)
    for key in ("summary", "description", "params", "message_en", "message_fr"):
        assert key in keys, key
    declared = set(re.findall(r"^PREFIX (\w+):", text, flags=re.MULTILINE))
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    used = set(re.findall(r"\b([a-z]+):\w", body)) - {"http", "https"}
    assert used <= declared
    assert "ORDER BY" in body
    assert re.search(r"SELECT\s+(DISTINCT\s+)?\?focus\b", body)


# ---------------------------------------------------------------------------------------------- command line


def test_cli_default_files_conform(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCMKG_HOME", str(ROOT))
    assert validate_main([]) == 0
    out = capsys.readouterr().out
    summary = out.splitlines()[-1]
    assert "graph/ece-gcm-2024-review-fr.ttl" in summary
    assert ": conforms (0 violations, 0 warnings" in summary
    assert "UnresolvedActor" not in out


def test_cli_unresolved_actor_warns_but_conforms(capsys: pytest.CaptureFixture[str]) -> None:
    assert validate_main([str(BUILT), str(INVALID / "unresolved-actor.ttl")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("warning: Amis de Ruritanie <https://w3id.org/gcmkg/id/unresolved/amis-de-ruritanie>\n")
    assert "The name Amis de Ruritanie matches no State or organisation of the reference graph" in out
    assert "source: paragraph 14 (in ece-gcm-2024-review-fr.md)" in out
    assert out.splitlines()[-1].split(": conforms ")[1].startswith("(0 violations, 1 warning, ")


def without_label(tmp_path: Path) -> Path:
    graph = Graph().parse(BUILT)
    graph.remove((iri(DNK), URIRef("http://www.w3.org/2000/01/rdf-schema#label"), None))
    path = tmp_path / "missing-label.ttl"
    graph.serialize(path, format="turtle")
    return path


@pytest.mark.parametrize(("extra", "focus", "message"), [
    ("missing-label", DNK,
     "Needs an rdfs:label: a string tagged with one of the six UN languages, at most one per language."),
    ("objective-24.ttl", S2,
     "The session covers id:objective/24, which is not one of the 23 GCM objectives (a gcm:Objective numbered 1 to "
     "23)."),
    ("on-behalf-of-organisation.ttl", DNK, "A contribution is made on behalf of States only, but "),
    ("on-behalf-of-undeclared.ttl", DNK,
     "A contribution is made on behalf of States only, but id:state/XXX is not a gcm:State."),
    ("contribution-order-gap.ttl", f"{S2}/contribution/SWE",
     "No contribution to séance thématique 2 has order 19, the place before this one.\n"
     "  source: paragraph 14 (in ece-gcm-2024-review-fr.md) <https://w3id.org/gcmkg/id/review/ece-2024/report/"
     "paragraph/14>\n  shape: queries/contribution-order-gap-violation.rq"),
], ids=["missing-label", "objective-24", "on-behalf-of-organisation", "on-behalf-of-undeclared",
        "contribution-order-gap"])
def test_cli_rejects(extra: str, focus: str, message: str, tmp_path: Path,
                     capsys: pytest.CaptureFixture[str]) -> None:
    files = [without_label(tmp_path)] if extra == "missing-label" else [BUILT, INVALID / extra]
    assert validate_main([str(f) for f in files]) == 1
    out = capsys.readouterr().out
    block = next(b for b in out.split("\nviolation: ") if f"<{iri(focus)}>" in b.splitlines()[0])
    assert message in block
    assert ": does not conform (" in out


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert validate_main([str(BUILT), str(INVALID / "objective-24.ttl"), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["conforms"] is False
    assert report["counts"] == {"Violation": 1, "Warning": 0, "Info": 0}
    [result] = report["results"]
    assert set(result) == {"severity", "focus", "label", "path", "value", "message", "shape", "source"}
    assert result["severity"] == "Violation"
    assert result["focus"] == str(iri(S2))
    assert result["value"] == str(iri("objective/24"))
    assert result["shape"] == str(GCMSH["Session-knownObjective"])
    assert result["source"] == {"iri": str(iri(P14)), "kind": "body", "number": 14,
                                "file": "ece-gcm-2024-review-fr.md", "name": "paragraph 14"}


def test_cli_turtle(capsys: pytest.CaptureFixture[str]) -> None:
    assert validate_main([str(BUILT), str(INVALID / "objective-24.ttl"), "--format", "turtle"]) == 1
    graph = Graph().parse(data=capsys.readouterr().out, format="turtle")
    report = graph.value(predicate=RDF.type, object=SH.ValidationReport)
    assert graph.value(report, SH.conforms) == Literal(False)
    result = graph.value(report, SH.result)
    assert graph.value(result, SH.focusNode) == iri(S2)
    assert graph.value(result, SH.resultSeverity) == SH.Violation
    assert graph.value(result, SH.sourceShape) == GCMSH["Session-knownObjective"]


def test_cli_french(capsys: pytest.CaptureFixture[str]) -> None:
    assert validate_main([str(BUILT), str(INVALID / "objective-24.ttl"), "--lang", "fr"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"violation: séance thématique 2 <{iri(S2)}>\n")
    assert ("  La séance porte sur id:objective/24, qui n'est pas l'un des 23 objectifs du Pacte mondial "
            "(un gcm:Objective numéroté de 1 à 23).\n") in out
    assert "source: paragraphe 14 (dans ece-gcm-2024-review-fr.md)" in out
    assert ": non conforme (1 violation, 0 avertissement, 0 information)" in out


def test_cli_writes_the_report_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.json"
    assert validate_main([str(BUILT), "--format", "json", "-o", str(out)]) == 0
    assert capsys.readouterr().out == ""
    assert json.loads(out.read_text(encoding="utf-8"))["conforms"] is True


@pytest.mark.parametrize(("name", "error"), [
    ("no-such-file.ttl", "no-such-file.ttl: no such file"),
    ("bad-syntax.ttl", "bad-syntax.ttl:5: cannot parse as turtle: Parser error at line 5 column 62: Line jumps are "
                       "not allowed in string literals, use \\n"),
    ("latin1.ttl", "latin1.ttl:4: not UTF-8 (byte 0xE8)"),
])
def test_cli_input_errors(name: str, error: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert validate_main([str(INVALID / name)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"error: {INVALID / name}".removesuffix(name) + error + "\n"
    assert "Traceback" not in captured.err


def test_cli_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        validate_main(["--lang", "de"])
    assert exit_.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
