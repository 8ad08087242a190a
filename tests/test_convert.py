"""The converter against facts read by hand from the bundled report and from altered reports of the series.

Each `tests/data/reports/<stem>.md` (and the bundled `graph/sources/*.md`) has a `<stem>.facts.json` written
by a person reading the report; names in it resolve through the reference graph in the report's language
(the keys ending in `_fr` hold names as printed in the report, whatever its language), so the comparison is
by IRI.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from rdflib import URIRef

from gcmkg import iris
from gcmkg.convert import Converted, convert, detect_language, gazetteer_for
from gcmkg.extract import Extractor
from gcmkg.names import Names
from gcmkg.reader import read
from gcmkg.errors import Diagnostics

ROOT = Path(__file__).resolve().parents[1]
FACTS = ROOT / "tests" / "data" / "reports"
REPORTS = sorted(p for p in [*FACTS.glob("*.md"), *(ROOT / "graph" / "sources").glob("*.md")]
                 if (FACTS / f"{p.stem}.facts.json").exists())
PERSON_ROLES = {"OpeningStatement": "opening-statement", "ClosingStatement": "closing-statement",
                "Rapporteuring": "rapporteur", "Moderating": "moderator"}


@pytest.fixture(scope="module", params=REPORTS, ids=lambda p: p.stem)
def case(request: pytest.FixtureRequest) -> tuple[Converted, dict, Names]:
    path: Path = request.param
    converted = convert(path, ROOT)
    facts = json.loads((FACTS / f"{path.stem}.facts.json").read_text(encoding="utf-8"))
    lex = detect_language(path)  # facts names resolve in the report's own language
    document = read(path, lex.pattern("headings", "toc"), lex.pattern("headings", "annex"))
    extractor = Extractor(document, lex, gazetteer_for(ROOT, lex.language), Diagnostics(str(path)))
    resolver = extractor.names
    resolver.commission = extractor.title_block().commission  # regional names resolve per commission
    return converted, facts, resolver


def test_there_are_several_reports_of_the_series() -> None:
    assert len(REPORTS) >= 3, REPORTS


def ids(resolver: Names, names: list[str], unresolved: list[str]) -> list[tuple[URIRef, ...]]:
    """Facts names to IRIs; a name listed as unresolved maps to its unresolved-actor IRI."""
    out = []
    for name in names:
        found = resolver.lookup(name)
        if name in unresolved:
            assert not found, f"{name!r} is listed as unresolved but resolves to {found}"
            found = (iris.unresolved(name),)
        assert found, f"the facts name {name!r} does not resolve through the reference graph"
        out.append(found)
    return out


def actor_ids(actors) -> tuple[URIRef, ...]:
    return tuple(iri for a in actors for iri in (a.iris or (iris.unresolved(a.raw),)))


def of(converted: Converted, role: str, event: str):
    return [p for p in converted.extraction.participations if p.role == role and p.event == event]


def test_review(case) -> None:
    converted, facts, resolver = case
    review, expected = converted.extraction.review, facts["review"]
    assert review.ordinal == expected["ordinal"]
    assert review.date == date.fromisoformat(expected["date"])
    assert review.place.raw == expected["place_fr"]
    assert (review.commission,) == resolver.lookup(expected["commission_fr"])
    assert review.agenda == expected["agenda_symbol"]
    assert review.ngo_count == expected["ngo_count"]
    assert review.ngo_count_minimum == expected.get("ngo_count_is_minimum", review.ngo_count_minimum)
    organisers = [actor_ids(p.actors) for p in of(converted, "JointOrganising", "review")]
    assert organisers == ids(resolver, expected["organisers"], [])


def test_cochairs(case) -> None:
    converted, facts, resolver = case
    chairs = of(converted, "CoChairing", "review")
    assert [p.actors[0].raw for p in chairs] == [c["name"] for c in facts["review"]["cochairs"]]
    assert [p.function for p in chairs] == [c["function"] for c in facts["review"]["cochairs"]]
    assert [actor_ids([p.affiliation]) for p in chairs] == ids(
        resolver, [c["state_fr"] for c in facts["review"]["cochairs"]], [])
    original = {p.actors[0].raw for p in chairs}
    closing = [p for p in of(converted, "CoChairing", "closing") if p.actors[0].raw not in original]
    changes = facts["review"].get("closing_cochair_changes", [])
    assert [p.actors[0].raw for p in closing] == [c["name"] for c in changes]
    assert [actor_ids([p.affiliation]) for p in closing] == ids(resolver, [c["state_fr"] for c in changes], [])


def test_attendance(case) -> None:
    converted, facts, resolver = case
    attendance = [actor_ids(p.actors) for p in of(converted, "Attendance", "review")]
    states = ids(resolver, facts["states_present_fr"], [])
    entities = ids(resolver, facts["un_entities_fr"], [])
    assert [a for a in attendance if a in states] == states
    assert [a for a in attendance if a in entities] == entities


@pytest.mark.parametrize("field", ["objectives", "organisers", "moderator", "lead", "contributors",
                                   "on_behalf", "replies"])
def test_sessions(case, field: str) -> None:
    converted, facts, resolver = case
    unresolved = facts.get("unresolved_names", [])
    sessions = {s.number: s for s in converted.extraction.sessions if s.kind == "thematic"}
    assert sorted(sessions) == [s["number"] for s in facts["sessions"]]
    for expected in facts["sessions"]:
        key = str(expected["number"])
        if field == "objectives":
            assert sessions[expected["number"]].objectives == expected["objectives"]
        elif field == "organisers":
            got = [actor_ids(p.actors) for p in of(converted, "LeadOrganising", key)]
            assert got == ids(resolver, expected["organisers_fr"], unresolved), key
        elif field == "moderator":
            (moderator,) = of(converted, "Moderating", key)
            assert moderator.actors[0].raw == expected["moderator"]["name"]
            assert actor_ids([moderator.affiliation]) == ids(
                resolver, [expected["moderator"]["affiliation_fr"]], [])[0]
        elif field == "lead":
            got = [actor_ids(p.actors) for p in of(converted, "LeadSpeaking", key)]
            assert got == ids(resolver, expected["lead_states_fr"], unresolved), key
        elif field == "contributors":
            contributions = sorted(of(converted, "Contribution", key), key=lambda p: p.order)
            assert [p.order for p in contributions] == list(range(1, len(contributions) + 1))
            got = [actor_ids(p.actors) for p in contributions]
            assert got == ids(resolver, expected["contributors_fr"], unresolved), key
        elif field == "on_behalf":
            got = {(actor_ids(p.actors), actor_ids(p.on_behalf)) for p in of(converted, "Contribution", key) if p.on_behalf}
            want = {(ids(resolver, [g["speaker_fr"]], unresolved)[0],
                     tuple(i for t in ids(resolver, g["represented_fr"], unresolved) for i in t))
                    for g in expected["on_behalf_of"]}
            assert got == want, key
        elif field == "replies":
            got = [actor_ids(p.actors) for p in of(converted, "RightOfReply", key)]
            assert got == ids(resolver, expected["rights_of_reply_fr"], unresolved), key


def test_persons(case) -> None:
    converted, facts, _ = case
    got = {(p.actors[0].raw, PERSON_ROLES[p.role]) for p in converted.extraction.participations
           if p.role in PERSON_ROLES and p.actors[0].person}
    got |= {(p.actors[0].raw, "cochair") for p in of(converted, "CoChairing", "review")}
    assert got == {(p["name"], p["role"]) for p in facts["persons"]}


def test_counts_and_unresolved(case) -> None:
    converted, facts, _ = case
    graph = converted.graph
    from gcmkg.iris import GCM
    from rdflib.namespace import RDF
    assert len(set(graph.subjects(RDF.type, GCM.BodyParagraph))) == facts["body_paragraph_count"]
    assert len(set(graph.subjects(RDF.type, GCM.AnnexParagraph))) == facts["annex_paragraph_count"]
    assert len(set(graph.subjects(RDF.type, GCM.Footnote))) == facts["footnote_count"]
    unresolved = {str(o) for s in graph.subjects(RDF.type, GCM.UnresolvedActor) for o in graph.objects(s, GCM.nameAsPrinted)}
    assert unresolved == set(facts.get("unresolved_names", []))
    warned = " ".join(str(w) for w in converted.diagnostics.warnings)
    for name in unresolved:
        assert name in warned  # an unresolved name is never silent


def test_a_regional_name_resolves_only_for_its_commission() -> None:
    """"Réseau régional des Nations Unies sur les migrations" is the ECE region's network in an ECE report; in an
    ESCAP report the same words mean the Asia-Pacific network, which the reference graph lacks: unresolved and
    warned about, never the European network (gcm:regionalName, gcm:regionOfCommission)."""
    from gcmkg.iris import GCM
    from rdflib.namespace import RDF
    europe = URIRef("https://w3id.org/gcmkg/id/org/regional-un-network-on-migration-for-europe-and-central-asia")
    ece = convert(FACTS / "ece-gcm-2022-review-fr.md", ROOT)
    assert (None, GCM.participant, europe) in ece.graph
    escap = convert(FACTS / "escap-gcm-2025-review-fr.md", ROOT)
    assert not any(escap.graph.triples((None, None, europe)))
    name = "Réseau régional des Nations Unies sur les migrations"
    assert (iris.unresolved(name), RDF.type, GCM.UnresolvedActor) in escap.graph
    warnings = [str(w) for w in escap.diagnostics.warnings if name in str(w)]
    assert warnings and all("Commission économique pour l'Europe" in w and "regionalName" in w for w in warnings)


@pytest.mark.parametrize(("pattern", "text"), [
    (r"(?:des )?migrants", "xdes migrants et des migrants, immigrants"),
    (r"migrations?", "émigrations migration_x migrations"),
    (r"travail", "travail"),
])
def test_whole_words_finds_what_a_look_behind_finds(pattern: str, text: str) -> None:
    import re

    from gcmkg.lexicon import FLAGS, whole_words
    expected = [(m.start(), m.group(0)) for m in re.finditer(rf"(?<!\w)(?:{pattern})(?!\w)", text, FLAGS)]
    found = [(m.start(), m.group(0)) for m in whole_words(re.compile(rf"(?:{pattern})(?!\w)", FLAGS), text)]
    assert found == expected and expected
