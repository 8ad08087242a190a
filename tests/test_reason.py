"""OWL RL reasoning: the entailments that matter, kept apart, free of owlrl's noise, and the same as the
naive full closure would give."""

from __future__ import annotations

from pathlib import Path

import owlrl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

from gcmkg import reason, reference
from gcmkg.iris import GCM, ID

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "graph" / "ece-gcm-2024-review-fr.ttl"
REVIEW = "https://w3id.org/gcmkg/id/review/ece-2024"


@pytest.fixture(scope="module")
def graphs() -> tuple[Graph, Graph]:
    data = Graph().parse(DATA)
    return data, reason.reason(data, reference.ontology(ROOT), reference.reference(ROOT))


def test_property_chain_gives_actor_engaged_with_objective(graphs) -> None:
    _, inferred = graphs
    engaged = set(inferred.subject_objects(GCM.engagedWithObjective))
    # Denmark spoke in session 2, which covered objectives 4, 8, 9, 10, 11, 13 and 21.
    assert (ID["state/DNK"], ID["objective/21"]) in engaged
    # Cyprus did not speak in session 2, but Denmark spoke on its behalf there.
    assert (ID["state/CYP"], ID["objective/21"]) in engaged
    # Sweden was the lead speaker of session 2 only.
    assert {o for s, o in engaged if s == ID["state/SWE"]} == {ID[f"objective/{n}"] for n in (4, 8, 9, 10, 11, 13, 21)}


def test_inverse_and_super_properties_and_classes(graphs) -> None:
    _, inferred = graphs
    contribution = URIRef(f"{REVIEW}/session/2/contribution/DNK")
    assert (ID["state/DNK"], GCM.participatesIn, contribution) in inferred
    assert (ID["objective/21"], GCM.coveredIn, URIRef(f"{REVIEW}/session/2")) in inferred
    assert (contribution, RDF.type, GCM.Participation) in inferred
    assert (URIRef(f"{REVIEW}/session/2"), RDF.type, GCM.Session) in inferred


def test_no_noise_and_nothing_already_asserted(graphs) -> None:
    data, inferred = graphs
    assert len(inferred) > 0
    for s, p, o in inferred:
        assert not isinstance(s, Literal)
        assert p != OWL.sameAs
        assert not (p == RDF.type and o in (OWL.Thing, OWL.NamedIndividual))
        assert (s, p, o) not in data


def test_scoped_reasoning_keeps_the_same_entailments_as_the_naive_full_closure(graphs) -> None:
    data, inferred = graphs
    full = Graph()
    for triple in reference.reference(ROOT):
        full.add(triple)
    for triple in data:
        full.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(full)
    ref = Graph()  # what the reference graph entails on its own holds without any report
    for triple in reference.reference(ROOT):
        ref.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(ref)
    subjects = {s for s in data.subjects() if isinstance(s, URIRef)}
    nodes = reason.mentioned(data)
    naive = {t for t in full if t not in data and t not in ref and reason.kept(t, subjects, nodes, ref)}
    assert set(inferred) == naive
