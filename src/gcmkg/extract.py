"""Extract the facts of a review from its document tree: the review, its sessions, who did what.

Everything language-specific comes from the lexicon (cue phrases) and the gazetteer (names);
what is here is the structure common to the reports of the series.
"""

from __future__ import annotations

import re
from datetime import date

from rdflib import URIRef

from .errors import Diagnostics, InputError
from .iris import GCM
from .lexicon import FLAGS, Lexicon, whole_words
from .names import PAREN_TAIL, Names
from .reader import Document, Paragraph, Section, number
from .records import (Actor, Decision, Extraction, ForumEdition, Participation, ReviewRecord,
                      SessionRecord, Source, ThematicLink)
from .resolve import Gazetteer

ROLE_LINE = re.compile(r"^(?P<label>[^:]{3,80}?)\s*:\s*(?P<value>.*)$")
# A role label is a few words ("Estado miembro que abrió el debate"); text before a colon that is longer is a
# sentence, not a label.
MAX_LABEL_WORDS = 12
# Where a sentence piece ends: a right-of-reply cue is read from the start of each piece.
PIECE_END = re.compile(r"[.;]")
# How far before and after a forum's name its cue phrases ([review] precedes, feeds, forum_year, forum_year_before)
# are read, in characters: each name costs this much, however long the sentence.
FORUM_CUE_WINDOW = 400
ROLE_CLASSES = {
    "organiser": "LeadOrganising",
    "moderator": "Moderating",
    "lead-speaker": "LeadSpeaking",
    "contributor": "Contribution",
    "right-of-reply": "RightOfReply",
    "rapporteur": "Rapporteuring",  # a person who reports on a discussion, as a moderator is read
}
# A Markdown table kept in a paragraph's text: its header row and rule ("| Cargo | País miembro | |---|---|"); its rows
# follow, each "| cell | cell |".
TABLE = re.compile(r"\|(?:[^|\n]*\|)+\s*(?P<rule>\|(?:\s*:?-{3,}:?\s*\|)+)")

# Roles whose value is persons with their affiliation ("Name, Org"), not a list of States and organisations.
PERSON_ROLES = ("moderator", "rapporteur")


class Extractor:
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

    # ------------------------------------------------------------------ review

    def parse_date(self, text: str, line: int) -> date:
        match = self.lex.pattern("dates", "date").match(text.strip()) or self.lex.pattern("dates", "inline").search(text)
        if match:
            month = self.lex.month(match.group("month"))
            if month:
                try:
                    return date(int(match.group("year")), month, int(match.group("day")))
                except ValueError:
                    pass
        raise InputError(self.doc.path, line,
                         f"cannot read the date {text!r} (expected e.g. {self.lex.data['examples']['date']})")

    def title_block(self) -> ReviewRecord:
        items = self.doc.title_items
        if not items:
            raise InputError(self.doc.path, 1, "not a GCM review report: no title block "
                             "(commission, review, session ordinal, place and date) before the first heading")
        commission: URIRef | None = None
        ordinal = place_date = None
        title = report_title = symbol = None
        ignore = self.lex.patterns("title_block", "ignore")
        for item in items:
            text = item.text
            if commission is None and (iri := self.gaz.lookup(text, (GCM.RegionalCommission,))) is not None \
                    and self.gaz.kinds.get(iri) == GCM.RegionalCommission:
                commission = iri
            elif (m := self.lex.pattern("title_block", "ordinal_session").match(text)) and self.lex.ordinal(m.group("ordinal")):
                ordinal = (self.lex.ordinal(m.group("ordinal")), item.number)
            elif (m := self.lex.pattern("title_block", "place_date").match(text)):
                place_date = (m.group("place").strip(), m.group("date").strip(), item.number)
            elif self.lex.pattern("title_block", "report_title").search(text):
                report_title = text
            elif self.lex.pattern("title_block", "review_title").search(text):
                title = text
            elif self.lex.pattern("title_block", "symbol", 0).match(text):
                symbol = text
            elif not any(p.search(text) for p in ignore):
                self.diag.warn(item.number, f"title block line not understood, left out of the graph: {text!r}")
        first = items[0].number
        missing = [what for what, value in (("the regional commission", commission), ("the session ordinal", ordinal),
                                            ("the place and date", place_date)) if value is None]
        if missing:
            raise InputError(self.doc.path, first, "not a GCM review report: the title block lacks "
                             + " and ".join(missing) + f" (e.g. {self.lex.data['examples']['title_block']})")
        place_text, date_text, place_line = place_date
        place_iri = self.gaz.lookup(place_text, (GCM.Place,))
        if place_iri is None and (paren := PAREN_TAIL.match(place_text)):  # "Genève (hybride)"
            place_iri = self.gaz.lookup(paren.group("name"), (GCM.Place,))
        if place_iri is None:
            self.diag.warn(place_line, f"unknown place {place_text!r}: kept as an unresolved place")
        notation = self.gaz.notations.get(commission)
        if not notation:
            raise InputError(self.doc.path, first, f"the commission {commission} has no skos:notation in the reference graph")
        return ReviewRecord(
            language=self.lex.language, commission=commission, notation=notation, ordinal=ordinal[0],
            date=self.parse_date(date_text, place_line),
            place=Actor(place_text, (place_iri,) if place_iri else (), place_line),
            title=title or "", report_title=report_title or title or "", symbol=symbol, title_line=first)

    def review_facts(self, review: ReviewRecord, paragraphs: list[Paragraph]) -> list[Participation]:
        out: list[Participation] = []
        for para in paragraphs:
            src = Source(para.part, para.number, para.line)
            prose, before, rows = split_table(para.text)
            for text in self.sentences(prose):
                out.extend(self.review_sentence(review, para, src, text))
            out.extend(self.bureau(para, src, before, rows or self.bureau_lines(para)))
        # An office named twice (in a sentence and in the table of the bureau) is held once.
        seen: set[tuple] = set()
        kept = []
        for p in out:
            key = (p.role, tuple(a.iris or (a.raw,) for a in p.actors), p.office.casefold()) if p.office else None
            if key is None or key not in seen:
                kept.append(p)
                seen.add(key)
        return kept

    def sentences(self, text: str) -> list[str]:
        return [s for s in self.lex.pattern("text", "sentence_end").split(text) if s.strip()]

    def review_sentence(self, review: ReviewRecord, para: Paragraph, src: Source, text: str) -> list[Participation]:
        out: list[Participation] = []
        if m := self.lex.pattern("review", "organisers").search(text):
            for actor in self.names.actors(m.group("list"), para.line, f"the organisers (paragraph {para.number})"):
                out.append(Participation("JointOrganising", "review", [actor], src))
        if m := next((m for p in self.lex.patterns("review", "cochairs") if (m := p.search(text))), None):
            out.extend(self.cochairs(m, para, src))
        if (m := self.lex.pattern("review", "decision").search(text)) and self.readable(m.group("meeting"), para,
                                                                                     "the decision's meeting number"):
            if self.lex.pattern("review", "commission_self").match(m.group("body").strip()):
                body = Actor(m.group("body"), (review.commission,), para.line)
            else:
                body = self.names.actor(m.group("body"), para.line, "the decision's body")
            review.decision = Decision(m.group("text"), body, number(m.group("meeting")),
                                       self.parse_date(m.group("date"), para.line), src, list(para.footnote_calls))
        for m in (m for p in self.lex.patterns("review", "officers") if (m := p.search(text))):
            for actor in self.names.actors(m.group("list"), para.line, f"the officers (paragraph {para.number})"):
                out.append(Participation("OfficeHolding", "review", [actor], src, office=m.group("office").strip()))
            break
        attendances: list[Participation] = []
        if m := self.lex.pattern("review", "attendance_list").search(text):
            for actor in self.names.actors(m.group("list"), para.line, f"the participants (paragraph {para.number})"):
                attendances.append(Participation("Attendance", "review", [actor], src))
        elif m := self.lex.pattern("review", "represented").search(text.rstrip(".")):
            attendances.extend(self.representation(m.group("subject"), m.group("rest"), para, src))
        elif m := next((m for p in self.lex.patterns("review", "attendance_inline") if (m := p.search(text))), None):
            for actor in self.names.actors(m.group("list"), para.line, f"the participants (paragraph {para.number})"):
                attendances.append(Participation("Attendance", "review", [actor], src))
        out.extend(self.capacity(attendances, text, para))
        if (m := self.lex.pattern("review", "ngo_count").search(text)) and self.readable(m.group("count"), para,
                                                                                      "the number of NGOs"):
            review.ngo_count = number(m.group("count"))
            review.ngo_count_minimum = bool(m.group("minimum"))
            review.ngo_count_exclusive = bool(m.groupdict().get("exclusive"))
            review.ngo_source = src
        if m := self.lex.pattern("review", "agenda").search(text):
            review.agenda, review.agenda_source = m.group("symbol").rstrip("."), src
        for start, end, forum in self.gaz.scan(text, (GCM.Forum,)):
            if review.held_before is not None and review.feeds is not None:
                break
            # The text before the name is text[lower:upper], searched in place (pos and endpos), so a search
            # costs the window, not the sentence; the text after it, a slice as long as the window.
            lower, upper = max(0, start - FORUM_CUE_WINDOW), start
            year_match = self.lex.pattern("review", "forum_year").match(text[end: end + FORUM_CUE_WINDOW])
            if year_match is None and (year_before := self.lex.pattern("review", "forum_year_before").search(
                    text, lower, upper)):
                year_match, upper = year_before, year_before.start()  # "the 2026 Forum": the cue is before the year
            if self.lex.pattern("review", "precedes").search(text, lower, upper) and review.held_before is None:
                year = int(year_match.group("year")) if year_match else review.date.year
                review.held_before = ForumEdition(forum, year, src)
            elif self.lex.pattern("review", "feeds").search(text, lower, upper) and review.feeds is None:
                if year_match:
                    review.feeds = ForumEdition(forum, int(year_match.group("year")), src)
                else:
                    self.diag.warn(para.line, "the forum the review feeds is named without a year; not recorded")
        return out

    def capacity(self, attendances: list[Participation], text: str, para: Paragraph) -> list[Participation]:
        """The capacity the sentence gives its attendees, where it names one: associate members of the commission
        (territories: gcm:AssociateMemberAttendance) or observers (gcm:ObserverAttendance). A name that the
        reference graph knows as something other than a territory is not made an associate member (a warning)."""
        if any(p.search(text) for p in self.lex.patterns("review", "associate_members")):
            for p in attendances:
                actor = p.actors[0]
                if all(self.gaz.kinds.get(i) == GCM.Territory for i in actor.iris):
                    p.capacity = "AssociateMemberAttendance"
                else:
                    self.diag.warn(para.line, f"paragraph {para.number} lists {actor.raw!r} among the associate members "
                                   "of the commission, but the reference graph does not know it as a territory "
                                   "(gcm:Territory): kept as a plain attendance")
        elif any(p.search(text) for p in self.lex.patterns("review", "observers")):
            for p in attendances:
                p.capacity = "ObserverAttendance"
        return attendances

    def bureau(self, para: Paragraph, src: Source, before: str, rows: list[list[str]]) -> list[Participation]:
        """The officers of a meeting printed as a table (office | State) or a list ("- Office: State") after text
        that the lexicon says introduces the bureau: one gcm:OfficeHolding a row, a row whose first cell is empty
        holding the office of the row above. A holder printed with its chair in parenthesis ("Co-Chair: Morocco
        (Hakim Benjelloun, Director of ...)") also makes that person a chair (gcm:CoChairing) of the State."""
        if not rows or not any(p.search(before) for p in self.lex.patterns("review", "bureau")):
            return []
        out: list[Participation] = []
        chairs: list[Participation] = []
        office = ""
        for cells in rows:
            office = cells[0] or office
            holder = cells[-1]
            if not office or not holder:
                continue
            person = None
            if (paren := PAREN_TAIL.match(holder.strip())) and self.names.is_name(paren.group("inner").split(",")[0]):
                holder, (name, _, function) = paren.group("name"), paren.group("inner").partition(",")
                person = self.names.person(name, para.line)
            actors = self.names.actors(holder, para.line, f"the officers (paragraph {para.number})")
            for actor in actors:
                out.append(Participation("OfficeHolding", "review", [actor], src, office=office))
            if person and len(actors) == 1 and self.lex.pattern("statements", "cochair").search(office):
                chairs.append(Participation("CoChairing", "review", [person], src,
                                            function=function.strip().rstrip(".") or None, affiliation=actors[0]))
        return out + chairs

    def bureau_lines(self, para: Paragraph) -> list[list[str]]:
        """The bureau printed as a list after its introduction: the paragraph's units after the first that are each
        one "Office: holder" line, as rows (office, holder)."""
        rows: list[list[str]] = []
        for segment in para.segments[1:]:
            m = ROLE_LINE.match(segment.text.strip())
            if m is None or len(m.group("label").split()) > 5 or not m.group("value").strip():
                return []
            rows.append([m.group("label").strip(), m.group("value").strip().rstrip(".;")])
        return rows

    def cochairs(self, m: re.Match[str], para: Paragraph, src: Source) -> list[Participation]:
        """The chairs a sentence names ("co-chaired by A, Minister ..., and B, ..."); a `state` group of the
        lexicon's pattern ("La Presidencia recayó en Chile, cuya delegación ...") is the affiliation of a chair
        whose function names none."""
        out: list[Participation] = []
        state = m.groupdict().get("state")
        for item in self.lex.pattern("review", "cochair_separator").split(m.group("list")):
            name, _, function = item.partition(",")
            if not function and (paren := PAREN_TAIL.match(item.strip())):  # "H.E. Mr. Youssef Al-Khatib (Jordan)"
                name, function = paren.group("name"), paren.group("inner")
            if not self.names.is_name(name):
                self.diag.warn(para.line, f"co-chair {item.strip()!r} not read as a person's name")
            person = self.names.person(name, para.line)
            function = function.strip().rstrip(".") or None
            affiliation = self.names.affiliation(function, para.line)
            if affiliation is None and state:
                affiliation = self.names.actor(state, para.line, f"the chair's State (paragraph {para.number})")
            out.append(Participation("CoChairing", "review", [person], src, function=function, affiliation=affiliation))
        return out

    def readable(self, digits: str, para: Paragraph, what: str) -> bool:
        """Whether a number the lexicon found has at most reader.MAX_DIGITS digits (else a warning: not read)."""
        if number(digits) is not None:
            return True
        self.diag.warn(para.line, f"{what} in paragraph {para.number} has {len(digits)} digits "
                       f"({digits[:12]}...): not read as a number, left out of the graph")
        return False

    def representation(self, subject: str, rest: str, para: Paragraph, src: Source) -> list[Participation]:
        """'X était représentée par A, et B et C par D et E, respectivement' -> attendances with representatives."""
        out: list[Participation] = []
        separator = self.lex.data["review"]["clause_separator"]
        joiner = self.lex.data["review"]["represented_joiner"]
        clauses = [f"{subject}{joiner}{rest.split(separator)[0]}"] + rest.split(separator)[1:]
        for clause in clauses:
            m = self.lex.pattern("review", "represented_clause").match(clause.strip())
            if not m:
                for actor in self.names.actors(clause, para.line, f"paragraph {para.number}"):
                    out.append(Participation("Attendance", "review", [actor], src))
                continue
            subjects = self.names.actors(m.group("subject"), para.line, f"paragraph {para.number}")
            representatives = []
            whole = m.group("representatives")
            items = [whole] if self.possessive_actor(whole, subjects, para.line) else self.names.split_list(whole)
            for item in items:
                possessive = self.lex.pattern("text", "possessive").match(item)
                if possessive:
                    actor = self.possessive_actor(item, subjects, para.line)
                    if actor is None:
                        self.diag.warn(para.line, f"{item!r} (paragraph {para.number}) names no body; "
                                       "the attendance is kept without a representative")
                        continue
                    representatives.append(actor)
                else:
                    representatives.append(self.names.actor(item, para.line, f"paragraph {para.number}"))
            if m.group("respectively") and len(subjects) == len(representatives):
                pairs = [(s, [r]) for s, r in zip(subjects, representatives)]
            else:
                pairs = [(s, representatives) for s in subjects]
            for subject_actor, reps in pairs:
                kept = []
                for rep in reps:
                    parent = self.foreign_unit(subject_actor, rep)
                    if parent is None:
                        kept.append(rep)
                        continue
                    language = self.lex.language
                    reading = f" (read with {m.group('respectively').strip(' ,')!r})" if m.group("respectively") else ""
                    self.diag.warn(para.line, f"paragraph {para.number} gives {rep.raw!r} as the representative of "
                                   f"{subject_actor.raw!r}{reading}, which the reference graph contradicts: "
                                   f"{self.gaz.label(rep.iris[0], language) or rep.raw} is a unit of "
                                   f"{self.gaz.label(parent, language) or parent} (org:subOrganizationOf), not of "
                                   f"{self.gaz.label(subject_actor.iris[0], language) or subject_actor.raw}; "
                                   "the pairing is left out, the attendance is kept")
                out.append(Participation("Attendance", "review", [subject_actor], src, represented_by=kept))
        return out

    def foreign_unit(self, body: Actor, representative: Actor) -> URIRef | None:
        """The organisation `representative` is a unit of, when that rules out its having represented `body`.

        The rule: the reference graph says which bodies are units of a larger organisation (org:subOrganizationOf,
        e.g. a Directorate-General of the European Commission). A unit acts for the organisation it belongs to, so
        it can represent that organisation, or one that organisation is itself part of (a DG of the Commission for
        the Commission or for the European Union), or one of its own units; a body outside that line (the EEAS, a
        State) it cannot represent, and such a pairing is a misreading (e.g. of "respectivement") or a slip of the
        report. Where the reference graph gives the representative no parent, or names neither side, it says
        nothing and the pairing stands."""
        if not body.iris:
            return None
        for rep in representative.iris:
            ancestors = self.gaz.ancestors(rep)
            if not ancestors:
                continue
            if not any(b == rep or b in ancestors or rep in self.gaz.ancestors(b) for b in body.iris):
                return ancestors[0]
        return None

    def possessive_actor(self, text: str, subjects: list[Actor], line: int) -> Actor | None:
        possessive = self.lex.pattern("text", "possessive").match(text)
        if possessive and len(subjects) == 1 and subjects[0].resolved:
            return self.possessive(possessive.group("rest"), subjects[0], line)
        return None

    def possessive(self, rest: str, owner: Actor, line: int) -> Actor | None:
        """'sa délégation auprès de ...' with owner the EU -> 'délégation de l'UE auprès de ...'."""
        head, _, tail = rest.partition(" ")
        names = [n for n in (self.gaz.acronym(owner.iris[0], self.lex.language),
                             self.gaz.label(owner.iris[0], self.lex.language)) if n]
        for name in names:
            for linker in self.lex.words("text", "possessive_linkers"):
                candidate = f"{head} {linker}{name} {tail}".strip()
                iris = self.names.lookup(candidate)
                if iris:
                    return Actor(rest, iris, line)
        return None

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

    def objectives(self, para: Paragraph) -> list[int]:
        numbers: list[int] = []
        for segment in para.segments:
            for m in self.lex.pattern("sessions", "objectives").finditer(segment.text):
                numbers.extend(self.number_list(m.group("list"), segment.line))
            if numbers:
                break
        return sorted(dict.fromkeys(numbers))

    def number_list(self, text: str, line: int) -> list[int]:
        numbers: list[int] = []
        ranges = "|".join(re.escape(w) for w in self.lex.words("text", "range_words"))
        conjunction = self.grammar["conjunction"].pattern  # "17, and 23": a serial comma before the conjunction
        for part in re.split(rf"\s*,(?:{conjunction})?\s*|{conjunction}", text.strip(), flags=FLAGS):
            m = re.fullmatch(rf"(\d+)\s*(?:{ranges})\s*(\d+)", part.strip())
            bounds = (int(m.group(1)), int(m.group(2))) if m else (int(part), int(part)) if part.strip().isdecimal() else None
            if bounds is None:
                continue
            for n in bounds:
                if not 1 <= n <= 23:
                    raise InputError(self.doc.path, line, f"objective {n} does not exist: the GCM has objectives 1 to 23")
            if bounds[0] > bounds[1]:
                raise InputError(self.doc.path, line, f"objective range {part.strip()!r} runs backwards")
            numbers.extend(range(bounds[0], bounds[1] + 1))
        return numbers

    def replies(self, text: str, line: int, context: str) -> tuple[str, list[Actor]]:
        """Remove the right-of-reply sentences from `text`, returning what is left and who replied.

        A reply names its speakers from the start of a sentence piece (after "." or ";", or right after the
        reply before it) up to its cue, so each pattern is tried once at each of those starts (a search from
        every character would read the rest of the piece from each, quadratic in a long paragraph)."""
        found: list[Actor] = []
        for pattern in self.lex.patterns("sessions", "right_of_reply"):
            kept: list[str] = []
            start = position = 0  # text[start:] is not removed; a reply is tried at `position`
            while True:
                m = pattern.match(text, position)
                if m and m.end() > position:
                    found.extend(self.names.actors(m.group("who").strip(), line, context))
                    kept.append(text[start: m.start()])
                    start = position = m.end()
                    continue
                end = PIECE_END.search(text, position)
                if end is None:
                    break
                position = end.end()
            if kept:
                text = re.sub(r"\s*\.\s*\.$", ".", ("".join(kept) + text[start:]).strip())
        return text.strip().rstrip(".").strip(), found

    def thematic_session(self, key: str, title: str, paragraphs: list[Paragraph]) -> tuple[SessionRecord, list[Participation]]:
        number = int(key)
        first = paragraphs[0]
        objectives: list[int] = []
        for para in paragraphs:
            objectives = self.objectives(para)
            if objectives:
                break
        if not objectives:
            raise InputError(self.doc.path, first.line, f"thematic session {number} ({title!r}) names no objectives "
                             f"(expected e.g. {self.lex.data['examples']['objectives']})")
        session = SessionRecord(key, "thematic", number, title, objectives, Source(first.part, first.number, first.line))
        out: list[Participation] = []
        order = 0
        for para in paragraphs:
            src = Source(para.part, para.number, para.line)
            for index, segment in enumerate(para.segments):
                found, order = self.session_segment(key, src, index, segment.text, segment.line, order)
                out.extend(found)
        return session, self.once_each(out)

    @staticmethod
    def once_each(participations: list[Participation]) -> list[Participation]:
        """A role a report gives twice (a label line and a sentence saying the same) is one fact: the first kept.
        Contributions and replies may repeat (an actor may speak twice)."""
        seen: set[tuple] = set()
        out: list[Participation] = []
        for p in participations:
            key = (p.role, tuple((a.raw if a.person else a.iris or a.raw) for a in p.actors))
            if p.role not in ("Contribution", "RightOfReply") and key in seen:
                continue
            seen.add(key)
            out.append(p)
        return out

    def role_line(self, text: str) -> tuple[str, str] | None:
        """(label, value) of a role line: "Label: value", or a sentence that starts with its label ("Interventions
        were made by A, B and C."); None for other text. The label is a few words, not a sentence with a colon."""
        m = ROLE_LINE.match(text)
        if m and len(m.group("label").split()) <= MAX_LABEL_WORDS:
            return m.group("label").strip(), m.group("value")
        for pattern in self.lex.patterns("role_lines", "sentence"):
            if m := pattern.match(text):
                return m.group("label").strip(), m.group("value")
        return None

    def session_segment(self, key: str, src: Source, index: int, text: str, line: int,
                        order: int) -> tuple[list[Participation], int]:
        """The facts of one unit of a session's paragraph: a role line, or prose that may name roles and replies.
        `order` is the number of contributions read so far in the session; the new count is returned with them."""
        context = f"session {key}"
        out: list[Participation] = []
        labelled = self.role_line(text)
        roles = self.lex.role_of(labelled[0]) if labelled else []
        if len(roles) != 1:
            if labelled and len(roles) > 1:
                self.diag.warn(line, f"role label {labelled[0]!r} matches two roles ({', '.join(roles)}); "
                               "the line is kept in the paragraph text only")
            elif index > 0 and labelled and ROLE_LINE.match(text) and len(labelled[0].split()) <= 5 \
                    and not self.lex.pattern("sessions", "objectives").search(text):
                self.diag.warn(line, f"role label {labelled[0]!r} not recognised; "
                               "the line is kept in the paragraph text only")
            rest, repliers = self.replies(text, line, context)
            for role, value in self.prose_roles(rest):
                found, order = self.role_participations(role, role, value, key, src, line, order)
                out.extend(found)
            out.extend(Participation("RightOfReply", key, [actor], src) for actor in repliers)
            return out, order
        role, label = roles[0], labelled[0]
        value, repliers = self.replies(labelled[1], line, context)
        if not value:
            self.diag.warn(line, f"role line {label!r} names nobody")
        else:
            found, order = self.role_participations(role, label, value, key, src, line, order)
            out.extend(found)
        out.extend(Participation("RightOfReply", key, [actor], src) for actor in repliers)
        return out, order

    def role_participations(self, role: str, label: str, value: str, key: str, src: Source, line: int,
                            order: int) -> tuple[list[Participation], int]:
        """The participations a role's value names (`order`: contributions so far in the session, updated)."""
        out: list[Participation] = []
        if role == "contributor":
            for item in self.contribution_items(value):
                order += 1
                out.append(self.contribution(item, key, src, order, line))
        elif role in PERSON_ROLES:
            out.extend(self.moderator(item, key, src, line, ROLE_CLASSES[role]) for item in self.moderator_items(value))
        else:
            for actor in self.names.actors(value, line, f"session {key}, {label}"):
                out.append(Participation(ROLE_CLASSES[role], key, [actor], src))
        return out, order

    def prose_roles(self, text: str) -> list[tuple[str, str]]:
        """(role, names) that sentences give in prose ("The session was moderated by X of Y.", "Chile and Peru
        made statements."), as the lexicon's [prose_roles] find them, one sentence at a time. A list of States
        and organisations of which no name is known is no role (the subject of an ordinary sentence)."""
        out: list[tuple[str, str]] = []
        patterns = self.lex.prose_roles()
        for sentence in self.sentences(text) if patterns else []:
            found: set[str] = set()  # a sentence gives a role once: the first of its patterns that reads it
            for role, pattern in patterns:
                m = pattern.search(sentence) if role not in found else None
                if m is None or role not in ROLE_CLASSES:
                    continue
                if role in PERSON_ROLES or any(self.names.lookup(item) for item in self.names.split_list(m.group("list"))):
                    out.append((role, m.group("list")))
                    found.add(role)
        return out

    def moderator_items(self, value: str) -> list[str]:
        """One item per moderator: "A, Org, and B, Org" is two; a piece that does not start with a person's name
        belongs to the item before it (an organisation whose name holds the separator)."""
        items: list[str] = []
        for part in re.split(r"\s*;\s*", value):
            for piece in self.lex.pattern("text", "moderator_separator").split(part):
                head = re.split(r",|\(", piece, maxsplit=1)[0]
                if items and not self.names.is_name(self.person_name(head)):
                    items[-1] += self.lex.data["text"]["moderator_joiner"] + piece
                elif piece.strip():
                    items.append(piece)
        return items

    def person_name(self, text: str) -> str:
        """The name in "Claudia Moser of the ICMPD" (before the lexicon's person_affiliation words)."""
        parts = self.lex.pattern("text", "person_affiliation").split(text, maxsplit=1)
        return parts[0] if self.names.is_name(parts[0]) else text

    def contribution_items(self, value: str) -> list[str]:
        if ";" in value:
            return [item.strip() for item in value.split(";") if item.strip()]
        return self.names.split_list(value)

    def contribution(self, item: str, key: str, src: Source, order: int, line: int) -> Participation:
        speaker, *rest = re.split(self.lex.data["text"]["on_behalf"], item, maxsplit=1, flags=FLAGS)
        represented: list[Actor] = []
        if rest and rest[0].rstrip().endswith(")") and rest[0].count(")") > rest[0].count("("):
            rest[0] = rest[0].rstrip()[:-1]  # "Luxembourg (on behalf of Belgium and the Netherlands)"
        if rest:
            for item in self.names.split_list(rest[0]):
                if self.grammar["possessive"].match(self.names.strip_articles(item)) or self.grammar["possessive"].match(item):
                    self.diag.warn(line, f"session {key}: {speaker.strip()} spoke on behalf of {item!r}, "
                                   "which names no state; only the speaker is recorded")
                    continue
                represented.append(self.names.actor(item, line, f"session {key}, on behalf of"))
        actor = self.names.actor(speaker.strip().rstrip(","), line, f"session {key}, contributions")
        return Participation("Contribution", key, [actor], src, order=order, on_behalf=represented)

    def moderator(self, item: str, key: str, src: Source, line: int, role: str = "Moderating") -> Participation:
        """A moderator (or a session's rapporteur, `role`) as printed: "Name, function, Org", "Name (Org)" or
        "Name of the Org"."""
        name, _, function = item.partition(",")
        if not function and (of := self.lex.pattern("text", "person_affiliation").search(item)) \
                and self.names.is_name(item[: of.start()]):  # "Claudia Moser of the ICMPD"
            name, function = item[: of.start()], item[of.end():]
        paren = PAREN_TAIL.match(item.strip())
        if not function and paren:  # "Susan Fratzke (Migration Policy Institute)"
            name, function = paren.group("name"), paren.group("inner")
        function = function.strip() or None
        if not self.names.is_name(name):
            self.diag.warn(line, f"moderator {name.strip()!r} not read as a person's name; kept as printed")
        affiliation = self.names.affiliation(function, line) or self.unknown_body(function, line, f"session {key}, moderator")
        return Participation(role, key, [self.names.person(name, line)], src, function=function,
                             affiliation=affiliation)

    def unknown_body(self, function: str | None, line: int, context: str) -> Actor | None:
        """The body a function ends with when the reference graph does not know it ("M. Tarek Haddad, Observatoire
        arabe des migrations"): its last piece, when that is a name and not a post ("Policy Adviser"), becomes an
        unresolved actor (with the usual warning) rather than no affiliation at all."""
        if not function:
            return None
        piece = function.rsplit(",", 1)[-1].strip()
        words = {w.strip("()").casefold() for w in piece.split()}
        if not piece[:1].isupper() or words & self.names.function_words or self.names.is_name(piece):
            return None
        return self.names.actor(piece, line, context)

    # ------------------------------------------------------------------ statements

    def statements(self, event: str, paragraphs: list[Paragraph]) -> list[Participation]:
        """Opening and closing chapters: the speaker(s) of each paragraph, their function and capacity. The first
        sentence names the speaker; a later sentence whose subject is another person's name ("In a video message,
        the Deputy Director General of IOM, Kwame Asante-Boateng, urged ...") adds a speaker."""
        out: list[Participation] = []
        for para in paragraphs:
            text = para.segments[0].text if para.segments else ""
            seen: set[str] = set()
            for position, sentence in enumerate(self.sentences(text) or [text]):
                found = self.sentence_speakers(event, para, self.passive_statement(sentence), first=position == 0)
                found = [p for p in found if p.role == "CoChairing" or p.actors[0].raw not in seen]
                seen.update(p.actors[0].raw for p in found)
                out.extend(found)
        return out

    def passive_statement(self, sentence: str) -> str:
        """"Closing remarks were delivered by A, speaking for B, ..." -> "A, speaking for B, ...": the speaker
        becomes the subject, as in the active sentences the statements are read from."""
        for pattern in self.lex.patterns("statements", "passive"):
            if m := pattern.match(sentence):
                return sentence[m.end():]
        return sentence

    def sentence_speakers(self, event: str, para: Paragraph, sentence: str, first: bool) -> list[Participation]:
        out: list[Participation] = []
        cochair = self.lex.pattern("statements", "cochair")
        rapporteur = self.lex.pattern("statements", "rapporteur")
        on_behalf = self.lex.pattern("statements", "on_behalf_person")
        statement = "OpeningStatement" if event == "opening" else "ClosingStatement"
        src = Source(para.part, para.number, para.line)
        segments = self.subject_segments(sentence)
        names = [i for i, s in enumerate(segments) if self.names.is_name(self.grammar["and_prefix"].sub("", s))]
        if not names:
            if chair := self.chair_by_demonym(segments, cochair):
                placeholder = Participation(statement, event, [Actor("", (), para.line, person=True)], src)
                self.demonym_chairs.append((placeholder, chair))
                out.append(placeholder)
            return out
        represented: Actor | None = None
        speakers: list[tuple[Actor, str | None, bool]] = []
        plural_cochairs = False
        for position, index in enumerate(names):
            name_text = self.grammar["and_prefix"].sub("", segments[index])
            next_name = names[position + 1] if position + 1 < len(names) else len(segments)
            following = [s for s in segments[index + 1: next_name]
                         if not (self.grammar["definite_article"].match(s) and next_name < len(segments))]
            before = segments[index - 1] if index > 0 else ""
            function = ", ".join(following) if following else None
            article = self.grammar["definite_article"]
            lead = article.sub("", before) if article.match(before) else None
            plural = bool(self.grammar["plural_article"].match(before))
            if before and on_behalf.search(before):
                person = self.names.person(name_text, para.line)
                represented = person
                self.represented_functions[person.raw] = on_behalf.split(before, maxsplit=1)[-1]
                continue
            if lead and plural and cochair.search(before):
                plural_cochairs = True
            if function is None and lead and not plural:
                function = lead
            is_cochair = plural_cochairs or bool(lead and cochair.search(lead)) or bool(function and cochair.match(function))
            speakers.append((self.names.person(name_text, para.line), function if function else lead, is_cochair))
        for person, function, is_cochair in speakers:
            affiliation = self.names.affiliation(function, para.line) or self.names.affiliation(
                self.lead_of(segments, person.raw), para.line) or (self.later_subject(para) if first else None)
            role = "Rapporteuring" if function and rapporteur.search(function) else statement
            out.append(Participation(role, event, [person], src, function=function, affiliation=affiliation,
                                     on_behalf=[represented] if represented else []))
            if is_cochair:
                out.append(Participation("CoChairing", event, [person], src, function=function, affiliation=affiliation))
        return out

    def chair_by_demonym(self, segments: list[str], cochair: re.Pattern[str]) -> URIRef | None:
        """The State of a co-chair the sentence names only by demonym ("The Portuguese Co-Chair observed ...")."""
        for segment in segments:
            if not cochair.search(segment):
                continue
            for word in re.findall(r"\w[\w-]*", segment):
                if (state := self.gaz.demonym(word)) is not None:
                    return state
        return None

    def name_demonym_chairs(self, participations: list[Participation]) -> list[Participation]:
        """Put the co-chair of each demonym's State in the statements that name the co-chair only so; a State with
        no co-chair (or two) is a warning and the statement is left out."""
        chairs: dict[URIRef, list[Participation]] = {}
        for p in participations:
            if p.role == "CoChairing" and p.event == "review" and p.affiliation is not None:
                for iri in p.affiliation.iris:
                    chairs.setdefault(iri, []).append(p)
        dropped: list[Participation] = []
        placeholders = {id(p) for p, _ in self.demonym_chairs}
        named = {(p.event, p.source.part, p.source.number, p.actors[0].raw) for p in participations
                 if p.role in ("OpeningStatement", "ClosingStatement") and id(p) not in placeholders}
        for placeholder, state in self.demonym_chairs:
            found = chairs.get(state, [])
            src = placeholder.source
            if len(found) == 1 and (placeholder.event, src.part, src.number, found[0].actors[0].raw) in named:
                dropped.append(placeholder)  # the paragraph names that co-chair too: one statement, not two
            elif len(found) == 1:
                chair = found[0]
                placeholder.actors = list(chair.actors)
                placeholder.function, placeholder.affiliation = chair.function, chair.affiliation
            else:
                self.diag.warn(placeholder.source.line, f"paragraph {placeholder.source.number} names a co-chair by "
                               f"nationality only ({self.gaz.label(state, self.lex.language) or state}), and the "
                               "report elects no one co-chair of that State; the statement is left out")
                dropped.append(placeholder)
        return [p for p in participations if not any(p is d for d in dropped)]

    def lead_of(self, segments: list[str], name: str) -> str | None:
        """The description before a name ("The Regional Director of IOM for South-Eastern Europe, Eastern Europe and
        Central Asia, Marco Ferrante"): from the nearest piece that starts with an article, whose own commas
        split it, up to the name."""
        for i, s in enumerate(segments):
            if name not in s or i == 0:
                continue
            for start in range(i - 1, -1, -1):
                if self.names.is_name(segments[start]):
                    break  # another speaker's name: the description is not this one's
                if self.grammar["singular_article"].match(segments[start]):
                    return ", ".join(segments[start:i])
        return None

    def later_subject(self, para: Paragraph) -> Actor | None:
        """'Le HCDH a également appelé ...': an organisation that is the subject of a later sentence."""
        for m in self.lex.pattern("text", "subject_sentence", 0).finditer(para.text):
            iris = self.names.lookup(m.group(1))
            if iris and self.gaz.family(iris[0]) == GCM.Organisation:
                return Actor(m.group(1), iris, para.line)
        return None

    def subject_segments(self, sentence: str) -> list[str]:
        """The comma-separated pieces of a sentence before its main verb."""
        out: list[str] = []
        relative = self.lex.patterns("text", "relative_clause")
        for piece in re.split(r",\s+", sentence):
            if any(r.match(piece) for r in relative):  # "who served as rapporteur": part of the subject
                if self.lex.pattern("statements", "rapporteur").search(piece):
                    out.append(piece.strip())
                    continue
                break
            if any(v.match(piece) for v in self.verbs):
                break
            cut = self.grammar["verb_inline"].search(piece)
            if cut and not self.names.is_name(piece):
                head = piece[: cut.start()].strip()
                if head:
                    out.append(head)
                break
            out.append(piece.strip())
        return out

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


def split_table(text: str) -> tuple[str, str, list[list[str]]]:
    """A paragraph's text without the Markdown table the reader kept in it (its rows one after the other), the
    text before the table, and the table's body rows as lists of cells; no rows when there is no table."""
    table = TABLE.search(text)
    if table is None:
        return text, text, []
    row = re.compile(r"\s*\|((?:[^|]*\|){%d})" % (table.group("rule").count("|") - 1))
    rows, end = [], table.end()
    while m := row.match(text, end):
        rows.append([cell.strip() for cell in m.group(1).split("|")[:-1]])
        end = m.end()
    return text[:table.start()] + " " + text[end:], text[:table.start()], rows
