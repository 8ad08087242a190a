"""graph/void.ttl: every count equals a count made directly (SPARQL) on the exported graph, every byte size
the size of the file, and the description is the same bytes from run to run."""

from __future__ import annotations

from gcmkg import cli

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID

from gcmkg import dataset, describe, iris, reference

ROOT = Path(__file__).resolve().parents[1]
GRAPH = ROOT / "graph"
DATASET = URIRef("https://w3id.org/gcmkg/dataset")
VOIDEXT = describe.VOIDEXT
DCAT = Namespace("http://www.w3.org/ns/dcat#")  # rdflib's closed DCAT warns when pytest probes module names


@pytest.fixture(scope="module")
def built() -> dict[str, bytes]:
    return dataset.built_files(GRAPH)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, built: dict[str, bytes]) -> Path:
    """The folder a publisher uploads: `gcmkg export --format all` and the report graphs of graph/."""
    out = tmp_path_factory.mktemp("download")
    assert cli.main(["export", "--format", "all", "--out", str(out)]) == 0
    for name, data in built.items():
        (out / name).write_bytes(data)
    return out


@pytest.fixture(scope="module")
def outputs(built: dict[str, bytes]) -> dict[str, bytes]:
    env = {k: os.environ.pop(k) for k in ("GCMKG_DOWNLOAD_BASE", "GCMKG_SPARQL_ENDPOINT") if k in os.environ}
    try:
        ds = dataset.load(dataset.report_sources(built), reference.with_data(ROOT))
        return describe.describe_outputs(ds, built)
    finally:
        os.environ.update(env)


@pytest.fixture(scope="module")
def void(outputs: dict[str, bytes]) -> Graph:
    return Graph().parse(data=outputs["void.ttl"].decode("utf-8"), format="turtle")


@pytest.fixture(scope="module")
def data(published: Path) -> Graph:
    """The exported graph, read back from the N-Triples distribution."""
    return Graph().parse(published / "gcmkg.nt", format="nt")


def count(graph: Graph, query: str) -> int:
    rows = list(graph.query(query))
    assert len(rows) == 1
    return int(rows[0][0])


def grouped(graph: Graph, query: str) -> dict:
    return {row[0]: int(row[1]) for row in graph.query(query)}


def value(void: Graph, node: URIRef, prop: URIRef) -> int:
    values = list(void.objects(node, prop))
    assert len(values) == 1, f"{node} has {len(values)} {prop}"
    return int(values[0])


def partitions(void: Graph, link: URIRef, key: URIRef, measure: URIRef) -> dict:
    return {void.value(node, key): value(void, node, measure) for node in void.objects(DATASET, link)}


# --------------------------------------------------------------------------------------------- statistics


def test_dataset_counts(void: Graph, data: Graph) -> None:
    assert value(void, DATASET, VOID.triples) == count(data, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }") == len(data)
    assert value(void, DATASET, VOID.distinctSubjects) == count(data, "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }")
    assert value(void, DATASET, VOID.distinctObjects) == count(data, "SELECT (COUNT(DISTINCT ?o) AS ?n) { ?s ?p ?o }")
    assert value(void, DATASET, VOID.entities) == \
        count(data, "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o FILTER isIRI(?s) }")
    assert value(void, DATASET, VOID.properties) == count(data, "SELECT (COUNT(DISTINCT ?p) AS ?n) { ?s ?p ?o }")
    assert value(void, DATASET, VOID.classes) == \
        count(data, "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?s a ?c FILTER isIRI(?c) }")


def test_class_partitions(void: Graph, data: Graph) -> None:
    direct = grouped(data, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) { ?s a ?c FILTER isIRI(?c) } GROUP BY ?c")
    assert partitions(void, VOID.classPartition, VOID["class"], VOID.entities) == direct
    assert direct[iris.GCM.Contribution] > 0 and direct[iris.GCM.State] == 194  # 193 Member States and the State of Palestine


def test_property_partitions(void: Graph, data: Graph) -> None:
    direct = grouped(data, "SELECT ?p (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?p")
    assert partitions(void, VOID.propertyPartition, VOID.property, VOID.triples) == direct


def test_language_partitions(void: Graph, data: Graph) -> None:
    found = {str(void.value(node, VOIDEXT.language)): node for node in void.objects(DATASET, VOIDEXT.languagePartition)}

    def per_language(select: str, where: str = "?s ?p ?o") -> dict[str, int]:
        query = f"SELECT ?l ({select} AS ?n) {{ {where} BIND (LANG(?o) AS ?l) FILTER (?l != '') }} GROUP BY ?l"
        return {str(k): v for k, v in grouped(data, query).items()}

    triples = per_language("COUNT(*)")
    assert set(found) == set(triples) and {"en", "fr"} <= set(triples)
    subjects = per_language("COUNT(DISTINCT ?s)")
    literals = per_language("COUNT(DISTINCT ?o)")
    labelled = per_language("COUNT(DISTINCT ?s)", "?s rdfs:label|<http://www.w3.org/2004/02/skos/core#prefLabel> ?o "
                                                  "FILTER isIRI(?s)")
    for tag, node in found.items():
        assert value(void, node, VOID.triples) == triples[tag]
        assert value(void, node, VOID.distinctSubjects) == subjects[tag]
        assert value(void, node, VOIDEXT.distinctLiterals) == literals[tag]
        assert value(void, node, VOID.entities) == labelled.get(tag, 0)


@pytest.mark.parametrize("target, space, at_least", [
    ("eu-country", "http://publications.europa.eu/resource/authority/country/", 193),
    ("sdg", "http://metadata.un.org/sdg/", 2),
    ("un-network-on-migration", "https://migrationnetwork.un.org/", 23),
])
def test_linksets(void: Graph, data: Graph, target: str, space: str, at_least: int) -> None:
    objects = URIRef(f"{DATASET}/external/{target}")
    assert str(void.value(objects, VOID.uriSpace)) == space
    linksets = {void.value(ls, VOID.linkPredicate): value(void, ls, VOID.triples)
                for ls in void.subjects(VOID.objectsTarget, objects)}
    for ls in void.subjects(VOID.objectsTarget, objects):
        assert (ls, RDF.type, VOID.Linkset) in void and (DATASET, VOID.subset, ls) in void
        assert void.value(ls, VOID.subjectsTarget) == DATASET
    direct = grouped(data, "SELECT ?p (COUNT(*) AS ?n) { ?s ?p ?o "
                           f"FILTER (isIRI(?o) && STRSTARTS(STR(?o), '{space}')) }} GROUP BY ?p")
    assert linksets == direct
    assert sum(direct.values()) >= at_least


# ------------------------------------------------------------------------------------------ distributions


def distributions(void: Graph) -> dict[str, URIRef]:
    return {str(void.value(d, DCAT.downloadURL)).rsplit("/", 1)[-1]: d
            for d in void.subjects(RDF.type, DCAT.Distribution)}


def test_byte_sizes_only_of_the_files_the_build_writes(void: Graph, published: Path, built: dict[str, bytes]) -> None:
    """The report graphs are written by the build: their exact size. The exports are not: no size is guessed."""
    described = distributions(void)
    assert sorted(described) == sorted(p.name for p in published.iterdir())
    for name, node in described.items():
        size = void.value(node, DCAT.byteSize)
        if name in built:
            assert value(void, node, DCAT.byteSize) == (published / name).stat().st_size, name
            assert isinstance(size, Literal) and size.datatype is not None
        else:
            assert size is None, name


def test_one_distribution_per_syntax_of_the_whole_graph(void: Graph) -> None:
    media = {str(void.value(d, DCAT.mediaType)).removeprefix(describe.IANA)
             for d in void.objects(DATASET, DCAT.distribution)}
    assert media == {f.media_type for f in dataset.FORMATS.values()}
    for d in void.objects(DATASET, DCAT.distribution):
        url = str(void.value(d, DCAT.downloadURL))
        assert url.startswith(describe.DEFAULT_BASE) and (DATASET, VOID.dataDump, URIRef(url)) in void


def test_report_graphs_are_subsets(void: Graph, built: dict[str, bytes]) -> None:
    for name, data in built.items():
        subset = iris.inferred_graph(name.removesuffix("-inferred.ttl")) if name.endswith("-inferred.ttl") \
            else iris.report_graph(name.removesuffix(".ttl"))
        assert (DATASET, VOID.subset, subset) in void
        assert value(void, subset, VOID.triples) == len(Graph().parse(data=data.decode("utf-8"), format="turtle"))
        url = void.value(void.value(subset, DCAT.distribution), DCAT.downloadURL)
        assert url == URIRef(describe.DEFAULT_BASE + name)


def test_source_report(void: Graph) -> None:
    source = URIRef(f"{DATASET}/source/ece-gcm-2024-review-fr")
    assert (DATASET, DCTERMS.source, source) in void
    assert void.value(source, DCTERMS.language) == \
        URIRef("http://publications.europa.eu/resource/authority/language/FRA")
    assert void.value(source, DCTERMS.subject) == URIRef("https://w3id.org/gcmkg/id/review/ece-2024")
    assert void.value(source, DCTERMS.isVersionOf) == URIRef("https://w3id.org/gcmkg/id/review/ece-2024/report")
    period = void.value(DATASET, DCTERMS.temporal)
    assert str(void.value(period, DCAT.startDate)) == "2024-03-11"


def test_dataset_metadata(void: Graph) -> None:
    assert {t.language for t in void.objects(DATASET, DCTERMS.title)} == {"en", "fr"}
    assert {t.language for t in void.objects(DATASET, DCTERMS.description)} == {"en", "fr"}
    assert void.value(DATASET, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert void.value(DATASET, DCTERMS.publisher) is not None
    assert (DATASET, VOID.sparqlEndpoint, None) not in void


def test_no_blank_nodes_and_every_node_is_ours(void: Graph) -> None:
    ours = ("https://w3id.org/gcmkg/dataset", "https://w3id.org/gcmkg/graph/")
    for s in set(void.subjects()):
        assert not isinstance(s, BNode)
        assert str(s).startswith(ours), s


# ------------------------------------------------------------------------------------- configuration, bytes


def test_base_and_endpoint_are_configurable(built: dict[str, bytes], published: Path) -> None:
    ds = dataset.load(dataset.report_sources(built), reference.with_data(ROOT))
    files = {p.name: p.read_bytes() for p in published.iterdir()}
    g = Graph().parse(data=describe.describe(files, ds, "https://example.org/files", "https://example.org/sparql"),
                      format="turtle")
    urls = {str(u) for u in g.objects(None, DCAT.downloadURL)}
    assert urls and all(u.startswith("https://example.org/files/") for u in urls)
    assert g.value(DATASET, VOID.sparqlEndpoint) == URIRef("https://example.org/sparql")


def test_environment_configures_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCMKG_DOWNLOAD_BASE", "https://example.org/dl/")
    monkeypatch.setenv("GCMKG_SPARQL_ENDPOINT", "https://example.org/sparql")
    assert describe.configured_base() == "https://example.org/dl/"
    assert describe.configured_base("https://flag/") == "https://flag/"
    assert describe.configured_endpoint() == "https://example.org/sparql"
    monkeypatch.delenv("GCMKG_DOWNLOAD_BASE")
    monkeypatch.delenv("GCMKG_SPARQL_ENDPOINT")
    assert describe.configured_base() == describe.DEFAULT_BASE
    assert describe.configured_endpoint() is None


def test_committed_description_is_fresh(outputs: dict[str, bytes]) -> None:
    for name, data in outputs.items():
        assert (GRAPH / name).read_bytes() == data, f"graph/{name} is stale: run `gcmkg build`"


def test_deterministic_across_processes(outputs: dict[str, bytes]) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("GCMKG_DOWNLOAD_BASE", "GCMKG_SPARQL_ENDPOINT")}
    done = subprocess.run([sys.executable, "-m", "gcmkg.cli", "describe"], cwd=ROOT, capture_output=True, check=True,
                          env={**env, "PYTHONHASHSEED": "11"})
    assert done.stdout == outputs["void.ttl"]
