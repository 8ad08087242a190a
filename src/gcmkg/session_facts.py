"""Facts about the sessions of a review: their objectives, role lines (organisers, moderators, lead speakers,
contributors, rights of reply), roles given in prose, and the statements of the opening and closing sessions.

A mixin of `extract.Extractor`: it reads the lexicon (`self.lex`), the gazetteer (`self.gaz`), the name
resolver (`self.names`), the grammar patterns (`self.grammar`, `self.verbs`) and the diagnostics (`self.diag`)
that the extractor holds.
"""

from __future__ import annotations

import re

from rdflib import URIRef

from .errors import InputError
from .iris import GCM
from .lexicon import FLAGS
from .names import PAREN_TAIL
from .reader import Paragraph
from .records import Actor, Participation, SessionRecord, Source


ROLE_LINE = re.compile(r"^(?P<label>[^:]{3,80}?)\s*:\s*(?P<value>.*)$")
# A role label is a few words ("Estado miembro que abrió el debate"); text before a colon that is longer is a
# sentence, not a label.
MAX_LABEL_WORDS = 12
# Where a sentence piece ends: a right-of-reply cue is read from the start of each piece.
PIECE_END = re.compile(r"[.;]")
ROLE_CLASSES = {
    "organiser": "LeadOrganising",
    "moderator": "Moderating",
    "lead-speaker": "LeadSpeaking",
    "contributor": "Contribution",
    "right-of-reply": "RightOfReply",
    "rapporteur": "Rapporteuring",  # a person who reports on a discussion, as a moderator is read
}

# Roles whose value is persons with their affiliation ("Name, Org"), not a list of States and organisations.
PERSON_ROLES = ("moderator", "rapporteur")


class SessionFacts:
    """The session-level readings of `extract.Extractor`."""

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
