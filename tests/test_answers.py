"""Materialised answers (graph/answers/, the answers module): the build writes each canned query's result, the
embedded store reads it only for exactly the files and the query text it was computed from, and what it reads
is what evaluating gives, row for row."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gcmkg import answers
from gcmkg import query as q
from gcmkg.cli import main as gcmkg
from gcmkg.store import OxigraphStore, open_store

pytest.importorskip("pyoxigraph")

REPO = Path(__file__).resolve().parents[1]
REPORTS = [REPO / "graph" / "sources" / "ece-gcm-2024-review-fr.md",
           *sorted((REPO / "tests" / "data" / "reports").glob("*-fr.md"))]
CANNED = [x for x in q.canned_queries(REPO) if not x.name.endswith("-violation")]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("graph")
    assert gcmkg(["build", "-q", "-o", str(out), *map(str, REPORTS)]) == 0
    return out


def store_of(folder: Path, answers_folder: Path | None) -> OxigraphStore:
    store = open_store("oxigraph", q.data_files([folder], REPO), answers_folder)
    assert isinstance(store, OxigraphStore)
    return store


def test_the_build_materialises_every_canned_query(built: Path) -> None:
    manifest = json.loads((built / "answers" / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["answers"]) == sorted(c.name for c in CANNED)
    names = {name for name, _ in manifest["data"]}
    assert {p.name for p in q.data_files([built], REPO)} == names
    assert "void.ttl" not in names  # the dataset description is not report data


@pytest.mark.parametrize("canned", CANNED, ids=[c.name for c in CANNED])
def test_a_read_answer_is_the_evaluated_answer(built: Path, canned: q.QueryFile) -> None:
    text = q.bind_parameters(canned, [])
    served = store_of(built, built / "answers")
    assert served.materialised(text) is not None, "the answer was not read"
    evaluated = store_of(built, None)
    a, b = served.query(text), evaluated.query(text)
    assert (a.kind, a.vars, a.rows) == (b.kind, b.vars, b.rows)
    assert a.rows or canned.name == "unresolved-actors" or not b.rows


def test_answers_of_other_data_are_not_read(built: Path, tmp_path: Path) -> None:
    """One changed report graph: the answers are stale, so the query is evaluated and sees the change."""
    copy = tmp_path / "graph"
    shutil.copytree(built, copy)
    target = copy / "ece-gcm-2024-review-fr.ttl"
    text = target.read_text(encoding="utf-8")
    target.write_text(text + "\n<https://w3id.org/gcmkg/id/review/ece-2024> "
                      "<http://www.w3.org/2000/01/rdf-schema#comment> \"changed\" .\n", encoding="utf-8")
    canned = q.find_query("objectives", REPO)
    store = store_of(copy, copy / "answers")
    assert store.materialised(q.bind_parameters(canned, [])) is None
    # ... and with one report graph fewer, or more
    (copy / "ece-gcm-2024-review-fr.ttl").write_text(text, encoding="utf-8")
    assert store_of(copy, copy / "answers").materialised(q.bind_parameters(canned, [])) is not None
    (copy / "ece-gcm-2024-review-fr-inferred.ttl").unlink()
    assert store_of(copy, copy / "answers").materialised(q.bind_parameters(canned, [])) is None


def test_a_parameter_or_another_text_is_evaluated(built: Path) -> None:
    canned = q.find_query("session-actors", REPO)
    store = store_of(built, built / "answers")
    bound = q.bind_parameters(canned, [q.parse_parameter("code=DNK")])
    assert store.materialised(bound) is None
    rows = store.query(bound).rows
    assert rows and all(str(row[4]) == "DNK" for row in rows)
    assert store.materialised(q.bind_parameters(canned, []) + "\n") is None


def test_a_broken_manifest_or_answer_is_evaluated_with_a_warning(built: Path, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "graph"
    shutil.copytree(built, copy)
    canned = q.find_query("objectives", REPO)
    text = q.bind_parameters(canned, [])
    expected = store_of(built, None).query(text).rows
    (copy / "answers" / "objectives.json").write_text("{not json", encoding="utf-8")
    assert store_of(copy, copy / "answers").query(text).rows == expected
    assert f"{copy / 'answers' / 'objectives.json'}: not a readable answer" in capsys.readouterr().err
    manifest = json.loads((built / "answers" / "manifest.json").read_text(encoding="utf-8"))
    manifest["answers"]["objectives"]["file"] = "../ece-gcm-2024-review-fr.ttl"  # out of the folder: refused
    (copy / "answers" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert store_of(copy, copy / "answers").query(text).rows == expected
    assert "is not a file name" in capsys.readouterr().err
    (copy / "answers" / "manifest.json").write_text("[1, 2", encoding="utf-8")
    assert store_of(copy, copy / "answers").query(text).rows == expected
    assert f"{copy / 'answers' / 'manifest.json'}: not a manifest of answers" in capsys.readouterr().err


def test_answers_with_blank_nodes_are_not_materialised(tmp_path: Path) -> None:
    """A blank node's label in an answer is the store's own, new at each load: such an answer is left out."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "ontology", root / "ontology")
    shutil.copytree(REPO / "queries", root / "queries")
    (root / "queries" / "nodes.rq").write_text("SELECT ?b WHERE { BIND(BNODE() AS ?b) }\n", encoding="utf-8")
    files = answers.materialise({}, root)
    assert "answers/objectives.json" in files and "answers/nodes.json" not in files
    assert "nodes" not in json.loads(files["answers/manifest.json"])["answers"]


def test_gcmkg_query_reads_the_answer_and_evaluate_does_not(built: Path) -> None:
    """As whole processes: the same bytes either way."""
    outputs = []
    for extra in ([], ["--evaluate"]):
        done = subprocess.run([sys.executable, "-m", "gcmkg.cli", "query", "actor-objectives", "--data", str(built),
                               "--format", "csv", *extra], capture_output=True, cwd=REPO, check=True)
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] and outputs[0].count(b"\n") > 10


def test_data_the_answers_apply_to_is_parsed_only_when_a_query_needs_it(built: Path) -> None:
    store = store_of(built, built / "answers")
    assert store._pending, "the files were parsed although every canned query is answered"
    assert store.query(q.bind_parameters(q.find_query("objectives", REPO), [])).rows
    assert store._pending  # read from the answers
    assert store.query("ASK { ?s a <https://w3id.org/gcmkg/ontology#Review> }").boolean is True
    assert not store._pending  # evaluated: parsed first


def test_a_broken_file_is_reported_when_the_store_opens(built: Path, tmp_path: Path) -> None:
    """Answers that do not apply leave nothing lazy: the broken file is named by open_store, as without answers."""
    from gcmkg.store import StoreError

    copy = tmp_path / "graph"
    shutil.copytree(built, copy)
    (copy / "ece-gcm-2024-review-fr.ttl").write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(StoreError, match="ece-gcm-2024-review-fr.ttl"):
        store_of(copy, copy / "answers")
