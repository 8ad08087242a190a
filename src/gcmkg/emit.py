"""Emit the RDF data graph of one report from the extracted records.

Every fact points to the paragraph it came from (`gcm:statedIn`); every paragraph and footnote
keeps its number and full language-tagged text. IRIs come from `iris` only.
"""

from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from . import iris
from .iris import GCM, SCHEMA
from .lexicon import Lexicon
from .reader import Document, Paragraph
from .records import Actor, Extraction, Participation, Source
from .reference import bind
from .resolve import Gazetteer


class Emitter:
    def __init__(self, document: Document, extraction: Extraction, lexicon: Lexicon, gazetteer: Gazetteer):
        self.doc = document
        self.ex = extraction
        self.lex = lexicon
        self.gaz = gazetteer
        self.lang = lexicon.language
        self.labels = lexicon.table("labels")
        self.g = bind(Graph())
        review = extraction.review
        self.review = iris.review(review.notation, review.date.year)
        self.report = iris.report(self.review)
        self.minted: set[URIRef] = set()
        self.suffixes: dict[URIRef, int] = {}  # participation IRI -> the next number to try for a repeat

    def text(self, value: str) -> Literal:
        return Literal(value, lang=self.lang)

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal | None) -> None:
        if o is not None:
            self.g.add((s, p, o))

    def paragraph_iri(self, source: Source) -> URIRef:
        return iris.paragraph(self.review, source.part, source.number)

    def event_iri(self, key: str) -> URIRef:
        return self.review if key == "review" else iris.session(self.review, key)

    # ------------------------------------------------------------------ document

    def document(self) -> None:
        g, review = self.g, self.ex.review
        self.add(self.report, RDF.type, GCM.Report)
        self.add(self.report, GCM.reportOf, self.review)
        self.add(self.report, GCM.title, self.text(review.report_title))
        self.add(self.report, RDFS.label, self.text(review.report_title))
        self.add(self.report, DCTERMS.language, Literal(self.lang))
        self.add(self.report, DCTERMS.source, Literal(self.doc.path.name))
        if review.symbol:
            self.add(self.report, DCTERMS.identifier, Literal(review.symbol))
        for section in self.doc.sections:
            iri = iris.section(self.review, self.ex.section_keys[section.index])
            g.add((iri, RDF.type, GCM.Section))
            g.add((iri, GCM.title, self.text(section.heading)))
            g.add((iri, RDFS.label, self.text(section.heading)))
            g.add((iri, GCM.sequence, Literal(section.index + 1, datatype=XSD.positiveInteger)))
            g.add((self.report, GCM.hasSection, iri))
        ordered = sorted([*self.doc.paragraphs, *self.doc.footnotes], key=lambda p: p.line)
        for sequence, para in enumerate(ordered, start=1):
            self.paragraph(para, sequence)
        for segment in self.doc.loose_text:
            section = next((s for s in reversed(self.doc.sections) if s.line < segment.line), None)
            if section is not None:
                iri = iris.section(self.review, self.ex.section_keys[section.index])
                g.add((iri, GCM.text, self.text(segment.text)))

    def paragraph(self, para: Paragraph, sequence: int) -> None:
        iri = iris.paragraph(self.review, para.part, para.number)
        cls = {"body": GCM.BodyParagraph, "annex": GCM.AnnexParagraph, "footnote": GCM.Footnote}[para.part]
        self.add(iri, RDF.type, cls)
        self.add(iri, RDFS.label, self.text(self.labels[para.part].format(n=para.number)))
        self.add(iri, GCM.paragraphNumber, Literal(para.number, datatype=XSD.positiveInteger))
        self.add(iri, GCM.sequence, Literal(sequence, datatype=XSD.positiveInteger))
        self.add(iri, GCM.text, self.text(para.text))
        self.add(iri, GCM.inReport, self.report)
        self.add(self.report, GCM.hasParagraph, iri)
        if para.section is not None:
            self.add(iri, GCM.inSection, iris.section(self.review, self.ex.section_keys[para.section.index]))
        key = self.ex.paragraph_sessions.get((para.part, para.number))
        if key is not None:
            self.add(iri, GCM.aboutSession, iris.session(self.review, key))
        for call in para.footnote_calls:
            self.add(iri, GCM.hasFootnote, iris.paragraph(self.review, "footnote", call))
        for address in para.urls:  # the web addresses it cites (the reader removed Markdown escapes)
            self.add(iri, DCTERMS.references, URIRef(address))

    # ------------------------------------------------------------------ meeting

    def meeting(self) -> None:
        g, review = self.g, self.ex.review
        r = self.review
        g.add((r, RDF.type, GCM.Review))
        g.add((r, RDFS.label, self.text(review.title or review.report_title)))
        g.add((r, GCM.title, self.text(review.title or review.report_title)))
        g.add((r, GCM.ordinal, Literal(review.ordinal, datatype=XSD.positiveInteger)))
        g.add((r, SCHEMA.startDate, Literal(review.date.isoformat(), datatype=XSD.date)))
        g.add((r, GCM.convenedBy, review.commission))
        g.add((r, GCM.hasReport, self.report))
        g.add((r, GCM.heldIn, self.place(review.place)))
        if review.agenda:
            doc = iris.document(review.agenda)
            g.add((doc, RDF.type, GCM.Document))
            g.add((doc, DCTERMS.identifier, Literal(review.agenda)))
            g.add((doc, RDFS.label, Literal(review.agenda)))
            g.add((doc, GCM.statedIn, self.paragraph_iri(review.agenda_source)))
            g.add((r, GCM.agenda, doc))
        if review.decision:
            d = review.decision
            body = self.actor_iris(d.body, d.source)[0]
            iri = iris.decision(body if d.body.resolved else None, d.body.raw, d.date.isoformat())
            g.add((iri, RDF.type, GCM.Decision))
            g.add((iri, RDFS.label, self.text(d.text)))
            g.add((iri, DCTERMS.date, Literal(d.date.isoformat(), datatype=XSD.date)))
            g.add((iri, DCTERMS.creator, body))
            g.add((iri, GCM.statedIn, self.paragraph_iri(d.source)))
            for call in d.footnotes:
                g.add((iri, DCTERMS.source, iris.paragraph(self.review, "footnote", call)))
            g.add((r, GCM.followsDecision, iri))
        # A forum edition is of the forum's series, never of the review's: the review is held before it
        # (gcm:heldBefore), not its predecessor (gcm:precedes is for the next meeting of the same series).
        for edition, prop in ((review.held_before, GCM.heldBefore), (review.feeds, GCM.contributesTo)):
            if edition is None:
                continue
            iri = iris.forum_edition(edition.forum, edition.year)
            # An edition is a meeting of its series' kind (gcm:Forum), whichever way the review relates to it.
            g.add((iri, RDF.type, self.gaz.kinds.get(edition.forum, GCM.Meeting)))
            g.add((iri, SCHEMA.superEvent, edition.forum))
            forum_label = self.gaz.label(edition.forum, self.lang) or iris.local_key(edition.forum)
            g.add((iri, RDFS.label, self.text(self.labels["forum_edition"].format(forum=forum_label, n=edition.year))))
            g.add((iri, GCM.statedIn, self.paragraph_iri(edition.source)))
            g.add((r, prop, iri))
        if review.ngo_count is not None:
            # gcm:ngoCount with gcm:ngoCountIsMinimum means "at least N": "more than 65" is at least 66.
            count = review.ngo_count + 1 if review.ngo_count_exclusive else review.ngo_count
            g.add((r, GCM.ngoCount, Literal(count, datatype=XSD.nonNegativeInteger)))
            g.add((r, GCM.ngoCountIsMinimum, Literal(review.ngo_count_minimum)))
            g.add((r, GCM.statedIn, self.paragraph_iri(review.ngo_source)))
        for session in self.ex.sessions:
            s = iris.session(self.review, session.key)
            cls = {"opening": GCM.OpeningSession, "closing": GCM.ClosingSession, "thematic": GCM.ThematicSession}[session.kind]
            g.add((s, RDF.type, cls))
            g.add((r, GCM.hasSession, s))
            g.add((s, GCM.sessionOf, r))
            g.add((s, RDFS.label, self.text(self.labels[session.kind].format(n=session.number))))
            if session.title:
                g.add((s, GCM.title, self.text(session.title)))
            if session.number is not None:
                g.add((s, GCM.sessionNumber, Literal(session.number, datatype=XSD.positiveInteger)))
            for n in session.objectives:
                g.add((s, GCM.coversObjective, iris.objective(n)))
            if session.source is not None:
                g.add((s, GCM.statedIn, self.paragraph_iri(session.source)))

    def place(self, place: Actor) -> URIRef:
        if place.resolved:
            return place.iris[0]
        iri = iris.ID[f"place/{iris.slug(place.raw)}"]
        self.g.add((iri, RDF.type, GCM.Place))
        self.g.add((iri, RDFS.label, self.text(place.raw)))
        return iri

    # ------------------------------------------------------------------ actors

    def actor_iris(self, actor: Actor, source: Source) -> list[URIRef]:
        if actor.person:
            iri = iris.person(actor.raw)
            self.add(iri, RDF.type, GCM.Person)
            self.add(iri, FOAF.name, Literal(actor.raw))
            self.add(iri, RDFS.label, Literal(actor.raw))
            return [iri]
        if actor.resolved:
            return list(actor.iris)
        iri = iris.unresolved(actor.raw)
        self.add(iri, RDF.type, GCM.UnresolvedActor)
        self.add(iri, RDFS.label, self.text(actor.raw))
        self.add(iri, GCM.nameAsPrinted, self.text(actor.raw))
        self.add(iri, GCM.statedIn, self.paragraph_iri(source))
        return [iri]

    def participation(self, p: Participation) -> None:
        g = self.g
        event = self.event_iri(p.event)
        actors = [iri for a in p.actors for iri in self.actor_iris(a, p.source)]
        role_slug = re.sub(r"(?<!^)(?=[A-Z])", "-", p.role).lower()
        iri = iris.participation(event, role_slug, [iris.local_key(a) for a in actors])
        # The same role of the same actors again: the first free "-2", "-3", ...; the search resumes where the
        # last one for this IRI stopped (every number below it is taken), so n repeats cost n, not n².
        base = iri
        suffix = self.suffixes.get(base, 2)
        while iri in self.minted:
            iri, suffix = URIRef(f"{base}-{suffix}"), suffix + 1
        self.suffixes[base] = suffix
        self.minted.add(iri)
        g.add((iri, RDF.type, GCM[p.role]))
        if p.capacity:  # also of the subclass that says in which capacity (gcm:ObserverAttendance, ...)
            g.add((iri, RDF.type, GCM[p.capacity]))
        names = ", ".join(a.raw for a in p.actors)
        role = self.labels["roles"][p.capacity or p.role] + (f" ({p.office})" if p.office else "")
        g.add((iri, RDFS.label, self.text(self.labels["participation"].format(role=role, actors=names))))
        if p.office:
            g.add((iri, GCM.office, self.text(p.office)))
        g.add((iri, GCM.inEvent, event))
        if p.role in self.substantive:  # engages the speaker with the session's objectives (the ontology's chain)
            g.add((iri, GCM.substantiveIn, event))
        for actor in actors:
            g.add((iri, GCM.participant, actor))
        g.add((iri, GCM.nameAsPrinted, self.text(names)))
        g.add((iri, GCM.statedIn, self.paragraph_iri(p.source)))
        if p.order is not None:
            g.add((iri, GCM.order, Literal(p.order, datatype=XSD.positiveInteger)))
        for other in p.on_behalf:
            for target in self.actor_iris(other, p.source):
                g.add((iri, GCM.onBehalfOf, target))
        for other in p.represented_by:
            for target in self.actor_iris(other, p.source):
                g.add((iri, GCM.representedBy, target))
        if p.function:
            g.add((iri, GCM.function, self.text(p.function)))
        if p.affiliation is not None:
            for target in self.actor_iris(p.affiliation, p.source):
                g.add((iri, GCM.affiliation, target))

    # ------------------------------------------------------------------ annex

    def links(self) -> None:
        g = self.g
        for link in self.ex.links:
            paragraph = self.paragraph_iri(link.source)
            concept = iris.concept(link.concept)
            iri = iris.thematic_link(paragraph, concept)
            g.add((iri, RDF.type, GCM.ThematicLink))
            concept_label = self.gaz.label(concept, self.lang) or self.concept_label(concept)
            g.add((iri, RDFS.label, self.text(self.labels["link"].format(n=link.source.number, concept=concept_label))))
            g.add((iri, GCM.linkedConcept, concept))
            g.add((iri, GCM.statedIn, paragraph))
            g.add((paragraph, GCM.hasThematicLink, iri))
            for words in link.evidence:
                g.add((iri, GCM.evidence, self.text(words)))

    def concept_label(self, concept: URIRef) -> str:
        return self.concept_labels.get(concept, link_key(concept))

    def run(self, concept_labels: dict[URIRef, str], substantive: frozenset[str]) -> Graph:
        self.concept_labels = concept_labels
        self.substantive = substantive
        self.document()
        self.meeting()
        for p in self.ex.participations:
            self.participation(p)
        self.links()
        return self.g


def link_key(concept: URIRef) -> str:
    return str(concept).removeprefix(str(iris.ID))


def concept_labels(reference: Graph, language: str) -> dict[URIRef, str]:
    labels: dict[URIRef, str] = {}
    for s, o in reference.subject_objects(SKOS.prefLabel):
        if isinstance(s, URIRef) and isinstance(o, Literal) and o.language == language:
            labels[s] = str(o)
    return labels


def substantive_roles(ontology: Graph) -> frozenset[str]:
    """The participation classes the ontology makes gcm:SubstantiveParticipation (contribution, lead speaking):
    the roles that engage a speaker with the objectives of a session."""
    return frozenset(str(c).removeprefix(str(GCM)) for c in ontology.transitive_subjects(RDFS.subClassOf, GCM.SubstantiveParticipation)
                     if str(c).startswith(str(GCM)) and c != GCM.SubstantiveParticipation)


def emit(document: Document, extraction: Extraction, lexicon: Lexicon, gazetteer: Gazetteer,
         labels: dict[URIRef, str], substantive: frozenset[str]) -> Graph:
    return Emitter(document, extraction, lexicon, gazetteer).run(labels, substantive)


def source_file(graph: Graph, stem: str, origin) -> None:
    """What the report graph file says of the file it was read from (an `ingest.Origin`), on the graph's own IRI
    (its owl:Ontology header, which `gcmkg build` writes): `dcterms:source` the file named by its content (an
    RFC 6920 `ni:` IRI: the SHA-256, and the media type as `ct`), and a comment with its name, format and SHA-256
    in hex. The report's `dcterms:source` keeps the file's name. The facts (`convert`) do not depend on it: the
    same report saved as other bytes gives the same facts."""
    if origin is None:
        return
    from . import lexicon
    node = iris.report_graph(stem)
    graph.add((node, DCTERMS.source, URIRef(origin.ni)))
    # In English and French, and in the report's language (dcterms:language of its gcm:Report) if another: the words
    # are each lexicon's [labels] source_file.
    report_languages = {str(o) for s in graph.subjects(RDF.type, GCM.Report) for o in graph.objects(s, DCTERMS.language)}
    for language in sorted({"en", "fr"} | (report_languages & set(lexicon.available()))):
        text = lexicon.load(language).table("labels")["source_file"].format(
            name=origin.name, format=origin.format_name, media_type=origin.media_type, sha256=origin.sha256)
        graph.add((node, RDFS.comment, Literal(text, lang=language)))


