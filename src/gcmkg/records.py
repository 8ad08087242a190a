"""Plain records passed from the extractor to the emitter: what the report says, resolved to IRIs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from rdflib import URIRef


@dataclass(frozen=True)
class Source:
    """The paragraph a fact comes from, and the line of the report where it is printed."""

    part: str  # "body", "annex" or "footnote"
    number: int
    line: int


@dataclass(frozen=True)
class Actor:
    """A name as printed and what it resolved to: one IRI, several (a joint "A/B" actor), or none."""

    raw: str
    iris: tuple[URIRef, ...]
    line: int
    person: bool = False

    @property
    def resolved(self) -> bool:
        return bool(self.iris)


@dataclass
class Participation:
    role: str  # local name of the gcm:Participation subclass, e.g. "Contribution"
    event: str  # "review", "opening", "closing" or a thematic session number as text
    actors: list[Actor]
    source: Source
    order: int | None = None
    on_behalf: list[Actor] = field(default_factory=list)
    function: str | None = None
    affiliation: Actor | None = None
    represented_by: list[Actor] = field(default_factory=list)
    # A subclass of the role's class the participation is of as well, where the report says in which capacity an
    # actor attended: "ObserverAttendance" or "AssociateMemberAttendance" for the role "Attendance".
    capacity: str | None = None
    office: str | None = None  # an office of the meeting as printed (role "OfficeHolding"): "Vicepresidencias"


@dataclass
class SessionRecord:
    key: str  # "opening", "closing" or the thematic session number as text
    kind: str  # "opening", "thematic" or "closing"
    number: int | None
    title: str
    objectives: list[int] = field(default_factory=list)
    source: Source | None = None


@dataclass
class Decision:
    text: str
    body: Actor
    meeting: int
    date: date
    source: Source
    footnotes: list[int] = field(default_factory=list)


@dataclass
class ForumEdition:
    forum: URIRef
    year: int
    source: Source


@dataclass
class ReviewRecord:
    language: str
    commission: URIRef
    notation: str
    ordinal: int
    date: date
    place: Actor
    title: str
    report_title: str
    symbol: str | None
    title_line: int
    agenda: str | None = None
    agenda_source: Source | None = None
    decision: Decision | None = None
    held_before: ForumEdition | None = None  # a meeting of another series held after the review
    feeds: ForumEdition | None = None
    ngo_count: int | None = None  # the number printed
    ngo_count_minimum: bool = False  # printed as a lower bound ("au moins 65", "more than 65")
    ngo_count_exclusive: bool = False  # a bound the number itself does not reach ("more than 65": 66 or more)
    ngo_source: Source | None = None


@dataclass
class ThematicLink:
    source: Source
    concept: str  # lexicon key, e.g. "theme/diaspora"
    evidence: list[str]


@dataclass
class Extraction:
    review: ReviewRecord
    sessions: list[SessionRecord]
    participations: list[Participation]
    links: list[ThematicLink]
    paragraph_sessions: dict[tuple[str, int], str]  # (part, number) -> session key
    section_keys: dict[int, str]  # section index -> stable key
