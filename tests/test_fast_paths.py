"""The fast paths give what the slow ones give.

`gcmkg build` takes shortcuts (see the docstrings of `reason`, `validate`, `export` and `reference`): OWL RL
rules compiled from the ontology instead of owlrl's brute-force closure; SHACL on the nodes a report can
affect only, with pySHACL's focus-node filter mended, and SPARQL answered by Oxigraph; exports and their byte
sizes put together from cached pieces of the reference part; values computed from the ontology files kept
in a cache across runs; reports processed in worker processes. Each test compares one shortcut with the way
it replaces, on the bundled report, on the reports of tests/data/reports and on broken copies.
"""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH

from gcmkg import build, describe, export, reason, reference, validate
from gcmkg.convert import Converted, convert
from gcmkg.iris import GCM, ID

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "graph" / "sources" / "ece-gcm-2024-review-fr.md"
REPORTS = sorted((ROOT / "tests" / "data" / "reports").glob("*-review-*.md"))
ALL = [BUNDLED, *REPORTS]
EX = Namespace("http://example.org/")
POSITIVE_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#positiveInteger")


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


def full_pyshacl(data: Graph) -> tuple[bool, set]:
    """The slow path: pySHACL, unpatched, on everything (ontology + reference graph + data), rdflib's SPARQL."""
    graph = reference.bind(Graph())
    graph += reference.reference(ROOT)
    graph += data
    conforms, report, _ = pyshacl.validate(graph, shacl_graph=validate.shapes_graph(ROOT), inference="none",
                                           allow_warnings=True, allow_infos=True)
    outcomes = {(report.value(r, SH.focusNode), report.value(r, SH.sourceShape), report.value(r, SH.resultSeverity))
                for r in report.subjects(RDF.type, SH.ValidationResult)}
    return conforms, outcomes


@pytest.mark.parametrize("name,data", CASES, ids=[name for name, _ in CASES])
def test_scoped_validation_has_the_outcome_of_a_full_pyshacl_run(name: str, data: Graph) -> None:
    conforms, outcomes = full_pyshacl(data)
    fast = validate.validate(data, ROOT, scoped=True)
    shapes = [r for r in fast.results if not r.origin.startswith("queries/")]
    assert {(r.focus, URIRef(r.origin), SH[r.severity]) for r in shapes} == outcomes
    assert (not any(r.severity == "Violation" for r in shapes)) == conforms
    assert conforms == (name in ("bundled", "unresolved-name", "colliding-integers"))
    assert outcomes or name in ("bundled", "colliding-integers")


@pytest.mark.parametrize("name,data", CASES, ids=[name for name, _ in CASES])
def test_scoped_validation_reports_what_the_full_validation_reports(name: str, data: Graph) -> None:
    fast = validate.validate(data, ROOT, scoped=True)
    slow = validate.validate(data, ROOT, scoped=False)
    assert fast.conforms == slow.conforms
    assert sorted(r.key() for r in fast.results) == sorted(r.key() for r in slow.results)
    untimed = lambda report: re.sub(r" [0-9.]+ s\n$", "\n", report.text("fr"))  # noqa: E731
    assert untimed(fast) == untimed(slow)


@pytest.mark.parametrize("name,data", CASES, ids=[name for name, _ in CASES])
def test_oxigraph_answers_every_query_as_rdflib_does(name: str, data: Graph) -> None:
    """Every query a validation sends (each SHACL-SPARQL constraint once per focus node, each violation
    query), answered by rdflib and by the Oxigraph mirror: the same rows."""
    graph = validate.merged(data, ROOT)
    mirror = validate.SparqlMirror.of_merged(data, ROOT)
    assert mirror is not None
    assert bool(mirror.hidden) == (name == "colliding-integers")
    rdflib_query = graph.query
    asked = []

    def both(query_object, processor="sparql", result="sparql", initNs=None, initBindings=None,  # noqa: N803
             use_store_provided=True, **kwargs):
        expected = rdflib_query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)
        if isinstance(query_object, str):
            answer = mirror.query(query_object, initBindings)
            assert answer is not None, query_object
            rows = lambda res: sorted(sorted((str(k), v.n3()) for k, v in row.asdict().items()) for row in res)  # noqa: E731
            assert rows(answer) == rows(expected), (query_object, initBindings)
            asked.append(query_object)
        return expected

    graph.query = both
    validate.scoped_shacl_results(graph, data, ROOT)
    validate.query_results(graph, validate.violation_queries(ROOT))
    assert len(asked) > 100


@pytest.mark.parametrize("query,answered", [
    ("SELECT ?restriction ?p WHERE { ?restriction owl:onProperty ?p FILTER isBlank(?restriction) }", True),
    ("SELECT ?s ?label WHERE { ?s a gcm:State ; skos:prefLabel ?label FILTER (lang(?label) = 'fr') }", True),
    ("SELECT ?s ?n WHERE { ?s gcm:objectiveNumber ?n FILTER (?n > 20) }", True),
    ("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p", True),
    ("ASK { ?s gcm:paragraphNumber ?n FILTER (?n = 14) }", True),
    # Oxigraph stores "14"^^xsd:positiveInteger as 14, which this pattern matches there and not in rdflib:
    ("ASK { ?s gcm:paragraphNumber 14 }", False),
    ("SELECT ?s WHERE { ?s gcm:objectiveNumber ?n FILTER (datatype(?n) = xsd:positiveInteger) }", False),
], ids=["blank-nodes", "languages", "numbers", "aggregate", "ask", "number-as-term", "datatype"])
def test_the_mirror_keeps_every_term(query: str, answered: bool) -> None:
    data = CASES[0][1]
    graph = validate.merged(data, ROOT)
    text = "PREFIX gcm: <https://w3id.org/gcmkg/ontology#> PREFIX owl: <http://www.w3.org/2002/07/owl#> " \
           "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> " \
           + query
    answer = validate.SparqlMirror.of_merged(data, ROOT).query(text)
    if not answered:  # left to rdflib
        assert answer is None
        return
    expected = graph.query(text)
    if expected.type == "ASK":
        assert answer.askAnswer == expected.askAnswer is True
        return
    rows = lambda res: sorted(sorted((str(k), v.n3()) for k, v in row.asdict().items()) for row in res)  # noqa: E731
    assert rows(answer) == rows(expected)
    assert rows(expected)


def test_reference_results_are_those_of_a_full_run_on_the_reference_graph() -> None:
    assert validate.reference_results(ROOT) == validate.shacl_results(validate.merged(Graph(), ROOT),
                                                                      validate.shapes_graph(ROOT))


def test_shapes_that_look_beyond_their_focus_node_are_found() -> None:
    scope = validate.shapes_scope(validate.shapes_graph(ROOT))
    assert not scope.everything
    assert GCM.Person in scope.classes  # an inverse path (who names this person)
    assert GCM.Contribution in scope.classes  # SPARQL about other contributions
    assert GCM.State not in scope.classes and GCM.Objective not in scope.classes  # SPARQL about $this only


def test_a_constraint_that_reads_other_nodes_only_inside_not_exists_is_not_local() -> None:
    """rdflib leaves the pattern of a (NOT) EXISTS as a parsed TriplesBlock, not a BGP: it must be read too, or
    Session-knownObjective (which looks at the objective's type and number only there) counts as local."""
    shapes = validate.shapes_graph(ROOT)
    known_objective = shapes.value(URIRef("https://w3id.org/gcmkg/shapes#Session-knownObjective"), SH.sparql)
    assert known_objective is not None and not validate._local_sparql(shapes, known_objective)
    own = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        [] sh:select "SELECT $this WHERE { $this <urn:p> ?v . FILTER NOT EXISTS { $this <urn:q> ?v } }" .
    """, format="turtle")
    assert validate._local_sparql(own, next(own.subjects(SH.select, None)))  # only $this, even inside


# --------------------------------------------------------------------------------------------------- exports


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    """The bundled report and the test reports built together (the French and English editions of one
    review share their IRIs), sequentially."""
    out = tmp_path_factory.mktemp("corpus")
    converted_items = build.build(ALL, out, ROOT, quiet=True, jobs=1)
    return out, converted_items


@pytest.mark.parametrize("which", ["bundled", "corpus"])
def test_fast_exports_are_rdflib_bytes(which: str, corpus: tuple[Path, list]) -> None:
    folder = ROOT / "graph" if which == "bundled" else corpus[0]
    built = export.built_files(folder)
    slow = export.distributions(export.dataset(export.sources(ROOT, built)))
    parsed = {name: Graph().parse(data=data, format="turtle") for name, data in built.items()}
    for graphs_given in (None, parsed):
        fast = export.Whole.of(ROOT, built, graphs_given).distributions()
        for name in slow:
            assert fast[name] == slow[name], (which, name, graphs_given is None)


def test_the_dataset_description_does_not_depend_on_the_shortcuts(corpus: tuple[Path, list]) -> None:
    built = export.built_files(corpus[0])
    ds = export.dataset(export.sources(ROOT, built))
    files = {**export.distributions(ds), **built}
    slow = describe.describe(files, ds)
    assert describe.describe_outputs(built, ROOT)["void.ttl"] == slow
    assert (corpus[0] / "void.ttl").read_bytes() == slow


@pytest.mark.parametrize("name", [p.name for p in ALL])
def test_report_files_are_rdflib_longturtle(converted: dict[str, Converted], name: str) -> None:
    graph = converted[name].graph
    inferred = reason.reason(graph, reference.ontology(ROOT), reference.reference(ROOT))
    for g in (graph, inferred):
        assert build.serialise(g) == g.serialize(format="longturtle", encoding="utf-8").replace(b"\r\n", b"\n")


def test_fast_longturtle_falls_back_to_rdflib_on_blank_nodes() -> None:
    g = reference.bind(Graph())
    g.add((EX.a, EX.p, BNode("x")))
    g.add((BNode("x"), EX.q, Literal("y")))
    assert export.fast_longturtle(g, reference.PREFIXES) == g.serialize(format="longturtle", encoding="utf-8")


# ------------------------------------------------------------------------------------------ build and caches


def test_workers_give_the_bytes_of_a_sequential_build(tmp_path: Path, corpus: tuple[Path, list]) -> None:
    build.build(ALL, tmp_path, ROOT, quiet=True, jobs=2)
    produced = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    expected = {p.relative_to(corpus[0]): p.read_bytes() for p in corpus[0].rglob("*") if p.is_file()}
    assert produced == expected


def test_a_failing_report_among_workers_writes_nothing(tmp_path: Path) -> None:
    from gcmkg.errors import InputError
    bad = ROOT / "tests" / "data" / "invalid" / "objective-out-of-range.md"
    with pytest.raises(InputError, match="objective-out-of-range.md"):
        build.build([BUNDLED, bad], tmp_path / "out", ROOT, quiet=True, jobs=2)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("jobs", [1, 2], ids=["in-process", "forked"])
def test_a_non_conforming_report_is_refused_whether_validated_here_or_in_a_child(tmp_path: Path, jobs: int) -> None:
    text = BUNDLED.read_text(encoding="utf-8").replace("Danemark, au nom de Chypre, de la France",
                                                       "Danemark, au nom de l'OIM, de la France")
    path = tmp_path / "report-fr.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(build.NotConforming):
        build.build([path], tmp_path / "out", ROOT, quiet=True, jobs=jobs)
    assert not (tmp_path / "out").exists()


@pytest.fixture()
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("GCMKG_CACHE_DIR", str(folder))
    monkeypatch.setattr(reference, "_MEMORY", {})
    return folder


def test_cached_values_survive_the_process_and_a_broken_file_is_recomputed(cache_dir: Path) -> None:
    calls = []
    assert reference.cached("test", "k" * 64, lambda: calls.append(1) or {"v": 1}) == {"v": 1}
    reference._MEMORY.clear()
    assert reference.cached("test", "k" * 64, lambda: calls.append(1) or {"v": 2}) == {"v": 1}  # from disk
    assert calls == [1]
    (stored,) = cache_dir.glob("test-*.pickle")
    stored.write_bytes(b"not a pickle")
    reference._MEMORY.clear()
    assert reference.cached("test", "k" * 64, lambda: {"v": 3}) == {"v": 3}
    assert pickle.loads(stored.read_bytes()) == ("k" * 64, {"v": 3})


def test_a_cache_folder_that_cannot_be_written_only_costs_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("GCMKG_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setattr(reference, "_MEMORY", {})
    assert reference.cached("test", "k" * 64, lambda: 42) == 42
    out = tmp_path / "out"
    env = {**os.environ, "GCMKG_CACHE_DIR": str(blocker / "cache"), "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-m", "gcmkg.cli", "build", "-q", "--out", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert (out / "void.ttl").read_bytes() == (ROOT / "graph" / "void.ttl").read_bytes()


def test_a_changed_ontology_file_gets_a_new_key(tmp_path: Path) -> None:
    copy = tmp_path / "gcm.owl.ttl"
    copy.write_bytes(reference.ontology_file(ROOT).read_bytes())
    before = reference.fingerprint([copy])
    copy.write_bytes(copy.read_bytes() + b"\n# an edit\n")
    assert reference.fingerprint([copy]) != before


def test_the_disk_cache_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCMKG_CACHE_DIR", "off")
    assert reference.cache_dir() is None


def test_a_query_process_imports_neither_pyshacl_nor_owlrl() -> None:
    code = "import sys, gcmkg.cli; print(sorted(m for m in ('pyshacl', 'owlrl') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.stdout.strip() == "[]"


def test_an_unknown_reasoner_is_refused_before_anything_is_done(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown reasoner"):
        build.build([BUNDLED], tmp_path / "out", ROOT, quiet=True, reasoner="hermit")
    assert not (tmp_path / "out").exists()


def test_data_that_changes_the_ontology_is_validated_whole() -> None:
    data = CASES[0][1]
    changed = Graph()
    for triple in data:
        changed.add(triple)
    changed.add((GCM.RegionalCommission, RDFS.subClassOf, GCM.Session))  # every commission becomes a session
    assert validate.affected(changed, reference.reference(ROOT)) is None
    conforms, outcomes = full_pyshacl(changed)
    fast = validate.validate(changed, ROOT)
    assert {(r.focus, URIRef(r.origin), SH[r.severity]) for r in fast.results if not r.origin.startswith("queries/")} \
        == outcomes
    assert not conforms


def test_a_prefix_rdflib_makes_up_does_not_leak_into_later_outputs(tmp_path: Path) -> None:
    """rdflib binds ns1, ns2, ... for a predicate in no known namespace: the graph written then gets
    rdflib's bytes, and what is written after it is written as if it had never happened."""
    g = reference.bind(Graph())
    g.add((EX.a, EX.p, Literal("x")))
    g.add((ID["state/DEU"], EX.q, EX.b))
    expected = g.serialize(format="longturtle", encoding="utf-8").replace(b"\r\n", b"\n")
    assert b"PREFIX ns1:" in expected
    assert export.fast_longturtle(g, reference.PREFIXES) == expected
    assert export.fast_longturtle(g, export.PREFIXES) == expected
    build.build([], tmp_path, ROOT, quiet=True)
    for name in ("void.ttl", "ece-gcm-2024-review-fr.ttl", "ece-gcm-2024-review-fr-inferred.ttl"):
        assert (tmp_path / name).read_bytes() == (ROOT / "graph" / name).read_bytes(), name


def test_the_overlaid_reference_graph_comes_back_as_it_was() -> None:
    """`validate.overlaid` adds a report to the one reference graph a process keeps, and takes it out again: also
    after an error, and without taking out the triples the reference graph held before."""
    with validate.overlaid(Graph(), ROOT) as base:
        before = set(base)
    data = Graph()
    data += dict(CASES)["broken"]
    data.add((ID["state/DEU"], RDF.type, GCM.State))  # a reference triple the report restates: it must stay
    assert (ID["state/DEU"], RDF.type, GCM.State) in before
    validate.validate(data, ROOT, scoped=True)
    with pytest.raises(RuntimeError), validate.overlaid(data, ROOT) as graph:
        assert graph is base and len(graph) > len(before)
        with validate.overlaid(data, ROOT) as nested:  # nested use: a copy, the base untouched
            assert nested is not base
        raise RuntimeError
    with validate.overlaid(Graph(), ROOT) as again:
        assert again is base and set(again) == before
