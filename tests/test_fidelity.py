"""Fidelity of the graph to what the report says, where a literal reading goes wrong.

Found by reading the graph built from the bundled report against the report itself:

* a "represented by" pairing that the reference graph contradicts (a unit of the European Commission given,
  through "respectivement", as the representative of the EEAS) is a warning with file and line, not a fact;
* "plus de 65" / "more than 65" organisations is at least 66 (gcm:ngoCount with gcm:ngoCountIsMinimum means
  "at least N"); "au moins 65" / "at least 65" is at least 65;
* a URL in a footnote or a paragraph is stored as an IRI (dcterms:references), without the Markdown escapes of
  the PDF conversion ("item%20202%20\\_EXCOM");
* a review held before a forum of another series is gcm:heldBefore it, not gcm:precedes (same series only);
* every forum edition is a gcm:Forum, whether the review is held before it or feeds it.

Each fact is checked on the bundled French report, on its English edition, and on other wordings (copies of
the reports with one phrase changed, see conftest.convert_variant).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from gcmkg import iris
from gcmkg.convert import Converted, convert
from gcmkg.iris import GCM, ID

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "graph" / "sources" / "ece-gcm-2024-review-fr.md"
ENGLISH = ROOT / "tests" / "data" / "reports" / "ece-gcm-2024-review-en.md"
EDITIONS = [BUNDLED, ENGLISH]
Variant = Callable[..., Converted]  # the convert_variant fixture of conftest.py

REVIEW = ID["review/ece-2024"]
EU, EC, EEAS = ID["org/eu"], ID["org/ec"], ID["org/eeas"]
DG_HOME, DG_NEAR = ID["org/dg-home"], ID["org/dg-near"]
EU_DELEGATION = ID["org/delegation-of-the-european-union-to-the-un-and-other-international-organisations-in-geneva"]
RFSD_2024, IMRF_2026 = ID["forum/rfsd-ece/2024"], ID["forum/imrf/2026"]
NON_NEGATIVE = URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")
FOOTNOTE_1_URL = URIRef("https://unece.org/sites/default/files/2023-06/item%20202%20_EXCOM%20Conclu-128.pdf")
FOOTNOTE_2_URL = URIRef("https://migrationnetwork.un.org/system/files/docs/Summary%20report%20for%20the%20UNECE%20"
                        "Stakeholder%20Pre-consultation%20-%20November%202023%20%20%281%29.pdf")


@pytest.fixture(scope="module", params=EDITIONS, ids=lambda p: p.stem)
def edition(request: pytest.FixtureRequest) -> Converted:
    return convert(request.param, ROOT)


def represented_by(converted: Converted) -> dict[URIRef, set[URIRef]]:
    """Attendee -> the bodies that represented it, as the graph states them."""
    g = converted.graph
    out: dict[URIRef, set[URIRef]] = {}
    for attendance in g.subjects(RDF.type, GCM.Attendance):
        for attendee in g.objects(attendance, GCM.participant):
            out.setdefault(attendee, set()).update(g.objects(attendance, GCM.representedBy))
    return out


def paragraph_line(path: Path, number: int) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if line.startswith(f"{number}. "))


def pairing_warnings(converted: Converted) -> list:
    return [w for w in converted.diagnostics.warnings if "org:subOrganizationOf" in w.message]


# ---------------------------------------------------------------- 1. represented by

def test_a_unit_of_the_commission_is_not_recorded_as_the_eeas_representative(edition: Converted) -> None:
    got = represented_by(edition)
    assert EEAS in got, "the EEAS still attended"
    assert got[EEAS] == set()
    assert got[EC] == {DG_NEAR}
    assert got[EU] == {EU_DELEGATION}
    assert not any(DG_HOME in reps for reps in got.values())


def test_the_contradicted_pairing_is_a_warning_with_file_and_line(edition: Converted) -> None:
    (warning,) = pairing_warnings(edition)
    assert warning.file == str(edition.source)
    assert warning.line == paragraph_line(edition.source, 5)
    assert str(warning).startswith(f"{edition.source}:{warning.line}: paragraph 5 ")
    english = edition.source == ENGLISH
    assert ("Directorate-General for Migration and Home Affairs is a unit of European Commission" if english
            else "Direction générale de la migration et des affaires intérieures is a unit of Commission européenne") \
        in warning.message
    assert ("'respectively'" if english else "'respectivement'") in warning.message


def test_a_unit_represents_its_own_organisation_and_the_one_above_it(convert_variant: Variant) -> None:
    """The European Union represented by a Directorate-General: the Commission it belongs to is part of the
    Union, so the pairing stands, and nothing is warned."""
    converted = convert_variant(BUNDLED, (
        "L'Union européenne (UE) était représentée par la délégation de l'UE auprès de l'Organisation des Nations "
        "Unies et d'autres organisations internationales à Genève, et le Service européen pour l'action extérieure "
        "et la Commission européenne par la Direction générale Migration et affaires intérieures et la Direction "
        "générale du voisinage et des négociations d'élargissement, respectivement.",
        "L'Union européenne (UE) était représentée par la Direction générale Migration et affaires intérieures, "
        "et la Commission européenne par la Direction générale du voisinage et des négociations d'élargissement."))
    got = represented_by(converted)
    assert got[EU] == {DG_HOME}
    assert got[EC] == {DG_NEAR}
    assert pairing_warnings(converted) == []


def test_both_units_kept_for_the_commission_in_english(convert_variant: Variant) -> None:
    converted = convert_variant(ENGLISH, (
        "and the European External Action Service and the European Commission by the Directorate-General for "
        "Migration and Home Affairs and the Directorate-General for Neighbourhood and Enlargement Negotiations, "
        "respectively.",
        "and the European Commission by the Directorate-General for Migration and Home Affairs and the "
        "Directorate-General for Neighbourhood and Enlargement Negotiations."))
    assert represented_by(converted)[EC] == {DG_HOME, DG_NEAR}
    assert pairing_warnings(converted) == []


def test_a_state_represented_by_a_unit_of_the_commission_is_a_warning(convert_variant: Variant) -> None:
    converted = convert_variant(ENGLISH, (
        "and the European External Action Service and the European Commission by",
        "and Ukraine and the European Commission by"))
    got = represented_by(converted)
    assert got[iris.state("UKR")] == set()
    assert got[EC] == {DG_NEAR}
    (warning,) = pairing_warnings(converted)
    assert "not of Ukraine" in warning.message


# ---------------------------------------------------------------- 2. NGO count

def ngo(converted: Converted) -> tuple[Literal | None, Literal | None]:
    g = converted.graph
    return g.value(REVIEW, GCM.ngoCount), g.value(REVIEW, GCM.ngoCountIsMinimum)


def test_more_than_65_organisations_is_at_least_66(edition: Converted) -> None:
    assert ngo(edition) == (Literal(66, datatype=NON_NEGATIVE), Literal(True))
    assert edition.extraction.review.ngo_count == 65  # the record keeps the number printed


@pytest.mark.parametrize("report, old, new, count, minimum", [
    (BUNDLED, "plus de 65 organisations", "au moins 65 organisations", 65, True),
    (BUNDLED, "plus de 65 organisations", "65 organisations", 65, False),
    (ENGLISH, "more than 65 non-governmental", "over 65 non-governmental", 66, True),
    (ENGLISH, "more than 65 non-governmental", "at least 65 non-governmental", 65, True),
    (ENGLISH, "more than 65 non-governmental", "65 non-governmental", 65, False),
], ids=["fr-au-moins", "fr-exact", "en-over", "en-at-least", "en-exact"])
def test_ngo_count_wordings(convert_variant: Variant, report: Path, old: str, new: str, count: int,
                            minimum: bool) -> None:
    converted = convert_variant(report, (old, new))
    assert ngo(converted) == (Literal(count, datatype=NON_NEGATIVE), Literal(minimum))


# ---------------------------------------------------------------- 3. URLs

def test_footnote_urls_are_iris_without_markdown_escapes(edition: Converted) -> None:
    g = edition.graph
    footnote = iris.paragraph(REVIEW, "footnote", 1)
    assert set(g.objects(footnote, DCTERMS.references)) == {FOOTNOTE_1_URL}
    assert set(g.objects(iris.paragraph(REVIEW, "footnote", 2), DCTERMS.references)) == {FOOTNOTE_2_URL}
    assert "\\" not in str(g.value(footnote, GCM.text))
    assert str(FOOTNOTE_1_URL) in str(g.value(footnote, GCM.text))
    assert all(isinstance(o, URIRef) and "\\" not in o for o in g.objects(None, DCTERMS.references))


def test_a_url_in_a_paragraph_is_an_iri(convert_variant: Variant) -> None:
    converted = convert_variant(BUNDLED, (
        "peut être consultée sur le site Web de la réunion régionale.",
        "peut être consultée sur le site Web de la réunion régionale (https://unece.org/gcm\\\\_review\\_2024), "
        "ainsi que sur [la page du Réseau](https://migrationnetwork.un.org/ece\\_review)."))
    g = converted.graph
    paragraph = iris.paragraph(REVIEW, "body", 7)
    assert set(g.objects(paragraph, DCTERMS.references)) == {
        URIRef("https://unece.org/gcm_review_2024"), URIRef("https://migrationnetwork.un.org/ece_review")}
    text = str(g.value(paragraph, GCM.text))
    assert "(https://unece.org/gcm_review_2024), ainsi que sur la page du Réseau." in text


# ---------------------------------------------------------------- 4. and 5. forums

def test_the_review_is_held_before_the_regional_forum_not_its_predecessor(edition: Converted) -> None:
    g = edition.graph
    assert set(g.objects(REVIEW, GCM.heldBefore)) == {RFSD_2024}
    assert set(g.objects(REVIEW, GCM.contributesTo)) == {IMRF_2026}
    assert list(g.subject_objects(GCM.precedes)) == []  # no meeting of the review's series is named


def test_every_forum_edition_is_a_forum(edition: Converted) -> None:
    g = edition.graph
    editions = set(g.subjects(URIRef("https://schema.org/superEvent"), None))
    assert editions == {RFSD_2024, IMRF_2026}
    for meeting in editions:
        assert (meeting, RDF.type, GCM.Forum) in g, meeting


def test_held_before_in_another_english_wording(convert_variant: Variant) -> None:
    converted = convert_variant(ENGLISH, ("ahead of the Regional Forum", "prior to the Regional Forum"))
    g = converted.graph
    assert set(g.objects(REVIEW, GCM.heldBefore)) == {RFSD_2024}
    assert (RFSD_2024, RDF.type, GCM.Forum) in g
    assert list(g.subject_objects(GCM.precedes)) == []


def test_the_ontology_declares_what_the_graph_uses() -> None:
    """gcm:heldBefore, dcterms:references and org:subOrganizationOf are declared, with labels and definitions
    in English and French (the build's OWL 2 DL profile needs every property declared)."""
    from rdflib import Graph
    from rdflib.namespace import OWL, RDFS, SKOS
    ontology = Graph().parse(ROOT / "ontology" / "gcm.owl.ttl")
    for term, kind in ((GCM.heldBefore, OWL.ObjectProperty), (DCTERMS.references, OWL.AnnotationProperty),
                       (URIRef("http://www.w3.org/ns/org#subOrganizationOf"), OWL.ObjectProperty)):
        assert (term, RDF.type, kind) in ontology, term
        for prop in (RDFS.label, SKOS.definition):
            assert {o.language for o in ontology.objects(term, prop)} >= {"en", "fr"}, (term, prop)
