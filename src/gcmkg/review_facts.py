"""Facts about a review as a whole, read from its title block and its organisational chapters: the meeting,
who attended and in which capacity, the bureau (co-chairs and other officers) and who represented whom.

A mixin of `extract.Extractor`: it reads the lexicon (`self.lex`), the gazetteer (`self.gaz`), the name
resolver (`self.names`) and the diagnostics (`self.diag`) that the extractor holds.
"""

from __future__ import annotations

import re
from datetime import date

from rdflib import URIRef

from .errors import InputError
from .iris import GCM
from .names import PAREN_TAIL
from .reader import Paragraph, number
from .records import Actor, Decision, ForumEdition, Participation, ReviewRecord, Source
from .session_facts import ROLE_LINE


# How far before and after a forum's name its cue phrases ([review] precedes, feeds, forum_year, forum_year_before)
# are read, in characters: each name costs this much, however long the sentence.
FORUM_CUE_WINDOW = 400
# A Markdown table kept in a paragraph's text: its header row and rule ("| Cargo | País miembro | |---|---|"); its rows
# follow, each "| cell | cell |".
TABLE = re.compile(r"\|(?:[^|\n]*\|)+\s*(?P<rule>\|(?:\s*:?-{3,}:?\s*\|)+)")


class ReviewFacts:
    """The review-level readings of `extract.Extractor`."""

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
