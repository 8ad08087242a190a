"""The data, not only the ontology, opens and reasons in Protégé's tools, offline, and reasons right.

* Every graph file the build writes is an OWL ontology of its own (header, version IRI, imports), and
  graph/gcmkg.owl.ttl imports them all; the OWL API opens it through graph/catalog-v001.xml alone (the
  network is never asked: ProfileCheck refuses an unmapped import) and finds no OWL 2 DL violation.
* HermiT (owlready2's) finds ontology + reference graph + every built graph consistent, with no "ignore
  unsupported datatypes" flag, and finds a deliberately contradictory copy inconsistent.
* owlrl's full OWL 2 RL closure over ontology + reference graph + every bundled report, with the disjointness
  axioms of SKOS and PROV-O added, is free of the unintended types (no State a skos:Concept, no scheme a
  concept, no meeting or session a prov:Entity), and engagement with an objective comes from substantive
  participation only.
* A user's own SPARQL over the published graph gets the class hierarchy's answers: every attending State is a
  gcm:Actor.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from gcmkg import dataset, owlfiles
from test_owl_tools import _owlready2, _require_tool, profile_check  # noqa: F401 - profile_check is a fixture

ROOT = Path(__file__).resolve().parents[1]
GRAPH = ROOT / "graph"
GCM = Namespace("https://w3id.org/gcmkg/ontology#")
ID = Namespace("https://w3id.org/gcmkg/id/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")

#: What SKOS and PROV-O say is disjoint (SKOS Reference S9, S37; PROV-O), added to the closure's input so that
#: owlrl's cax-dw rule reports a node typed both ways.
DISJOINT = [(SKOS.Concept, SKOS.ConceptScheme), (SKOS.Collection, SKOS.Concept),
            (SKOS.Collection, SKOS.ConceptScheme), (PROV.Entity, PROV.Activity)]


def graph_files() -> list[Path]:
    return sorted(p for p in GRAPH.glob("*.ttl") if dataset.is_report_file(p.name))


def test_every_graph_file_is_an_ontology_with_its_imports_mapped_in_the_catalog() -> None:
    from test_owl_tools import ontology_header, read_catalog

    catalog = read_catalog(GRAPH / owlfiles.CATALOG_FILE)
    files = graph_files()
    assert any(p.name == owlfiles.REFERENCE_INFERRED_FILE for p in files)
    for path in [*files, GRAPH / owlfiles.ALL_FILE]:
        iri, imports = ontology_header(path)
        expected = str(owlfiles.ALL_IRI) if path.name == owlfiles.ALL_FILE else dataset.report_graph_name(path.name)
        assert iri == expected, path
        assert catalog.get(iri) == path.resolve(), f"{path.name}: {iri} not mapped to the file"
        assert imports, f"{path.name} imports nothing"
        for target in imports:
            assert catalog.get(target) is not None and catalog[target].is_file(), f"{path.name}: <{target}> unmapped"
        version = Graph().parse(path).value(URIRef(iri), OWL.versionIRI)
        assert version is not None and str(version).startswith(iri + "/"), path
    everything = ontology_header(GRAPH / owlfiles.ALL_FILE)[1]
    assert set(everything) >= {dataset.report_graph_name(p.name) for p in files} | {"https://w3id.org/gcmkg/ontology"}


def test_a_report_imports_the_reference_files_that_describe_what_it_names(tmp_path: Path) -> None:
    from test_owl_tools import ontology_header

    _, imports = ontology_header(GRAPH / "ece-gcm-2024-review-fr.ttl")
    assert "https://w3id.org/gcmkg/ontology" in imports
    assert {"https://w3id.org/gcmkg/reference/states", "https://w3id.org/gcmkg/reference/objectives",
            "https://w3id.org/gcmkg/reference/organisations"} <= set(imports)
    # a graph that names no reference individual imports the ontology alone
    g = Graph()
    g.add((ID["person/x"], RDF.type, GCM.Person))
    header = owlfiles.report_header(g, "x", ROOT)
    assert set(header.objects(None, OWL.imports)) == {URIRef("https://w3id.org/gcmkg/ontology")}


def test_owl_api_opens_the_whole_graph_offline_in_owl2_dl(profile_check) -> None:  # noqa: F811
    result = profile_check([GRAPH / owlfiles.ALL_FILE], GRAPH / owlfiles.CATALOG_FILE)
    assert result.returncode == 0, "OWL 2 DL profile violations:\n" + result.explain()
    counts = result.counts
    reference_files = len(list((ROOT / "ontology" / "reference").glob("*.ttl")))
    assert counts["ontologies"] == 1 + 1 + reference_files + len(graph_files()), result.explain()
    # the gcm: terms the data uses are read as the ontology declares them, not as annotation properties
    assert counts["annotationProperties"] < 40 and counts["individuals"] > 900, result.explain()


def test_the_merged_export_opens_offline_with_nothing_to_import(profile_check, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "gcmkg.ttl"
    subprocess.run([sys.executable, "-m", "gcmkg.cli", "export", "--format", "ttl", "-o", str(out)], check=True,
                   cwd=ROOT)
    assert not list(Graph().parse(out).objects(None, OWL.imports))
    empty = tmp_path / owlfiles.CATALOG_FILE
    empty.write_text('<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog"/>\n', encoding="utf-8")
    result = profile_check([out], empty)
    assert result.returncode == 0, result.explain()


# --- HermiT ---------------------------------------------------------------------------------------------------


def everything_as_rdfxml(tmp_path: Path, extra: str = "") -> Path:
    """ontology + reference graph + every graph file in one RDF/XML file without imports (owlready2 fetches them)."""
    merged = Graph()
    for path in [ROOT / "ontology" / "gcm.owl.ttl", *sorted((ROOT / "ontology" / "reference").glob("*.ttl")),
                 *graph_files()]:
        merged.parse(path, format="turtle")
    merged.remove((None, OWL.imports, None))
    if extra:
        merged.parse(data=extra, format="turtle")
    out = tmp_path / "all.owl"
    merged.serialize(out, format="xml")
    return out


def hermit(rdfxml: Path) -> list[str]:
    _require_tool("java")
    owlready2 = _owlready2()
    world = owlready2.World()
    world.get_ontology(rdfxml.as_uri()).load()
    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)  # no "ignore" flag
    return sorted(c.iri for c in world.inconsistent_classes())


@pytest.mark.owl
def test_hermit_finds_everything_consistent_without_ignoring_any_datatype(tmp_path: Path) -> None:
    assert hermit(everything_as_rdfxml(tmp_path)) == []


@pytest.mark.owl
def test_hermit_finds_a_contradictory_copy_inconsistent(tmp_path: Path) -> None:
    # a State that is also a person: gcm:State and gcm:Person are disjoint
    extra = f"<{ID['state/DEU']}> a <{GCM.Person}> ."
    with pytest.raises(_owlready2().OwlReadyInconsistentOntologyError):
        hermit(everything_as_rdfxml(tmp_path, extra))


# --- owlrl's full closure -------------------------------------------------------------------------------------


def full_closure(extra: Graph | None = None) -> Graph:
    import owlrl

    g = Graph()
    for path in [ROOT / "ontology" / "gcm.owl.ttl", *sorted((ROOT / "ontology" / "reference").glob("*.ttl")),
                 *sorted(p for p in graph_files() if not p.name.endswith(dataset.INFERRED_SUFFIX))]:
        g.parse(path, format="turtle")
    for a, b in DISJOINT:
        g.add((a, OWL.disjointWith, b))
    if extra is not None:
        g += extra
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    return g


def errors(g: Graph) -> list[str]:
    return sorted(str(m) for node in g.subjects(RDF.type, URIRef("http://www.daml.org/2002/03/agents/agent-ont#ErrorMessage"))
                  for m in g.objects(node, None) if isinstance(m, Literal))


@pytest.fixture(scope="module")
def closure() -> Graph:
    return full_closure()


def typed(g: Graph, cls: URIRef) -> set:
    return set(g.subjects(RDF.type, cls))


def test_full_closure_is_consistent_with_skos_and_prov(closure: Graph) -> None:
    assert errors(closure) == []


def test_full_closure_types_nothing_by_accident(closure: Graph) -> None:
    states = typed(closure, GCM.State)
    assert len(states) >= 193
    assert not states & typed(closure, SKOS.Concept), "a State became a skos:Concept"
    assert not typed(closure, SKOS.ConceptScheme) & typed(closure, SKOS.Concept), "a scheme became a concept"
    for cls in (GCM.Meeting, GCM.Session, GCM.Review, SCHEMA.Event):
        assert typed(closure, cls), cls
        assert not typed(closure, cls) & typed(closure, PROV.Entity), f"a {cls} became a prov:Entity"
    assert not (typed(closure, GCM.Organisation) | typed(closure, GCM.Person)) & typed(closure, SKOS.Concept)


def test_the_closure_catches_a_state_mapped_as_a_concept() -> None:
    """The check above can fail: a State linked by a SKOS mapping property becomes a concept."""
    extra = Graph()
    extra.add((ID["state/DEU"], SKOS.exactMatch, URIRef("http://publications.europa.eu/resource/authority/country/DEU")))
    g = full_closure(extra)
    assert (ID["state/DEU"], RDF.type, SKOS.Concept) in g


def engaged(g: Graph, iso3: str) -> set[int]:
    return {int(str(o).rsplit("/", 1)[1]) for o in g.objects(ID[f"state/{iso3}"], GCM.engagedWithObjective)}


def test_engagement_comes_from_substantive_participation_only(closure: Graph) -> None:
    # The Russian Federation only replied (annex, right of reply): engaged with nothing.
    assert (None, GCM.participant, ID["state/RUS"]) in closure
    assert engaged(closure, "RUS") == set()
    # Denmark contributed to a thematic session: engaged with its objectives.
    assert engaged(closure, "DNK")
    for actor, objective in closure.subject_objects(GCM.engagedWithObjective):
        paths = [p for p in closure.subjects(GCM.participant, actor)
                 if (p, RDF.type, GCM.SubstantiveParticipation) in closure]
        paths += [p for p in closure.subjects(GCM.onBehalfOf, actor)
                  if (p, RDF.type, GCM.SubstantiveParticipation) in closure]
        sessions = {s for p in paths for s in closure.objects(p, GCM.substantiveIn)}
        assert any((s, GCM.coversObjective, objective) in closure for s in sessions), (actor, objective)
    for p in closure.subjects(RDF.type, GCM.RightOfReply):
        assert (p, GCM.substantiveIn, None) not in closure


# --- SPARQL over the published graph --------------------------------------------------------------------------


def test_every_attending_state_is_an_actor_to_a_users_query(tmp_path: Path) -> None:
    query = tmp_path / "actors.rq"
    query.write_text("""PREFIX gcm: <https://w3id.org/gcmkg/ontology#>
SELECT ?kind (COUNT(DISTINCT ?x) AS ?n) WHERE {
  { ?x a gcm:Actor . BIND("actor" AS ?kind) }
  UNION { ?x a gcm:State . BIND("state" AS ?kind) }
  UNION { ?p a gcm:Attendance ; gcm:participant ?x . ?x a gcm:State FILTER NOT EXISTS { ?x a gcm:Actor } BIND("missing" AS ?kind) }
} GROUP BY ?kind ORDER BY ?kind""", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "gcmkg.cli", "query", str(query), "--format", "csv"], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    counts = dict(line.split(",") for line in done.stdout.strip().splitlines()[1:])
    assert "missing" not in counts, done.stdout
    assert int(counts["state"]) == 194  # the 193 UN Member States and the State of Palestine
    assert int(counts["actor"]) > 193 + 13, "the States, organisations and persons are all actors"


def test_no_report_may_take_the_reference_graphs_name(tmp_path: Path) -> None:
    report = tmp_path / "reference.md"
    shutil.copy(GRAPH / "sources" / "ece-gcm-2024-review-fr.md", report)
    done = subprocess.run([sys.executable, "-m", "gcmkg.cli", "build", str(report), "--out", str(tmp_path / "out")],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and "reference.md" in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert not (tmp_path / "out").exists()
