"""`gcmkg validate` on several graph files: validated group by group (`validate.validate_files`), the results
of a whole-union validation.

The files: the bundled report's graph, the graphs built from tests/data/reports (among them the English
edition of the bundled review, which shares its IRIs, so the two must be validated together) and broken
copies of the bundled graph from tests/data/invalid-graphs. Both ways are compared on every combination,
the fast one against pySHACL and rdflib over the union (`scoped=False`, `GCMKG_VALIDATION=full`).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import URIRef

from gcmkg import build, validate

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "graph" / "ece-gcm-2024-review-fr.ttl"
REPORTS = sorted((ROOT / "tests" / "data" / "reports").glob("*-review-*.md"))
INVALID = ROOT / "tests" / "data" / "invalid-graphs"
BROKEN = ["contribution-order-gap.ttl", "objective-24.ttl", "on-behalf-of-organisation.ttl",
          "on-behalf-of-undeclared.ttl", "unresolved-actor.ttl"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("many") / "graph"
    done = subprocess.run([sys.executable, "-m", "gcmkg.cli", "build", "-q", "--out", str(out), *map(str, REPORTS)],
                          cwd=ROOT, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 0, done.stderr
    return validate.default_files(out.parent) if out.name == "graph" else []


def untimed(report: validate.ValidationReport, lang: str) -> str:
    return re.sub(r" [0-9.]+ s\n$", "\n", report.text(lang))


CASES = {
    "reports": [],
    "reports-and-every-broken-copy": BROKEN,
    **{f"reports-and-{name.removesuffix('.ttl')}": [name] for name in BROKEN[:3]},
}


@pytest.mark.parametrize("broken", CASES.values(), ids=CASES.keys())
def test_group_by_group_gives_the_results_of_the_whole_union(built: list[Path], broken: list[str]) -> None:
    files = [BUNDLED, *built, *(INVALID / name for name in broken)]
    graphs = validate.load_each(files)
    names = [f.name for f in files]
    fast = validate.validate_files(graphs, ROOT, names, scoped=True)
    slow = validate.validate_files(graphs, ROOT, names, scoped=False)
    assert fast.conforms == slow.conforms == (not broken)
    assert fast.results == slow.results
    for lang in validate.LANGUAGES:
        assert untimed(fast, lang) == untimed(slow, lang)
    assert fast.json("fr").split('"seconds"')[0] == slow.json("fr").split('"seconds"')[0]


def test_the_files_are_split_where_no_rule_relates_them(built: list[Path]) -> None:
    files = [BUNDLED, *built, INVALID / "contribution-order-gap.ttl"]
    graphs = validate.load_each(files)
    joins = validate._join_predicates(ROOT)
    assert joins is not None
    mentions: dict = {}
    for index, g in enumerate(graphs):
        for s, _, o in g:
            mentions.setdefault(s, set()).add(index)
            if isinstance(o, URIRef):  # as validate_files counts them: literals are no nodes to share
                mentions.setdefault(o, set()).add(index)
    known = validate.reference(ROOT)
    in_reference = {n for n in mentions if (n, None, None) in known or (None, None, n) in known}
    groups = validate._groups(graphs, mentions, in_reference, joins)
    together = {frozenset(files[i].name for i in group) for group in groups}
    # The French and English editions of one review and a broken copy of it share sessions and contributions.
    assert {BUNDLED.name, "ece-gcm-2024-review-en.ttl", "contribution-order-gap.ttl"} in together
    assert len(groups) == len(files) - 2  # the other reports alone


def test_the_joins_are_found_in_the_rules() -> None:
    from gcmkg.iris import GCM
    joins = validate._join_predicates(ROOT)
    assert {GCM.inEvent, GCM.sessionOf, GCM.inReport} <= joins  # the rules that compare within a group
    assert not {GCM.participant, GCM.onBehalfOf, GCM.contributesTo} & joins  # persons and forums only read


def test_the_command_gives_the_same_report_both_ways(built: list[Path], tmp_path: Path) -> None:
    files = [str(BUNDLED), *map(str, built), str(INVALID / "objective-24.ttl")]
    outputs = []
    for mode in ("scoped", "full"):
        done = subprocess.run([sys.executable, "-m", "gcmkg.cli", "validate", "--format", "json", *files], cwd=ROOT,
                              capture_output=True, text=True, check=False,
                              env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "GCMKG_VALIDATION": mode})
        assert done.returncode == 1, done.stderr
        outputs.append(re.sub(r'"seconds": [0-9.]+', "", done.stdout))
    assert outputs[0] == outputs[1]
