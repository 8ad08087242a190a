"""Extract the facts of a review from its document tree: the review, its sessions, who did what.

Everything language-specific comes from the lexicon (cue phrases) and the gazetteer (names);
what is here is the structure common to the reports of the series.
"""

from __future__ import annotations

import re

from rdflib import URIRef

from .errors import Diagnostics, InputError
from .lexicon import Lexicon, whole_words
from .names import Names
from .reader import Document, Paragraph, Section
from .records import Extraction, Participation, SessionRecord, Source, ThematicLink
from .resolve import Gazetteer
from .review_facts import ReviewFacts
from .session_facts import SessionFacts


class Extractor(ReviewFacts, SessionFacts):
    """Reads a document into an `Extraction`: the sections are told apart here, the review's facts by
    `ReviewFacts`, the sessions' by `SessionFacts`."""

    def __init__(self, document: Document, lexicon: Lexicon, gazetteer: Gazetteer, diagnostics: Diagnostics):
        self.doc = document
        self.lex = lexicon
        self.gaz = gazetteer
        self.diag = diagnostics
        self.names = Names(lexicon, gazetteer, diagnostics)
        self.grammar = {key: lexicon.pattern("text", key) for key in
                        ("conjunction", "and_prefix", "definite_article", "singular_article", "plural_article",
                         "verb_inline", "possessive")}
        self.verbs = lexicon.patterns("text", "verbs")

    # ------------------------------------------------------------------ sections

    def classify_sections(self) -> dict[int, tuple[str, str | None]]:
        """Section index -> (context, session key): headings are known by their words, not their level."""
        contexts: dict[int, tuple[str, str | None]] = {}
        chapter: tuple[str, str | None] = ("front", None)
        numbering = self.lex.pattern("headings", "numbering", 0)
        next_letter = "A"
        for section in self.doc.sections:
            heading = section.heading
            numbered = numbering.match(heading)
            label = numbered.group("label") if numbered else None
            session = self.lex.pattern("headings", "session").match(heading)
            number = None
            if session:
                number = int(session.group("number")) if session.group("number") else self.lex.ordinal(session.group("ordinal"))
            if number:
                contexts[section.index] = ("session", str(number))
                continue
            if section.part == "annex":
                contexts[section.index] = ("annex", None)
                continue
            for kind in ("opening", "thematic", "closing", "organisation"):
                if self.lex.pattern("headings", kind).search(heading):
                    chapter = (kind, "opening" if kind == "opening" else "closing" if kind == "closing" else None)
                    break
            else:
                # A single letter is a sub-heading of the chapter ("C. Élection du Bureau" after "B."), even one
                # that is also a Roman numeral; a Roman chapter number or no number at all starts an unknown chapter.
                lettered = label is not None and len(label) == 1 and (label == "A" or label == next_letter)
                if not lettered:
                    self.diag.warn(section.line, f"heading {heading!r} not recognised: its paragraphs are kept, "
                                   "but no roles are read from them")
                    chapter = ("other", None)
            if label is not None and len(label) == 1:
                next_letter = chr(ord(label) + 1)
            contexts[section.index] = chapter
        return contexts

    # ------------------------------------------------------------------ sessions

    # ------------------------------------------------------------------ statements

    # ------------------------------------------------------------------ annex

    def links(self, paragraphs: list[Paragraph]) -> list[ThematicLink]:
        concepts = self.lex.concepts()
        objective_pattern = self.lex.pattern("sessions", "objectives")
        out: list[ThematicLink] = []
        for para in paragraphs:
            src = Source(para.part, para.number, para.line)
            hits: dict[str, list[str]] = {}
            for key, patterns in concepts:
                for pattern in patterns:
                    for m in whole_words(pattern, para.text):
                        words = m.group(0)
                        if words not in hits.setdefault(key, []):
                            hits[key].append(words)
                if key in hits and not hits[key]:
                    del hits[key]
            for m in objective_pattern.finditer(para.text):
                try:
                    numbers = self.number_list(m.group("list"), para.line)
                except InputError:
                    self.diag.warn(para.line, f"annex paragraph {para.number} cites {m.group(0)!r}, not a GCM objective")
                    continue
                for n in numbers:
                    hits.setdefault(f"objective/{n}", [])
                    if m.group(0) not in hits[f"objective/{n}"]:
                        hits[f"objective/{n}"].append(m.group(0))
            for key in sorted(hits):
                out.append(ThematicLink(src, key, hits[key]))
        return out

    # ------------------------------------------------------------------ all

    def run(self) -> Extraction:
        self.represented_functions: dict[str, str] = {}
        self.demonym_chairs: list[tuple[Participation, URIRef]] = []  # statements by a co-chair named by nationality
        review = self.title_block()
        self.names.commission = review.commission
        contexts = self.classify_sections()
        by_section: dict[int, list[Paragraph]] = {}
        for para in self.doc.paragraphs:
            if para.section is not None:
                by_section.setdefault(para.section.index, []).append(para)
        sessions: list[SessionRecord] = [SessionRecord("opening", "opening", None, ""), SessionRecord("closing", "closing", None, "")]
        participations: list[Participation] = []
        paragraph_sessions: dict[tuple[str, int], str] = {}
        section_keys: dict[int, str] = {}
        review_paragraphs: list[Paragraph] = []
        annex_paragraphs: list[Paragraph] = []
        seen_sessions: set[str] = set()
        for section in self.doc.sections:
            context, key = contexts.get(section.index, ("other", None))
            paras = by_section.get(section.index, [])
            section_keys[section.index] = self.section_key(section, context, key)
            for para in paras:
                if key is not None:
                    paragraph_sessions[(para.part, para.number)] = key
            if section.part == "annex":
                annex_paragraphs.extend(paras)
                continue
            if context == "session" and key is not None and paras:
                if key in seen_sessions:
                    raise InputError(self.doc.path, section.line, f"thematic session {key} appears twice")
                seen_sessions.add(key)
                session, found = self.thematic_session(key, section.heading, paras)
                sessions.append(session)
                participations.extend(found)
            elif context in ("opening", "closing"):
                for s in sessions:
                    if s.key == context and not s.title:
                        s.title = section.heading
                        if paras:
                            s.source = Source(paras[0].part, paras[0].number, paras[0].line)
                participations.extend(self.statements(context, paras))
                review_paragraphs.extend(paras)
            elif context != "session":
                if context == "organisation":
                    # The stakeholders' rapporteur may report in the chapter that elects the bureau and adopts the
                    # agenda, before the sessions: read as in the opening chapter, and only that role, whose
                    # paragraph is then about the opening segment.
                    for p in self.statements("opening", paras):
                        if p.role == "Rapporteuring":
                            participations.append(p)
                            paragraph_sessions.setdefault((p.source.part, p.source.number), "opening")
                review_paragraphs.extend(paras)
        section_keys = self.unique_keys(section_keys)
        participations = self.name_demonym_chairs(self.review_facts(review, review_paragraphs) + participations)
        self.check_annex_sessions(annex_paragraphs, paragraph_sessions, seen_sessions)
        thematic = sorted((s for s in sessions if s.kind == "thematic"), key=lambda s: s.number or 0)
        ordered = [sessions[0], *thematic, sessions[1]]
        return Extraction(review, ordered, participations, self.links(annex_paragraphs), paragraph_sessions, section_keys)

    def section_key(self, section: Section, context: str, key: str | None) -> str:
        numbering = self.lex.pattern("headings", "numbering", 0).match(section.heading)
        prefix = "annex-" if section.part == "annex" else ""
        if context == "session" and key:
            return f"{prefix}session-{key}"
        if numbering:
            return f"{prefix}{numbering.group('label').lower()}"
        return f"{prefix}{section.index}"

    def unique_keys(self, keys: dict[int, str]) -> dict[int, str]:
        """Section keys that name one section each: lettered sub-headings restart at "A." in each chapter, so a
        letter used twice is qualified by its chapter's key ("iii-a"); a key still repeated, by its position."""
        counts: dict[str, int] = {}
        for key in keys.values():
            counts[key] = counts.get(key, 0) + 1
        out: dict[int, str] = {}
        chapter = ""
        for index in sorted(keys):
            key = keys[index]
            if counts[key] == 1 or not re.fullmatch(r"(?:annex-)?[a-z]", key):
                if counts[key] == 1 and not re.fullmatch(r"(?:annex-)?[a-z]", key):
                    chapter = key.removeprefix("annex-")
                out[index] = key if counts[key] == 1 else f"{key}-{index}"
                continue
            prefix, _, letter = key.rpartition("-")
            out[index] = f"{prefix + '-' if prefix else ''}{chapter + '-' if chapter else ''}{letter}"
        if len(set(out.values())) < len(out):  # two letters under one chapter twice: positions decide
            out = {index: key if list(out.values()).count(key) == 1 else f"{key}-{index}" for index, key in out.items()}
        return out

    def check_annex_sessions(self, annex: list[Paragraph], paragraph_sessions: dict[tuple[str, int], str],
                             sessions: set[str]) -> None:
        """An annex paragraph under a session the body does not describe is kept, with its text and its thematic
        links, but about no session: linking it to a session that has no other fact would make one up."""
        orphans: dict[str, list[Paragraph]] = {}
        for para in annex:
            key = paragraph_sessions.get((para.part, para.number))
            if key is not None and key not in sessions:
                orphans.setdefault(key, []).append(para)
                del paragraph_sessions[(para.part, para.number)]
        for key, paras in orphans.items():
            numbers = ", ".join(str(p.number) for p in paras)
            self.diag.warn(paras[0].line, f"annex paragraph{'s' if len(paras) > 1 else ''} {numbers} "
                           f"{'are' if len(paras) > 1 else 'is'} under session {key}, which the body of the report "
                           "does not describe; kept with no session")


def extract(document: Document, lexicon: Lexicon, gazetteer: Gazetteer, diagnostics: Diagnostics) -> Extraction:
    return Extractor(document, lexicon, gazetteer, diagnostics).run()
