"""Wordings other reports of the series use, each applied to a copy of the bundled report.

One replacement per case, so a failure names the wording the converter does not read.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gcmkg import iris
from gcmkg.convert import Converted

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "graph" / "sources" / "ece-gcm-2024-review-fr.md"
DNK, AZE, ARM, CYP = (iris.state(c) for c in ("DNK", "AZE", "ARM", "CYP"))
Variant = Callable[..., Converted]  # the convert_variant fixture of conftest.py


def roles(converted, role: str, event: str):
    return [p for p in converted.extraction.participations if p.role == role and p.event == event]


def test_session_headings_written_with_numbers_and_titles(convert_variant: Variant) -> None:
    converted = convert_variant(BUNDLED, ("#### B. Deuxième séance", "#### B. Séance thématique 2 : frontières et retour"),
                                ("## D. Quatrième séance", "## D. Quatrième séance thématique"))
    thematic = {s.number: s.objectives for s in converted.extraction.sessions if s.kind == "thematic"}
    assert thematic[2] == [4, 8, 9, 10, 11, 13, 21]
    assert thematic[4] == [1, 3, 7, 17, 23]


def test_moderator_with_affiliation_in_brackets(convert_variant: Variant) -> None:
    converted = convert_variant(BUNDLED, ("Susan Fratzke, Migration Policy Institute (MPI)",
                                          "Susan Fratzke (Migration Policy Institute)"))
    (moderator,) = roles(converted, "Moderating", "2")
    assert moderator.actors[0].raw == "Susan Fratzke"
    assert moderator.affiliation.iris == (iris.ID["org/mpi"],)


def test_reply_by_delegations_named_with_representatives(convert_variant: Variant) -> None:
    converted = convert_variant(BUNDLED, ("L'Azerbaïdjan a exercé son droit de réponse.",
                                          "Les représentants de l'Azerbaïdjan et de l'Arménie ont exercé leur droit de réponse."))
    assert [p.actors[0].iris for p in roles(converted, "RightOfReply", "2")] == [(AZE,), (ARM,)]


def test_contribution_list_broken_by_a_page_break_after_a_semicolon(convert_variant: Variant) -> None:
    converted = convert_variant(BUNDLED, ("Bélarus ; Danemark, au nom", "Bélarus ;\n\nDanemark, au nom"))
    contributions = sorted(roles(converted, "Contribution", "2"), key=lambda p: p.order)
    assert len(contributions) == 17
    assert contributions[4].actors[0].iris == (DNK,) and (CYP,) in [a.iris for a in contributions[4].on_behalf]


def test_objective_numbers_written_with_no(convert_variant: Variant) -> None:
    converted = convert_variant(BUNDLED, ("objectifs 2, 5, 6, 12 et 18", "objectifs nos 2, 5, 6, 12 et 18"))
    assert converted.extraction.sessions[1].objectives == [2, 5, 6, 12, 18]


def test_place_with_a_qualifier_and_a_single_chair(convert_variant: Variant) -> None:
    converted = convert_variant(BUNDLED, ("Genève, 11 mars 2024", "Genève (hybride), 11 mars 2024"),
                                ("Il a été coprésidé par", "Il a été présidé par"))
    assert converted.extraction.review.place.iris == (iris.ID["place/geneva"],)
    assert len(roles(converted, "CoChairing", "review")) == 2


def test_statement_on_behalf_of_member_states_records_the_speaker_only(convert_variant: Variant) -> None:
    converted = convert_variant(BUNDLED, ("Danemark, au nom de Chypre, de la France, de Malte, de la Norvège, des Pays-Bas et du Royaume-Uni",
                                          "Danemark, au nom de ses États membres partenaires"))
    contribution = next(p for p in roles(converted, "Contribution", "2") if p.actors[0].iris == (DNK,))
    assert contribution.on_behalf == []
    assert any("names no state" in str(w) for w in converted.diagnostics.warnings)
