"""The pipeline's engines agree with their references.

- OWL RL: the rules `reason` compiles from the ontology keep what owlrl's closure keeps (and anything the rules
  do not cover goes to owlrl);
- SHACL: pyrudof (the default engine) gives the results pySHACL gives (focus node, path, constraint
  component, severity, value, source shape) on the bundled graph, on broken copies of it, on every graph of
  tests/data/invalid-graphs and on a synthetic corpus (bench/corpus.py);
- builds: worker processes write the bytes of a sequential build; a failing or non-conforming report writes
  nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from gcmkg import build, dataset, reason, reference, validate
from gcmkg.convert import Converted, convert
from gcmkg.iris import GCM, ID

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "graph" / "sources" / "ece-gcm-2024-review-fr.md"
REPORTS = sorted((ROOT / "tests" / "data" / "reports").glob("*-review-*.md"))
ALL = [BUNDLED, *REPORTS]
INVALID = ROOT / "tests" / "data" / "invalid-graphs"
EX = Namespace("http://example.org/")
POSITIVE_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#positiveInteger")


# ------------------------------------------------------------------------------------------------ reasoning


@pytest.fixture(scope="module")
def converted() -> dict[str, Converted]:
    return {path.name: convert(path, ROOT) for path in ALL}


# ------------------------------------------------------------------------------------------------ reasoning


@pytest.mark.parametrize("name", [p.name for p in ALL])
def test_compiled_rules_infer_what_owlrl_infers(converted: dict[str, Converted], name: str) -> None:
    data = converted[name].graph
    ontology, known = reference.ontology(ROOT), reference.reference(ROOT)
    fast = reason.reason(data, ontology, known, engine="rules")
    slow = reason.reason(data, ontology, known, engine="owlrl")
    assert len(fast) > 0
    assert set(fast) == set(slow)


def test_the_rules_engine_does_not_fall_back_on_the_project_ontology(converted: dict[str, Converted]) -> None:
    triples = reason._input_triples(converted[BUNDLED.name].graph, reference.ontology(ROOT), reference.reference(ROOT))
    assert reason.rules_closure(triples) >= triples  # no Unsupported: the compiled rules cover the ontology


def kept_part(closure: set) -> set:
    """What reason() could keep of a closure: no literal or blank subject, no RDF/RDFS/OWL/XSD noise."""
    return {t for t in closure if isinstance(t[0], URIRef) and not reason._noise(t[0])
            and (not reason._noise(t[1]) or (t[1] == RDF.type and not reason._noise(t[2])))}


def synthetic() -> set:
    """Every kind of axiom the compiled rules cover, several of which the project's ontology lacks."""
    chain = [BNode("c1"), BNode("c2"), BNode("c3")]
    return {
        (EX.ancestor, RDF.type, OWL.TransitiveProperty), (EX.parent, RDFS.subPropertyOf, EX.ancestor),
        (EX.sibling, RDF.type, OWL.SymmetricProperty), (EX.child, OWL.inverseOf, EX.parent),
        (EX.kin, OWL.equivalentProperty, EX.relative), (EX.sibling, RDFS.subPropertyOf, EX.kin),
        (EX.uncle, OWL.propertyChainAxiom, chain[0]),
        (chain[0], RDF.first, EX.parent), (chain[0], RDF.rest, chain[1]),
        (chain[1], RDF.first, EX.sibling), (chain[1], RDF.rest, chain[2]),
        (chain[2], RDF.first, EX.knows), (chain[2], RDF.rest, RDF.nil),
        (EX.parent, RDFS.domain, EX.Person), (EX.parent, RDFS.range, EX.Parent),
        (EX.Parent, RDFS.subClassOf, EX.Person), (EX.Person, OWL.equivalentClass, EX.Human),
        (EX.Human, RDFS.subClassOf, EX.Agent), (EX.Agent, RDF.type, OWL.Class),
        (EX.name, RDFS.domain, EX.Named), (EX.knows, RDFS.range, EX.Known),
        (EX.a, EX.parent, EX.b), (EX.b, EX.parent, EX.c), (EX.c, EX.parent, EX.d), (EX.b, EX.sibling, EX.e),
        (EX.e, EX.knows, EX.f), (EX.c, EX.sibling, EX.g), (EX.g, EX.knows, EX.h), (EX.a, EX.name, Literal("a")),
        (EX.d, EX.child, EX.x), (EX.h, RDF.type, EX.Parent),
    }


def test_compiled_rules_on_axioms_the_ontology_lacks() -> None:
    triples = synthetic()
    fast, slow = reason.rules_closure(triples), reason.owlrl_closure(triples)
    assert kept_part(fast) == kept_part(slow)
    assert (EX.a, EX.ancestor, EX.d) in fast  # transitive over a sub-property
    assert (EX.a, EX.uncle, EX.f) in fast and (EX.b, EX.uncle, EX.h) in fast  # the chain, one sibling symmetric


@pytest.mark.parametrize("extra", [
    (EX.parent, RDF.type, OWL.FunctionalProperty),
    (EX.a, OWL.sameAs, EX.z),
    (EX.Person, OWL.someValuesFrom, EX.Agent),
    (RDF.type, RDFS.subPropertyOf, EX.typed),
], ids=["functional", "sameAs", "restriction", "rule-about-rdf-type"])
def test_what_the_rules_do_not_cover_goes_to_owlrl(extra: tuple) -> None:
    with pytest.raises(reason.Unsupported):
        reason.rules_closure(synthetic() | {extra})


# ----------------------------------------------------------------------------------------------- validation


# ------------------------------------------------------------------------------------------------ SHACL engines


def broken(data: Graph) -> Graph:
    """The bundled report's graph with breaks that several kinds of constraint catch: core constraints, shapes
    with SPARQL, violation queries, a reference node the report adds triples to, a warning."""
    g = Graph()
    for triple in data:
        g.add(triple)
    review = ID["review/ece-2024"]
    session2 = URIRef(f"{review}/session/2")
    paragraph = URIRef(f"{review}/report/paragraph/14")
    contribution = URIRef(f"{review}/session/2/contribution/DNK")
    g.remove((paragraph, GCM.paragraphNumber, None))  # minCount, and a gap in the numbering
    g.add((session2, RDFS.label, Literal("Deuxième séance bis", lang="fr")))  # uniqueLang
    g.add((session2, GCM.coversObjective, ID["state/DEU"]))  # not an objective (SPARQL)
    g.add((contribution, GCM.onBehalfOf, ID["org/iom"]))  # an organisation (SPARQL)
    g.add((contribution, GCM.order, Literal(2, datatype=POSITIVE_INTEGER)))  # two orders, one shared (SPARQL)
    g.add((ID["state/DEU"], GCM.iso3166Alpha3, Literal("XXX")))  # a reference node: the key and maxCount
    g.add((URIRef(f"{review}/session/9"), RDF.type, GCM.ThematicSession))  # a session with nothing
    # sh:xone and sh:or of class members (counted natively on the scoped path): two roles, no role, two kinds
    # of paragraph; a participant that is a paragraph, and one that is a literal
    g.add((contribution, RDF.type, GCM.Moderating))
    g.add((URIRef(f"{review}/session/2/participation/none"), RDF.type, GCM.Participation))
    g.add((paragraph, RDF.type, GCM.Footnote))
    g.add((contribution, GCM.participant, paragraph))
    g.add((contribution, GCM.participant, Literal("Danemark", lang="fr")))
    return g


def graphs() -> Iterator[tuple[str, Graph]]:
    data = convert(BUNDLED, ROOT).graph
    yield "bundled", data
    yield "broken", broken(data)
    text = BUNDLED.read_text(encoding="utf-8").replace("Danemark, au nom de Chypre, de la France",
                                                       "Danemark, au nom de l'OIM, de la France")
    yield "on-behalf-of-an-organisation", build_from_text(text)
    text = BUNDLED.read_text(encoding="utf-8").replace("Danemark, au nom de Chypre, de la France",
                                                       "Danemark, au nom de la Ruritanie, de la France")
    yield "unresolved-name", build_from_text(text)  # a warning only
    colliding = Graph()
    for triple in data:
        colliding.add(triple)
    review = ID["review/ece-2024"]
    colliding.remove((review, GCM.ngoCount, None))  # "3"^^xsd:nonNegativeInteger beside objective 3's number
    colliding.add((review, GCM.ngoCount, Literal("3", datatype=URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger"))))
    yield "colliding-integers", colliding


def build_from_text(text: str) -> Graph:
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report-fr.md"
        path.write_text(text, encoding="utf-8")
        return convert(path, ROOT).graph


CASES = list(graphs())


def outcomes(ds, engine: str) -> set:
    return {(f.focus, f.shape, f.component, f.severity, f.value) for f in validate.findings(ds, ROOT, engine)}


def with_reference(*graphs: Graph):  # noqa: ANN201
    ds = reference.with_data(ROOT)
    for i, g in enumerate(graphs):
        dataset.add_graph(ds, f"urn:test:{i}", g)
    return ds


@pytest.mark.parametrize("name,data", CASES, ids=[name for name, _ in CASES])
def test_rudof_finds_what_pyshacl_finds(name: str, data: Graph) -> None:
    ds = with_reference(data)
    expected = outcomes(ds, "pyshacl")
    assert outcomes(ds, "rudof") == expected
    assert bool(expected) == (name not in ("bundled", "colliding-integers"))


#: The invalid graphs that are graphs (bad-syntax.ttl and latin1.ttl do not parse: tests/test_validate.py).
GRAPHS = sorted(p for p in INVALID.glob("*.ttl") if p.name not in ("bad-syntax.ttl", "latin1.ttl"))


@pytest.mark.parametrize("path", GRAPHS, ids=lambda p: p.name)
def test_rudof_finds_what_pyshacl_finds_on_every_invalid_graph(path: Path) -> None:
    ds = validate.load_files([ROOT / "graph" / "ece-gcm-2024-review-fr.ttl", path],
                             reference.with_data(ROOT))
    assert outcomes(ds, "rudof") == outcomes(ds, "pyshacl")


def test_rudof_finds_what_pyshacl_finds_on_a_synthetic_corpus(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import corpus
    finally:
        sys.path.remove(str(ROOT / "bench"))
    written = corpus.generate(4, tmp_path / "reports", seed=1)
    ds = with_reference(*(convert(path, ROOT).graph for path in written))
    assert outcomes(ds, "rudof") == outcomes(ds, "pyshacl")


@pytest.mark.parametrize("name,data", CASES, ids=[name for name, _ in CASES])
def test_both_engines_give_the_same_report(name: str, data: Graph) -> None:
    fast = validate.validate(data, ROOT, engine="rudof")
    slow = validate.validate(data, ROOT, engine="pyshacl")
    assert [r.key() for r in fast.results] == [r.key() for r in slow.results]
    assert fast.conforms == slow.conforms == (name in ("bundled", "unresolved-name", "colliding-integers"))


# ------------------------------------------------------------------------------------------ builds


@pytest.fixture(scope="module")
def sequential(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled report and the test reports built together, sequentially."""
    out = tmp_path_factory.mktemp("sequential")
    build.build(ALL, out, ROOT, quiet=True, jobs=1)
    return out


def test_workers_give_the_bytes_of_a_sequential_build(tmp_path: Path, sequential: Path) -> None:
    build.build(ALL, tmp_path, ROOT, quiet=True, jobs=2)
    produced = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    expected = {p.relative_to(sequential): p.read_bytes() for p in sequential.rglob("*") if p.is_file()}
    assert produced == expected


def test_a_failing_report_among_workers_writes_nothing(tmp_path: Path) -> None:
    from gcmkg.errors import InputError
    bad = ROOT / "tests" / "data" / "invalid" / "objective-out-of-range.md"
    with pytest.raises(InputError, match="objective-out-of-range.md"):
        build.build([BUNDLED, bad], tmp_path / "out", ROOT, quiet=True, jobs=2)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("jobs", [1, 2], ids=["in-process", "forked"])
def test_a_non_conforming_report_is_refused_in_process_or_in_a_worker(tmp_path: Path, jobs: int) -> None:
    text = BUNDLED.read_text(encoding="utf-8").replace("Danemark, au nom de Chypre, de la France",
                                                       "Danemark, au nom de l'OIM, de la France")
    path = tmp_path / "report-fr.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(build.NotConforming):
        build.build([path, BUNDLED], tmp_path / "out", ROOT, quiet=True, jobs=jobs)
    assert not (tmp_path / "out").exists()


def test_a_query_process_imports_neither_pyshacl_nor_owlrl() -> None:
    code = "import sys, gcmkg.cli; print(sorted(m for m in ('pyshacl', 'owlrl', 'pyrudof') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.stdout.strip() == "[]"


def test_an_unknown_reasoner_or_engine_is_refused_before_anything_is_done(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown reasoner"):
        build.build([BUNDLED], tmp_path / "out", ROOT, quiet=True, reasoner="hermit")
    with pytest.raises(ValueError, match="unknown SHACL engine"):
        build.build([BUNDLED], tmp_path / "out", ROOT, quiet=True, engine="jena")
    assert not (tmp_path / "out").exists()


def test_the_parsed_reference_graph_is_read_again_when_a_file_changes(tmp_path: Path) -> None:
    import shutil
    shutil.copytree(ROOT / "ontology", tmp_path / "ontology")
    first = reference.reference(tmp_path)
    assert reference.reference(tmp_path) is first
    states = tmp_path / "ontology" / "reference" / "states.ttl"
    states.write_text(states.read_text(encoding="utf-8") + "\n<urn:x> <urn:y> <urn:z> .\n", encoding="utf-8")
    again = reference.reference(tmp_path)
    assert again is not first and len(again) == len(first) + 1
