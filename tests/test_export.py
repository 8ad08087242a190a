"""`gcmkg export`: every syntax re-parses with a parser that is not rdflib into the graph it came from.

Independent parsers: Raptor's `rapper` (C) for Turtle, N-Triples, N-Quads, TriG and RDF/XML, Apache Jena's
`riot` (Java) for JSON-LD, which Raptor does not read. Their N-Triples/N-Quads output is compared, with
`rdflib.compare.isomorphic`, to the source files parsed directly (the ontology, each reference file, each
built report graph): the union for the one-graph syntaxes, graph by graph for TriG and N-Quads.
Under CI (CI=true) a missing tool fails the test; elsewhere it skips it.
"""

from __future__ import annotations

from gcmkg import cli

import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF

import jena

from gcmkg import dataset, iris

ROOT = Path(__file__).resolve().parents[1]
GRAPH = ROOT / "graph"
RAPPER_SYNTAX = {"ttl": "turtle", "nt": "ntriples", "nq": "nquads", "trig": "trig", "xml": "rdfxml"}


def missing(what: str) -> None:
    message = f"{what} is not installed (bash .ci/install-system-packages.sh)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


# ------------------------------------------------------------------------------------- independent parsers


def rapper(path: Path, fmt: str) -> bytes:
    """The file as N-Quads (graph names kept) written by Raptor."""
    if shutil.which("rapper") is None:
        missing("rapper (Debian raptor2-utils)")
    done = subprocess.run(["rapper", "-q", "-i", RAPPER_SYNTAX[fmt], "-o", "nquads", str(path)],
                          capture_output=True, check=False)
    assert done.returncode == 0, f"rapper rejects {path.name}: {done.stderr.decode(errors='replace')[:2000]}"
    return done.stdout


@pytest.fixture(scope="session")
def riot(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """A command line that runs Jena's riot (see tests/jena.py: Debian ships no launcher).

    From Debian's jars, with the JSON-LD 1.0 reader: Jena 4.5's default JSON-LD reader (Titanium, JSON-LD 1.1)
    needs a Jakarta JSON provider that Debian does not package, hence `--syntax=jsonld10` (jsonld-java): our
    JSON-LD uses nothing beyond JSON-LD 1.0.
    """
    try:
        command = jena.command("riot", tmp_path_factory.mktemp("jena-xerces-messages"),
                               jar_arguments=("--syntax=jsonld10",))
    except jena.MissingJars as err:
        pytest.fail(str(err))
    if command is None:
        missing("Jena riot (Debian libapache-jena-java, java)")
    return command


def riot_nt(command: list[str], path: Path) -> bytes:
    done = subprocess.run([*command, "--output=nt", str(path)], capture_output=True, check=False)
    assert done.returncode == 0 and done.stdout, \
        f"riot rejects {path.name}: {done.stderr.decode(errors='replace')[:2000]}"
    return done.stdout


# ---------------------------------------------------------------------------------- what should come out


def expected_graphs(inferred: bool = True) -> dict[str, Graph]:
    """Named-graph IRI -> the source file parsed directly (IRIs spelled out here, not taken from iris)."""
    base = "https://w3id.org/gcmkg/"
    out = {f"{base}ontology": Graph().parse(ROOT / "ontology" / "gcm.owl.ttl", format="turtle")}
    for path in sorted((ROOT / "ontology" / "reference").glob("*.ttl")):
        out[f"{base}reference/{path.stem}"] = Graph().parse(path, format="turtle")
    for path in sorted(GRAPH.glob("*.ttl")):
        if path.name in ("void.ttl", "gcmkg.owl.ttl") or (not inferred and path.stem.endswith("-inferred")):
            continue
        out[f"{base}graph/{path.stem}"] = Graph().parse(path, format="turtle")
    return out


def union(graphs) -> Graph:
    """The merged graph: every triple once, without the owl:imports of the sources (all they import is in it)."""
    out = Graph()
    for g in graphs:
        for triple in g:
            if triple[1] != OWL.imports:
                out.add(triple)
    return out


def quads(data: bytes) -> dict[str, Graph]:
    """Graph name -> its triples; the default graph is named ''."""
    ds = Dataset()
    with warnings.catch_warnings():  # rdflib 7's N-Quads parser warns about its own deprecated API, per quad
        warnings.simplefilter("ignore", DeprecationWarning)
        ds.parse(data=data.decode("utf-8"), format="nquads")
    return {"" if g.identifier == DATASET_DEFAULT_GRAPH_ID else str(g.identifier): g
            for g in ds.graphs() if len(g)}


def triples(data: bytes) -> Graph:
    return Graph().parse(data=data.decode("utf-8"), format="nt")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every syntax, through the command line: `--format all`, plus the ontology alone in RDF/XML."""
    out = tmp_path_factory.mktemp("export")
    assert cli.main(["export", "--format", "all", "--out", str(out)]) == 0
    assert cli.main(["export", "--format", "xml", "--what", "ontology", "--out", str(out / "gcm.owl.rdf")]) == 0
    return out


@pytest.fixture(scope="module")
def expected() -> dict[str, Graph]:
    return expected_graphs()


# ------------------------------------------------------------------------------------------------- tests


def test_graph_iris() -> None:
    assert iris.ontology_graph() == URIRef("https://w3id.org/gcmkg/ontology")
    assert iris.reference_graph("states") == URIRef("https://w3id.org/gcmkg/reference/states")
    assert iris.report_graph("ece-gcm-2024-review-fr") == URIRef("https://w3id.org/gcmkg/graph/ece-gcm-2024-review-fr")
    assert iris.inferred_graph("ece-gcm-2024-review-fr") == \
        URIRef("https://w3id.org/gcmkg/graph/ece-gcm-2024-review-fr-inferred")


def test_each_reference_graph_is_named_by_its_ontology_iri() -> None:
    for path in sorted((ROOT / "ontology" / "reference").glob("*.ttl")):
        ontologies = set(Graph().parse(path, format="turtle").subjects(RDF.type, OWL.Ontology))
        assert ontologies == {iris.reference_graph(path.stem)}, path.name


def test_every_distribution_is_written(exported: Path) -> None:
    names = sorted(p.name for p in exported.iterdir())
    assert names == sorted(["gcm.owl.rdf", "gcmkg.jsonld", "gcmkg.nq", "gcmkg.nt", "gcmkg.rdf", "gcmkg.trig",
                            "gcmkg.ttl"])


@pytest.mark.parametrize("name, fmt", [("gcmkg.nq", "nq"), ("gcmkg.trig", "trig")])
def test_quad_syntaxes_keep_one_named_graph_per_source(exported: Path, expected: dict[str, Graph],
                                                       name: str, fmt: str) -> None:
    parsed = quads(rapper(exported / name, fmt))
    assert sorted(parsed) == sorted(expected)
    for graph_iri, graph in expected.items():
        assert isomorphic(parsed[graph_iri], graph), f"{name}: named graph {graph_iri} differs from its source"


@pytest.mark.parametrize("name, fmt", [("gcmkg.ttl", "ttl"), ("gcmkg.nt", "nt"), ("gcmkg.rdf", "xml")])
def test_one_graph_syntaxes_hold_the_union(exported: Path, expected: dict[str, Graph], name: str, fmt: str) -> None:
    parsed = quads(rapper(exported / name, fmt))
    assert list(parsed) == [""], f"{name} should hold one graph"
    assert isomorphic(parsed[""], union(expected.values())), f"{name} differs from the sources"


def test_jsonld_reads_back_with_jena(exported: Path, expected: dict[str, Graph], riot: list[str]) -> None:
    parsed = triples(riot_nt(riot, exported / "gcmkg.jsonld"))
    assert isomorphic(parsed, union(expected.values()))


def test_jsonld_reads_back_with_rdflib(exported: Path, expected: dict[str, Graph]) -> None:
    parsed = Graph().parse(exported / "gcmkg.jsonld", format="json-ld")
    assert isomorphic(parsed, union(expected.values()))


def test_xml_of_the_ontology_alone(exported: Path, expected: dict[str, Graph]) -> None:
    parsed = triples(rapper(exported / "gcm.owl.rdf", "xml"))
    assert isomorphic(parsed, expected["https://w3id.org/gcmkg/ontology"])


def test_jsonld_embeds_the_shipped_context(exported: Path) -> None:
    shipped = json.loads((GRAPH / "context.jsonld").read_text(encoding="utf-8"))
    doc = json.loads((exported / "gcmkg.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"] == shipped["@context"]
    assert (GRAPH / "context.jsonld").read_bytes() == dataset.context_bytes(), \
        "graph/context.jsonld is stale: run `gcmkg build`"
    assert {"gcm", "id", "skos", "dcterms", "prov", "rdfs", "owl", "xsd"} <= set(shipped["@context"])


def test_line_syntaxes_are_sorted(exported: Path) -> None:
    for name in ("gcmkg.nt", "gcmkg.nq"):
        lines = (exported / name).read_text(encoding="utf-8").splitlines()
        assert lines == sorted(lines) and len(lines) == len(set(lines)), name


def test_without_inferred_graphs(tmp_path: Path) -> None:
    out = tmp_path / "asserted.nq"
    assert cli.main(["export", "--format", "nq", "--no-inferred", "--out", str(out)]) == 0
    parsed = quads(rapper(out, "nq"))
    assert sorted(parsed) == sorted(expected_graphs(inferred=False))
    assert not any(name.endswith("-inferred") for name in parsed)


def test_stdout_is_the_default(capsysbinary: pytest.CaptureFixture[bytes], exported: Path) -> None:
    assert cli.main(["export", "--format", "nt"]) == 0
    assert capsysbinary.readouterr().out == (exported / "gcmkg.nt").read_bytes()


def test_a_missing_graph_folder_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["export", "--graph", str(tmp_path / "nowhere")]) == 2
    assert "nowhere" in capsys.readouterr().err


def test_exports_are_deterministic(tmp_path: Path, exported: Path) -> None:
    # a separate process with another hash seed: set order and blank-node ids differ, the bytes must not
    out = tmp_path / "again"
    env = {**os.environ, "PYTHONHASHSEED": "7"}
    subprocess.run([sys.executable, "-m", "gcmkg.cli", "export", "--format", "all", "--out", str(out)],
                   check=True, cwd=ROOT, env=env)
    for path in sorted(out.iterdir()):
        assert path.read_bytes() == (exported / path.name).read_bytes(), f"{path.name} differs between runs"
