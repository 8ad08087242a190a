"""The same fact from the French and the English edition of a report gets the same IRI.

The bundled French report (`graph/sources/ece-gcm-2024-review-fr.md`) and its English edition
(`tests/data/reports/ece-gcm-2024-review-en.md`: same paragraph numbers, footnotes and PDF scars, UN English
names, read with `lexicons/en.toml`) are built with `gcmkg build`; the two graphs must name every session,
paragraph, footnote, participation and covered objective alike, differ in their texts only by language, and
merge into one graph whose paragraphs carry one text per language.

The English edition keeps the printed order of each "Substantive contributions were made by" list of the
French edition, so `gcm:order` can be compared. The UN alphabetises such lists in each edition's language:
for two real editions the order is printed position, which need not survive translation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF

from gcmkg.build import build
from gcmkg.convert import Converted, detect_language
from gcmkg.iris import GCM, ID
from gcmkg.lexicon import available, load
from gcmkg.reader import plain

ROOT = Path(__file__).resolve().parents[1]
FRENCH = ROOT / "graph" / "sources" / "ece-gcm-2024-review-fr.md"
ENGLISH = ROOT / "tests" / "data" / "reports" / "ece-gcm-2024-review-en.md"
SESSIONS = (GCM.OpeningSession, GCM.ThematicSession, GCM.ClosingSession)
PARAGRAPHS = (GCM.BodyParagraph, GCM.AnnexParagraph, GCM.Footnote)
# What a participation says besides its label, its function and its name as printed (language-tagged text).
PARTICIPATION_FACTS = (RDF.type, GCM.inEvent, GCM.participant, GCM.onBehalfOf, GCM.order, GCM.affiliation,
                       GCM.representedBy, GCM.statedIn)
Variant = Callable[..., Converted]  # the convert_variant fixture of conftest.py


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Graph]:
    out = tmp_path_factory.mktemp("editions")
    converted = build([FRENCH, ENGLISH], out, ROOT, quiet=True)
    for item in converted:
        # The one warning of both editions: paragraph 5 pairs ("respectively") the EEAS with a unit of the
        # Commission, a pairing the reference graph contradicts (tests/test_fidelity.py).
        unexpected = [w for w in item.warnings
                      if not (w.message.startswith("paragraph 5 gives ") and "org:subOrganizationOf" in w.message)]
        assert not unexpected, (item.source.name, unexpected)
    return {language: Graph().parse(out / f"ece-gcm-2024-review-{language}.ttl", format="turtle")
            for language in ("fr", "en")}


def of_types(graph: Graph, types: tuple[URIRef, ...]) -> set[URIRef]:
    return {s for t in types for s in graph.subjects(RDF.type, t)}


def participations(graph: Graph) -> set[URIRef]:
    return set(graph.subjects(RDF.type, None)) & set(graph.subjects(GCM.inEvent, None))


def links(graph: Graph) -> set[tuple[URIRef, URIRef]]:
    """(paragraph, concept) of every thematic link."""
    return {(graph.value(link, GCM.statedIn), graph.value(link, GCM.linkedConcept))
            for link in graph.subjects(RDF.type, GCM.ThematicLink)}


def test_each_edition_is_read_with_its_own_lexicon() -> None:
    assert detect_language(FRENCH).language == "fr"
    assert detect_language(ENGLISH).language == "en"


def test_the_editions_mint_the_same_iris(editions: dict[str, Graph]) -> None:
    fr, en = editions["fr"], editions["en"]
    assert participations(fr) and participations(en) == participations(fr)
    assert len(of_types(fr, SESSIONS)) == 6 and of_types(en, SESSIONS) == of_types(fr, SESSIONS)
    assert len(of_types(fr, PARAGRAPHS)) == 21 + 40 + 2 and of_types(en, PARAGRAPHS) == of_types(fr, PARAGRAPHS)
    assert set(fr.triples((None, GCM.coversObjective, None)))
    assert set(en.triples((None, GCM.coversObjective, None))) == set(fr.triples((None, GCM.coversObjective, None)))
    assert set(en.subjects(RDF.type, GCM.UnresolvedActor)) == set(fr.subjects(RDF.type, GCM.UnresolvedActor)) == set()


def test_every_participation_says_the_same_in_both_editions(editions: dict[str, Graph]) -> None:
    fr, en = editions["fr"], editions["en"]
    for node in sorted(participations(fr)):
        for prop in PARTICIPATION_FACTS:
            assert set(en.objects(node, prop)) == set(fr.objects(node, prop)), (node, prop)


def test_all_facts_between_nodes_are_shared(editions: dict[str, Graph]) -> None:
    """Every triple whose object is not a language-tagged text is in both graphs, thematic links (below) and
    the report's own language and source file apart."""

    def facts(graph: Graph) -> set[tuple]:
        link_nodes = set(graph.subjects(RDF.type, GCM.ThematicLink))
        files = set(graph.subjects(RDF.type, OWL.Ontology))  # each graph file's own header names the file
        return {(s, p, o) for s, p, o in graph
                if not (isinstance(o, Literal) and o.language)
                and s not in link_nodes and o not in link_nodes and s not in files
                and p not in (DCTERMS.language, DCTERMS.source)}

    fr, en = facts(editions["fr"]), facts(editions["en"])
    assert en - fr == set() and fr - en == set()


def test_paragraph_texts_differ_only_by_language(editions: dict[str, Graph]) -> None:
    fr, en = editions["fr"], editions["en"]
    for paragraph in sorted(of_types(fr, PARAGRAPHS)):
        (fr_text,) = fr.objects(paragraph, GCM.text)
        (en_text,) = en.objects(paragraph, GCM.text)
        assert (fr_text.language, en_text.language) == ("fr", "en"), paragraph
        assert str(fr_text).strip() and str(en_text).strip(), paragraph
        assert fr.value(paragraph, GCM.paragraphNumber) == en.value(paragraph, GCM.paragraphNumber)
        assert fr.value(paragraph, GCM.sequence) == en.value(paragraph, GCM.sequence)
        assert set(fr.objects(paragraph, GCM.hasFootnote)) == set(en.objects(paragraph, GCM.hasFootnote))


def test_merged_editions_give_one_text_per_language(editions: dict[str, Graph]) -> None:
    merged = editions["fr"] + editions["en"]
    paragraphs = of_types(merged, PARAGRAPHS)
    assert paragraphs == of_types(editions["fr"], PARAGRAPHS)  # merging adds no paragraph node
    for paragraph in sorted(paragraphs):
        languages = sorted(t.language for t in merged.objects(paragraph, GCM.text))
        assert languages == ["en", "fr"], paragraph
    for node in participations(merged):
        assert len(set(merged.objects(node, GCM.order))) <= 1, node  # one order, not one per edition
        assert sorted(t.language for t in merged.objects(node, GCM.nameAsPrinted)) == ["en", "fr"], node


def test_thematic_links_largely_agree(editions: dict[str, Graph]) -> None:
    """Annex concepts are found by each language's own [concepts] lexicon, which are not word-for-word
    translations of each other, so the links may differ between editions: ask for a large overlap, not equality."""
    fr, en = links(editions["fr"]), links(editions["en"])
    assert len(fr) > 100 and len(en) > 100
    shared = fr & en
    assert len(shared) >= 0.6 * len(fr), f"{len(shared)} of {len(fr)} French links found in English"
    assert len(shared) >= 0.6 * len(en), f"{len(shared)} of {len(en)} English links found in French"


# ---------------------------------------------------------------- language detection and English wordings

REPORTS = sorted([*(ROOT / "graph" / "sources").glob("*-??.md"),
                  *(ROOT / "tests" / "data" / "reports").glob("*-??.md")])


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.stem)
def test_exactly_one_lexicon_detects_each_report(path: Path) -> None:
    """Lexicons are tried in alphabetical order (en before fr): an English cue must never match a French
    title block, nor the reverse."""
    head = [plain(line) for line in path.read_text(encoding="utf-8").splitlines()[:80] if line.strip()]
    matching = [language for language in available()
                if any(re.search(load(language).data["detect"], line) for line in head)]
    assert matching == [path.stem.rsplit("-", 1)[-1]]


def roles(converted, role: str, event: str):
    return [p for p in converted.extraction.participations if p.role == role and p.event == event]


def test_english_possessive_representative(convert_variant: Variant) -> None:
    converted = convert_variant(ENGLISH, ("was represented by the delegation of the EU to",
                                          "was represented by its delegation to"))
    (eu,) = [p for p in roles(converted, "Attendance", "review") if p.actors[0].iris == (ID["org/eu"],)]
    assert [a.iris for a in eu.represented_by] == [(ID["org/delegation-of-the-european-union-to-the-un-and-other-"
                                                       "international-organisations-in-geneva"],)]


def test_english_replies_by_representatives_of_two_states(convert_variant: Variant) -> None:
    converted = convert_variant(ENGLISH, (
        "Azerbaijan exercised its right of reply.",
        "The representatives of Azerbaijan and Armenia exercised their right of reply."))
    assert [p.actors[0].iris for p in roles(converted, "RightOfReply", "2")] == [(ID["state/AZE"],), (ID["state/ARM"],)]


def test_english_ranges_plural_labels_and_forum_year_after_its_name(convert_variant: Variant) -> None:
    converted = convert_variant(
        ENGLISH, ("objectives 2, 5, 6, 12 and 18", "objectives 2 to 6, 12 and 18"),
        ("*Lead Member State*: Sweden", "*Lead Member States*: Sweden and Finland"),
        ("to the 2026 International Migration Review Forum.", "to the International Migration Review Forum of 2026."))
    assert converted.extraction.sessions[1].objectives == [2, 3, 4, 5, 6, 12, 18]
    assert [p.actors[0].iris for p in roles(converted, "LeadSpeaking", "2")] == [(ID["state/SWE"],), (ID["state/FIN"],)]
    assert converted.extraction.review.feeds.year == 2026


def test_english_statement_on_behalf_of_partner_states_records_the_speaker_only(convert_variant: Variant) -> None:
    converted = convert_variant(ENGLISH, (
        "Denmark, on behalf of Cyprus, France, Malta, Norway, the Netherlands and the United Kingdom",
        "Denmark, on behalf of its partner States"))
    contribution = next(p for p in roles(converted, "Contribution", "2") if p.actors[0].iris == (ID["state/DNK"],))
    assert contribution.on_behalf == []
    assert any("names no state" in str(w) for w in converted.diagnostics.warnings)
