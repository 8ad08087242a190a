"""`gcmkg check` on the real ontology and reference graph, and on broken copies of them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, SKOS

from gcmkg import check
from gcmkg.iris import GCM
from gcmkg.reference import ontology_file, reference_files

ROOT = Path(__file__).resolve().parents[1]


def test_real_ontology_and_reference_graph_have_no_problems(capsys: pytest.CaptureFixture[str]) -> None:
    assert check.run("text", ROOT) == 0
    assert "no problems found" in capsys.readouterr().out


def test_counts_the_issue_asks_for() -> None:
    graph = Graph()
    for path in [ontology_file(ROOT), *reference_files(ROOT)]:
        graph.parse(path)
    states = set(graph.subjects(RDF.type, GCM.State))
    assert len(states) == 194  # the 193 UN Member States and the State of Palestine (observer State, ESCWA member)
    unece = {s for s in states if (s, None, None) in graph
             and any(str(o).endswith("/org/unece") for o in graph.objects(s, None))}
    assert len(unece) == 56
    assert len(set(graph.subjects(RDF.type, GCM.Objective))) == 23
    assert len(set(graph.subjects(RDF.type, GCM.GuidingPrinciple))) == 10
    assert len(set(graph.subjects(RDF.type, GCM.ObjectiveCluster))) == 4
    for objective in graph.subjects(RDF.type, GCM.Objective):
        assert {l.language for l in graph.objects(objective, SKOS.prefLabel)} >= {"en", "fr"}


BROKEN = {
    "missing-label": ("gcm.owl.ttl", "gcm:Broken a owl:Class ; rdfs:label \"Broken\"@en ; "
                      "skos:definition \"x\"@en, \"x\"@fr .", "no rdfs:label in @fr"),
    "undeclared": ("gcm.owl.ttl", "gcm:Review rdfs:seeAlso gcm:NotDeclared .", "used but not declared"),
    "duplicate-label": ("reference/states.ttl", "state:FRA skos:altLabel \"Allemagne\"@fr .",
                        "state name 'allemagne'@fr is shared by"),
    "objective-title": ("reference/objectives.ttl", None, "no title (skos:prefLabel) in @fr"),
}


@pytest.fixture()
def copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "ontology", tmp_path / "ontology")
    return tmp_path


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_copies_are_caught(copy: Path, capsys: pytest.CaptureFixture[str], case: str) -> None:
    target, turtle, message = BROKEN[case]
    path = copy / "ontology" / target
    text = path.read_text(encoding="utf-8")
    if turtle is None:  # drop the French title of objective 7
        graph = Graph().parse(path)
        objective = next(s for s in graph.subjects(RDF.type, GCM.Objective) if str(s).endswith("/objective/7"))
        for label in list(graph.objects(objective, SKOS.prefLabel)):
            if label.language == "fr":
                graph.remove((objective, SKOS.prefLabel, label))
        graph.serialize(path, format="turtle")
    else:
        path.write_text(text + "\n" + turtle + "\n", encoding="utf-8")
    assert check.run("text", copy) == 1
    out = capsys.readouterr().out
    assert f"{case}: " in out and message in out
    line = next(line for line in out.splitlines() if message in line)
    file, number = line.split(":")[:2]  # each problem names the file and the line that describe its subject
    assert Path(file).resolve() == path.resolve() and number.isdigit()
    if case in ("missing-label", "duplicate-label"):
        assert int(number) == len(text.splitlines()) + 2  # the line appended above


def test_a_term_without_a_spanish_label_is_caught(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Terms are labelled in the three languages the converter reads; defined in English and French."""
    path = copy / "ontology" / "gcm.owl.ttl"
    path.write_text(path.read_text(encoding="utf-8") + '\ngcm:Broken a owl:Class ; rdfs:label "Broken"@en, "Cassé"@fr ; '
                    'skos:definition "x"@en, "x"@fr .\n', encoding="utf-8")
    assert check.run("text", copy) == 1
    out = capsys.readouterr().out
    assert "missing-label: https://w3id.org/gcmkg/ontology#Broken: no rdfs:label in @es" in out
    assert "skos:definition in @es" not in out and "in @fr" not in out


def test_unparsable_turtle_is_an_input_error(copy: Path) -> None:
    (copy / "ontology" / "reference" / "places.ttl").write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(check.InputError, match="places.ttl"):
        check.findings(copy)
